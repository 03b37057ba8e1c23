/**
 * The release path in the real n8n app (N8N_VERSION: 2.41.1, 2.8.4 or 1.123.81, each installed once into a cache by
 * scripts/n8n/install.sh with the Node it needs; CI runs all three): the package
 * is `npm pack`ed and installed into n8n's community-nodes folder as a user would, then, against the sandbox, every
 * example runs headless, the webhook example answers over HTTP, each credential test passes and fails through
 * n8n's REST API, and n8n's own node list has every node with its icons and codex. `npm run test:n8n`.
 */
import type { ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import * as app from '../../scripts/n8n/app';

jest.setTimeout(240_000);

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let port: number;

beforeAll(async () => {
	bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-'));
	app.installPackage(join(scratch, 'home'), app.packPackage(scratch));
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	port = ports[0];
	env = app.n8nEnv(join(scratch, 'home'), port, ports[1]);
	await app.importSandboxSetup(bin, env, sandbox, scratch);
}, 900_000);

afterAll(async () => {
	if (app.crashesAfterRun.length) console.info(`n8n ${app.n8nVersion(bin)} crashed on exit after a finished run (its own shutdown; the run counted): ${app.crashesAfterRun.map((c) => c.id).join(', ')}`);
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Everything n8n showed or logged in this file: execution data, webhook answers, credential-test messages, logs. */
const seen: string[] = [];
/** What our nodes said (outputs, errors) and what n8n logged: no full CPF may be there. Other nodes' items are the user's own data. */
const ours: string[] = [];
const execute = async (id: string) => {
	const run = await app.executeWorkflow(bin, env, id);
	seen.push(JSON.stringify(run));
	return run;
};

const sum = (rows: Array<Record<string, unknown>>, field: string) => rows.reduce((n, r) => n + Number(r[field]), 0);

describe('every example runs headless in n8n (n8n execute) and its output is checked', () => {
	test('signup → Face Match → CleverTap: verified, not found and invalid CPF each take their branch', async () => {
		const run = await execute('exSignupFaceMatch');
		ours.push(JSON.stringify([app.outputOf(run, 'Check Face Match', 0), app.outputOf(run, 'Check Face Match', 1).map((i) => i.error)]));
		expect(app.outputOf(run, 'Onboarding Event to CleverTap')).toEqual([
			{ uploaded: true, type: 'event', identity: 'ana@example.com', evtName: 'Face Match Verified' },
		]);
		// Its properties, each a name and a value mapped from Face Match's output (Using Fields Below): a count stays a number.
		const [face] = app.outputOf(run, 'Check Face Match', 0) as Array<{ versions: unknown[]; transactionId: string }>;
		expect(face.versions.length).toBeGreaterThan(0);
		expect(sandbox.clevertap.events.filter((e) => e.profile.identity === 'ana@example.com').map((e) => e.event_props)).toContainEqual({ 'Face Versions': face.versions.length, 'Claro Transaction': face.transactionId });
		expect(app.outputOf(run, 'Respond Not Found')).toEqual([expect.objectContaining({ found: false, cpf: '***.333.666-**' })]);
		const [invalid, ...more] = app.outputOf(run, 'Respond Invalid CPF');
		expect(more).toEqual([]);
		expect(invalid.email).toBe('carla@example.com');
		expect(invalid.error).toMatch(/^Invalid CPF \(\*\*\*\.456\.789-\*\*\): check digits do not match\. Nothing was sent to Claro/);
		// Only the two valid CPFs reached Claro; the invalid one cost nothing.
		expect(sandbox.claro.counters.custom.checks).toBe(2);
	});

	test('nightly Clara sync: Return All brings every transaction of the last 3 days', async () => {
		const since = app.n8nDate(3);
		const expected = sandbox.clara.data.transactions.filter((t) => String(t.operationDate).slice(0, 10) >= since);
		expect(expected.length).toBeGreaterThan(0);
		const run = await execute('exClaraNightlySync');
		const rows = app.outputOf(run, 'Rows to Store');
		expect(rows.map((r) => r.uuid).sort()).toEqual(expected.map((t) => t.uuid).sort());
		const totals = app.outputOf(run, 'Totals by Status');
		expect(sum(totals, 'count_uuid')).toBe(expected.length);
	});

	test('Clara → CleverTap notification: the latest 3 transactions become events on their cardholders', async () => {
		const before = sandbox.clevertap.counters.custom.uploadedRecords ?? 0;
		const run = await execute('exClaraTriggerNotify');
		const latest = [...sandbox.clara.data.transactions].sort((a, b) => String(b.operationDate).localeCompare(String(a.operationDate))).slice(0, 3);
		expect(app.outputOf(run, 'Notify via CleverTap')).toEqual(
			latest.map((t) => ({ uploaded: true, type: 'event', identity: (t.user as { uuid: string }).uuid, evtName: 'Card Transaction' })),
		);
		expect(sandbox.clevertap.counters.custom.uploadedRecords - before).toBe(3);
	});

	test('Conferma report: every deployed card counted once, with one token', async () => {
		const active = [...sandbox.conferma.deployments.values()].filter((d) => d.status === 'Deployed');
		const tokensBefore = sandbox.conferma.counters.tokenRequests;
		const run = await execute('exConfermaReport');
		const totals = app.outputOf(run, 'Totals by Account and Currency');
		expect(sum(totals, 'count_deploymentId')).toBe(active.length);
		expect(sum(totals, 'sum_amount')).toBeCloseTo(active.reduce((n, d) => n + (d.deploymentAmount as { amount: number }).amount, 0), 6);
		expect(sandbox.conferma.counters.tokenRequests - tokensBefore).toBe(1);
	});

	test('employee onboarding: a verified hire gets one Clara card and a CleverTap event; a re-run reuses the card', async () => {
		const ana = 'b677d6ab-b39c-4947-a7f1-24a03d8e8286';
		const cardsOfAna = () => sandbox.clara.data.cards.filter((c) => (c.user as { uuid: string }).uuid === ana && c.alias === 'Corporate card');
		const run = await execute('exEmployeeOnboarding');
		ours.push(JSON.stringify(app.outputOf(run, 'Check Face Match')));
		const [card, ...more] = app.outputOf(run, 'Issue Corporate Card');
		expect(more).toEqual([]);
		expect(cardsOfAna()).toHaveLength(1);
		expect(card.uuid).toBe(cardsOfAna()[0].uuid);
		expect(app.outputOf(run, 'Card Issued Event to CleverTap')).toEqual([{ uploaded: true, type: 'event', identity: 'ana.1@example.com', evtName: 'Corporate Card Issued' }]);
		expect(app.outputOf(run, 'Respond Manual Review')).toEqual([expect.objectContaining({ found: false, cpf: '***.333.666-**' })]);
		const again = await execute('exEmployeeOnboarding');
		expect(app.outputOf(again, 'Issue Corporate Card')).toEqual([expect.objectContaining({ uuid: card.uuid, alreadyExisted: true })]);
		expect(cardsOfAna()).toHaveLength(1);
	});

	test('employee offboarding: every active card of the leaver is locked, then their CleverTap profile is erased, once', async () => {
		const maria = '809a91c6-4761-4422-a256-4b4c3e33c12c';
		const theirs = sandbox.clara.data.cards.filter((c) => (c.user as { uuid: string }).uuid === maria && c.status === 'ACTIVE');
		expect(theirs.length).toBeGreaterThan(0);
		expect(sandbox.clevertap.profiles.has('user-0003')).toBe(true);
		const deletionsBefore = sandbox.clevertap.deletions.length;
		const run = await execute('exEmployeeOffboarding');
		expect(theirs.map((c) => c.lockCode)).toEqual(theirs.map(() => 'LOCKED'));
		const [answer] = app.outputOf(run, 'Erase CleverTap Profile');
		expect(answer).toMatchObject({ deleted: true, identity: 'user-0003' });
		expect(sandbox.clevertap.deletions.slice(deletionsBefore)).toEqual(['user-0003']);
		expect(sandbox.clevertap.profiles.has('user-0003')).toBe(false);
		expect((app.outputOf(run, 'Cards Locked')[0].lockedCards as string[]).sort()).toEqual(theirs.map((c) => c.uuid).sort());
	});

	test('CleverTap campaign report: one row per campaign of Q1 2026, with its results', async () => {
		const q1 = sandbox.clevertap.campaigns.filter((c) => {
			const day = Math.floor(Number(c.scheduled_on) / 10_000);
			return day >= 20260101 && day <= 20260331;
		});
		expect(q1.length).toBeGreaterThan(0);
		const run = await execute('exCleverTapCampaigns');
		const rows = app.outputOf(run, 'Report Rows');
		expect(rows.map((r) => r.campaign)).toEqual(q1.map((c) => c.name));
		for (const row of rows) expect(row.clickRate).toBeCloseTo((Number(row.clicked) / Number(row.sent)) * 100, 0);
	});
});

describe('n8n serving: webhook, credential tests through the REST API, loaded node types', () => {
	let server: ChildProcess & { output: string[] };
	const base = () => `http://127.0.0.1:${port}`;
	const rest = () => new app.Rest(base());
	let session: app.Rest;

	beforeAll(async () => {
		await app.publishLiveCopy(bin, env, 'exSignupFaceMatch', scratch);
		// Ports taken now, not minutes ago: on a shared machine another process may have taken those meanwhile.
		const ports = await app.freePorts(2);
		port = ports[0];
		env = app.n8nEnv(join(scratch, 'home'), port, ports[1]);
		server = app.startN8n(bin, env);
		await app.waitUntilListening(server, env);
		const signup = (cpf: string) => fetch(`${base()}/webhook/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Test', email: 'ana@example.com', cpf }) });
		// The webhook is registered a few seconds after /healthz says ready: poll the webhook itself.
		await app.waitFor('the signup webhook answering', async () => (await signup('111.444.777-35')).status === 200, 120_000, server);
		session = rest();
		await app.waitFor('a login to n8n\'s REST API', async () => (await session.login(), true), 120_000, server);
	}, 180_000);

	afterAll(async () => {
		if (server) await app.stopChild(server);
	});

	const post = (body: unknown) => fetch(`${base()}/webhook/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

	test('a POST to the signup webhook gets the branch’s answer: verified, not_found, 422 invalid_cpf', async () => {
		const verified = await post({ name: 'Ana', email: 'ana.live@example.com', cpf: '111.444.777-35' });
		expect([verified.status, await verified.json()]).toEqual([200, { status: 'verified', email: 'ana.live@example.com' }]);
		// The event's identity is `{{ $('Signup').item.json.email }}`, which the CleverTap node reads through n8n's data proxy.
		expect(sandbox.clevertap.events.filter((e) => e.profile.identity === 'ana.live@example.com').map((e) => [e.event_name, e.event_props])).toEqual([
			['Face Match Verified', { 'Face Versions': expect.any(Number), 'Claro Transaction': expect.any(String) }],
		]);
		const unknown = await post({ name: 'Bruno', email: 'bruno@example.com', cpf: '222.333.666-38' });
		expect([unknown.status, await unknown.json()]).toEqual([200, { status: 'not_found', next: 'manual review', email: 'bruno@example.com' }]);
		const invalid = await post({ name: 'Carla', email: 'carla@example.com', cpf: '123.456.789-00' });
		const body = (await invalid.json()) as { status: string; message: string };
		seen.push(JSON.stringify(body));
		ours.push(JSON.stringify(body));
		expect(invalid.status).toBe(422);
		expect(body.status).toBe('invalid_cpf');
		expect(body.message).toMatch(/^Invalid CPF \(\*\*\*\.456\.789-\*\*\)/);
		expect(body.message).not.toContain('123.456.789-00');
	});

	const credentialTest = async (id: string, type: string, name: string, data: Record<string, unknown>) => {
		const result = await session.call<{ status: string; message: string }>('POST', '/rest/credentials/test', { credentials: { id, name, type, data } });
		seen.push(JSON.stringify(result));
		return result;
	};

	test.each([
		['Clara', 'sbxClaraApi00001', 'claraApi', () => claraCredentials(sandbox), { publicCertificate: '', privateKey: '' }, /^Step 3 of 3 \(mutual TLS data call\) failed: No client certificate and private key are filled in/],
		['Claro Face Match', 'sbxClaroApi00001', 'claroFaceMatchApi', () => claroCredentials(sandbox), { secret: 'wrong-secret' }, /secret/i],
		['CleverTap', 'sbxCleverTap00001', 'cleverTapApi', () => cleverTapCredentials(sandbox), { passcode: 'WRONG-PASSCODE' }, /^The passcode \(or the account id\) is wrong/],
		['Conferma Pay', 'sbxConferma00001', 'confermaPayApi', () => confermaCredentials(sandbox), { clientSecret: 'wrong-secret' }, /client id|secret/i],
	])('%s credential test: OK with the sandbox values, the diagnosis with a bad one', async (name, id, type, good, bad, diagnosis) => {
		const passed = await credentialTest(id, type, name, good());
		expect(passed.status === 'OK' ? 'OK' : passed.message).toBe('OK'); // the message shows when it fails
		const failed = await credentialTest(id, type, name, { ...good(), ...bad });
		expect(failed.status).toBe('Error');
		expect(failed.message).toMatch(diagnosis);
	});

	test('n8n loaded every node and credential of the package, with light and dark icons and codex', async () => {
		const types = await session.call<Array<{ name: string; iconUrl?: { light: string; dark: string }; codex?: { categories?: string[] } }>>('GET', '/types/nodes.json');
		const ours = types.filter((t) => t.name.startsWith(`${app.PACKAGE}.`));
		// usableAsTool: n8n adds a "<name>Tool" variant of each action node for its AI Agent.
		const actions = ['clara', 'claroFaceMatch', 'cleverTap', 'confermaPay'];
		expect(ours.map((t) => t.name).sort()).toEqual(
			[...actions, ...actions.map((n) => `${n}Tool`), 'claraTrigger', 'claraWebhookTrigger', 'confermaPayTrigger'].map((n) => `${app.PACKAGE}.${n}`).sort(),
		);
		for (const type of ours) {
			expect(type.codex?.categories?.length).toBeGreaterThan(0);
			for (const url of [type.iconUrl!.light, type.iconUrl!.dark]) {
				const icon = await fetch(`${base()}/${url}`);
				expect([type.name, url, icon.status]).toEqual([type.name, url, 200]);
				expect(await icon.text()).toMatch(/^<svg|<\?xml/);
			}
		}
		// CleverTap's documented reads and actions are operations n8n shows.
		const cleverTap = ours.find((t) => t.name === `${app.PACKAGE}.cleverTap`) as unknown as { properties: Array<{ name: string; options?: Array<{ value: string }>; displayOptions?: { show?: { resource?: string[] } } }> };
		const operations = cleverTap.properties.filter((p) => p.name === 'operation').flatMap((p) => (p.options ?? []).map((o) => `${p.displayOptions?.show?.resource?.[0]}:${o.value}`));
		expect(operations).toEqual(
			expect.arrayContaining(['report:getRealTimeCounts', 'report:getTopCounts', 'report:getTrends', 'profile:delete', 'profile:demerge', 'profile:subscribe', 'profile:unsubscribe', 'campaign:create', 'campaign:estimate', 'campaign:stop']),
		);
		// Conferma's invoices (a deployment's paged list) are an operation of the Conferma Pay node.
		const conferma = types.find((t) => t.name === `${app.PACKAGE}.confermaPay`) as unknown as { properties: Array<{ name: string; options?: Array<{ value: string }> }> };
		expect(conferma.properties.find((p) => p.name === 'resource')?.options?.map((o) => o.value)).toEqual(['deployment', 'invoice']);
		const credentialTypes = await session.call<Array<{ name: string }>>('GET', '/types/credentials.json');
		expect(credentialTypes.map((c) => c.name)).toEqual(expect.arrayContaining(['claraApi', 'claroFaceMatchApi', 'cleverTapApi', 'confermaPayApi']));
	});

	test('no secret, token or private key in anything n8n showed or logged here; no full CPF in what our nodes said', async () => {
		seen.push(server.output.join(''));
		ours.push(server.output.join(''));
		const secrets = [
			sandbox.clara.clientSecret, sandbox.claro.secret, sandbox.clevertap.passcode, sandbox.conferma.clientSecret,
			...sandbox.clara.issuedTokens(), ...sandbox.claro.issuedTokens(), ...sandbox.conferma.issuedTokens(),
			...sandbox.certs.client.key.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line)),
		];
		const all = seen.join('\n');
		expect(all.length).toBeGreaterThan(10_000); // it really looked at the runs
		expect(secrets.filter((secret) => all.includes(secret)).map((secret) => `${secret.slice(0, 3)}…`)).toEqual([]);
		const cpfs = ['111.444.777-35', '11144477735', '222.333.666-38', '22233366638', '123.456.789-00', '12345678900'];
		expect(cpfs.filter((cpf) => ours.join('\n').includes(cpf))).toEqual([]);
	});
});
