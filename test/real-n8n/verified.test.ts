/**
 * The verified edition in the real n8n app (N8N_VERSION, CI: 2.41.1): each verified package is built, packed and
 * installed into n8n's community-nodes folder the way the full one is; the examples whose nodes are all in verified
 * packages run headless with their node types renamed to those packages; each credential test passes and fails
 * through n8n's REST API with the full edition's diagnosis. What the verified edition gives up is counted, not
 * assumed: Clara's handshakes per request.
 */
import type { ChildProcess } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import * as app from '../../scripts/n8n/app';
import { build, layOut, pack, PACKAGES } from '../../scripts/verified/packages';

jest.setTimeout(240_000);

/**
 * Before n8n 2.20 the node helper (`helpers.httpRequest`) drops `agentOptions`: n8n 2.8.4's n8n-core builds the
 * request's agent from the host name alone (request-helper-functions.js, convertN8nRequestToAxios). There a Clara
 * node presents no client certificate (Clara answers 511), and a credential's own CA is not used either: the other
 * three services work when their server's certificate chains to a CA Node.js trusts (the vendors' public ones; here
 * the sandbox CA through NODE_EXTRA_CA_CERTS). The credential tests go through the older `helpers.request`, which
 * honours `agentOptions` on 2.8.4 too.
 */
const [major, minor] = (process.env.N8N_VERSION ?? '2.8.4').split('.').map(Number);
const agentOptions = major > 2 || (major === 2 && minor >= 20);

/** A node type of the full package → the same node in its verified package (tool variants included). */
const VERIFIED_TYPE = new Map(
	PACKAGES.flatMap((pkg) => pkg.nodes.flatMap((node) => {
		const name = node.charAt(0).toLowerCase() + node.slice(1);
		return [name, `${name}Tool`].map((n): [string, string] => [`${app.PACKAGE}.${n}`, `${pkg.name}.${n}`]);
	})),
);

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let port: number;
let extra: Record<string, string> = {};
const imported: string[] = [];

beforeAll(async () => {
	bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-verified-'));
	for (const pkg of PACKAGES) {
		const dir = layOut(pkg);
		build(pkg, dir);
		app.installPackage(join(scratch, 'home'), pack(dir));
	}
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	port = ports[0];
	extra = agentOptions ? {} : app.trustSandbox(sandbox, scratch);
	env = app.n8nEnv(join(scratch, 'home'), port, ports[1], extra);
	const credentials = join(scratch, 'credentials.json');
	writeFileSync(credentials, JSON.stringify(app.sandboxCredentials(sandbox)), { mode: 0o600 });
	await app.n8nCli(bin, env, ['import:credentials', `--input=${credentials}`]);
	// The examples whose every node of ours has a verified package, with the node types renamed.
	const examples = join(scratch, 'examples');
	mkdirSync(examples);
	for (const file of readdirSync(app.EXAMPLES).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(readFileSync(join(app.EXAMPLES, file), 'utf8'));
		const ours = workflow.nodes.filter((n: { type: string }) => n.type.startsWith(`${app.PACKAGE}.`));
		if (!ours.every((n: { type: string }) => VERIFIED_TYPE.has(n.type))) continue;
		for (const node of ours) node.type = VERIFIED_TYPE.get(node.type);
		writeFileSync(join(examples, file), JSON.stringify(workflow));
		imported.push(workflow.id);
	}
	await app.n8nCli(bin, env, ['import:workflow', '--separate', `--input=${examples}`]);
}, 900_000);

afterAll(async () => {
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const sum = (rows: Array<Record<string, unknown>>, field: string) => rows.reduce((n, r) => n + Number(r[field]), 0);

describe('the examples run headless on the verified packages', () => {
	test('only the example with the Conferma Pay Trigger (not in a verified package) is left out', () => {
		expect(imported.sort()).toEqual(
			['exClaraNightlySync', 'exClaraTriggerNotify', 'exCleverTapCampaigns', 'exConfermaHotelCard', 'exConfermaReport', 'exEmployeeOffboarding', 'exEmployeeOnboarding', 'exOnboardingAssistant', 'exSignupFaceMatch'].sort(),
		);
	});

	test('signup → Face Match → CleverTap: verified, not found and invalid CPF each take their branch', async () => {
		const run = await app.executeWorkflow(bin, env, 'exSignupFaceMatch');
		expect(app.outputOf(run, 'Onboarding Event to CleverTap')).toEqual([{ uploaded: true, type: 'event', identity: 'ana@example.com', evtName: 'Face Match Verified' }]);
		expect(app.outputOf(run, 'Respond Not Found')).toEqual([expect.objectContaining({ found: false, cpf: '***.333.666-**' })]);
		expect(app.outputOf(run, 'Respond Invalid CPF')[0].error).toMatch(/^Invalid CPF \(\*\*\*\.456\.789-\*\*\): check digits do not match\. Nothing was sent to Claro/);
		expect(sandbox.claro.counters.custom.checks).toBe(2);
	});

	(agentOptions ? test.skip : test)('before n8n 2.20: the Clara node sends no client certificate and says so; nothing is synced', async () => {
		const before = sandbox.clara.counters.custom.http511 ?? 0;
		await expect(app.executeWorkflow(bin, env, 'exClaraNightlySync')).rejects.toThrow(/client certificate/);
		expect((sandbox.clara.counters.custom.http511 ?? 0) - before).toBeGreaterThanOrEqual(1);
	});

	(agentOptions ? test : test.skip)('nightly Clara sync over mutual TLS through n8n\'s helper: every transaction, and a handshake per request', async () => {
		const since = app.n8nDate(3);
		const expected = sandbox.clara.data.transactions.filter((t) => String(t.operationDate).slice(0, 10) >= since);
		const before = { requests: sandbox.clara.counters.requests, handshakes: sandbox.clara.counters.handshakes };
		const run = await app.executeWorkflow(bin, env, 'exClaraNightlySync');
		expect(app.outputOf(run, 'Rows to Store').map((r) => r.uuid).sort()).toEqual(expected.map((t) => t.uuid).sort());
		const requests = sandbox.clara.counters.requests - before.requests;
		const handshakes = sandbox.clara.counters.handshakes - before.handshakes;
		console.info(`verified Clara on n8n ${app.n8nVersion(bin)}: ${requests} requests, ${handshakes} TLS handshakes`);
		// n8n's helper builds a new agent for every request: what the full edition's pool exists to avoid.
		expect(handshakes).toBe(requests);
	});

	test('Conferma report: every deployed card counted once, with one token', async () => {
		const active = [...sandbox.conferma.deployments.values()].filter((d) => d.status === 'Deployed');
		const tokensBefore = sandbox.conferma.counters.tokenRequests;
		const run = await app.executeWorkflow(bin, env, 'exConfermaReport');
		const totals = app.outputOf(run, 'Totals by Account and Currency');
		expect(sum(totals, 'count_deploymentId')).toBe(active.length);
		expect(sandbox.conferma.counters.tokenRequests - tokensBefore).toBe(1);
	});
});

describe('credential tests through n8n\'s REST API', () => {
	let server: ChildProcess & { output: string[] };
	let session: app.Rest;

	beforeAll(async () => {
		const ports = await app.freePorts(2);
		port = ports[0];
		env = app.n8nEnv(join(scratch, 'home'), port, ports[1], extra);
		server = app.startN8n(bin, env);
		await app.waitUntilListening(server, env);
		session = new app.Rest(`http://127.0.0.1:${port}`);
		await app.waitFor("a login to n8n's REST API", async () => (await session.login(), true), 120_000, server);
	}, 240_000);

	afterAll(async () => {
		if (server) await app.stopChild(server);
	});

	test.each([
		['Clara', 'sbxClaraApi00001', 'claraApi', () => claraCredentials(sandbox), { publicCertificate: '', privateKey: '' }, /^Step 3 of 3 \(mutual TLS data call\) failed: No client certificate and private key are filled in/],
		['Claro Face Match', 'sbxClaroApi00001', 'claroFaceMatchApi', () => claroCredentials(sandbox), { secret: 'wrong-secret' }, /secret/i],
		['CleverTap', 'sbxCleverTap00001', 'cleverTapApi', () => cleverTapCredentials(sandbox), { passcode: 'WRONG-PASSCODE' }, /^The passcode \(or the account id\) is wrong/],
		['Conferma Pay', 'sbxConferma00001', 'confermaPayApi', () => confermaCredentials(sandbox), { clientSecret: 'wrong-secret' }, /client id|secret/i],
	])('%s: OK with the sandbox values, the full edition\'s diagnosis with a bad one', async (name, id, type, good, bad, diagnosis) => {
		const test = (data: Record<string, unknown>) => session.call<{ status: string; message: string }>('POST', '/rest/credentials/test', { credentials: { id, name, type, data } });
		const passed = await test(good());
		expect(passed.status === 'OK' ? 'OK' : passed.message).toBe('OK');
		const failed = await test({ ...good(), ...bad });
		expect(failed.status).toBe('Error');
		expect(failed.message).toMatch(diagnosis);
	});
});
