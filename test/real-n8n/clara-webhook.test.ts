/**
 * The Clara Webhook Trigger in the real n8n app (the packed package installed as a user would, N8N_VERSION or
 * 2.8.4): activating the workflow through n8n's REST API (the editor's switch) registers one subscriber at the
 * sandbox; an event the sandbox delivers is answered 200 with JSON by n8n's own web server and starts an execution
 * that uses the event's data; the same event delivered again is answered 200 and starts nothing; a delivery without
 * the token starts nothing; deactivating it the same way deletes the subscriber, so Clara delivers nothing more.
 * `npm run test:n8n`.
 */
import type { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { derivedToken } from '../../nodes/Clara/ClaraWebhookTrigger.node';
import { startSandbox, type Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';

jest.setTimeout(240_000);

/** The workflow's id, as n8n gives it when the workflow is saved. */
let WORKFLOW = '';
const WEBHOOK_ID = '3f7c2d9e-5b1a-4c8e-9d0f-1a2b3c4d5e6f';
/** The trigger's default: a token derived from the credential's client secret, never stored in the workflow. */
let TOKEN = '';

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let port: number;
let server: ChildProcess & { output: string[] };
let session: app.Rest;
const base = () => `http://127.0.0.1:${port}`;
const hookUrl = () => `${base()}/webhook/${WEBHOOK_ID}/webhook`;
const mine = () => sandbox.clara.subscribers().filter((s) => s.callbackUrl.startsWith(hookUrl()));

beforeAll(async () => {
	bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-clara-webhook-'));
	app.installPackage(join(scratch, 'home'), app.packPackage(scratch));
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	port = ports[0];
	env = app.n8nEnv(join(scratch, 'home'), port, ports[1]);
	await app.importSandboxSetup(bin, env, sandbox, scratch);
	TOKEN = derivedToken(sandbox.clara.clientSecret, WEBHOOK_ID);
	server = app.startN8n(bin, env);
	session = new app.Rest(base());
	// Readiness says ok before the REST routes are mounted: wait for the login itself.
	await app.waitFor('a login to n8n\'s REST API', async () => (await session.login(), true), 120_000, server);
	// Saved as the editor saves it (REST, which also records the version that activation publishes; a workflow
	// imported with the CLI has no version history on n8n 1.123, and its deactivation then fails).
	const { id: _id, ...definition } = JSON.parse(readFileSync(join(__dirname, 'workflows', 'clara-webhook.json'), 'utf8'));
	WORKFLOW = (await session.call<{ id: string }>('POST', '/rest/workflows', definition)).id;
	expect(mine()).toEqual([]);
	// The editor's switch: activation is what registers the subscriber.
	await app.activateRunning(session, WORKFLOW);
	await app.waitFor('the subscriber registered at the sandbox', async () => mine().some((s) => s.enabled), 60_000, server);
}, 900_000);

afterAll(async () => {
	if (server) await app.stopChild(server);
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('activation registered one enabled subscriber for the production URL, with the derived token and the chosen event', () => {
	expect(mine()).toHaveLength(1);
	const [subscriber] = mine();
	expect(subscriber).toMatchObject({ enabled: true, events: ['CARD_CREATION_REQUEST_CREATED'] });
	expect(new URL(subscriber.callbackUrl).searchParams.get('token')).toBe(TOKEN);
});

let firstEventId = '';

test('a delivered event is answered 200 with JSON (not text/html "firstEntryJson") and starts an execution that uses the event (the card it names is read from Clara)', async () => {
	const card = sandbox.clara.data.cards[3];
	const reads = () => sandbox.clara.requestLog.filter((r) => r.method === 'GET' && r.url.includes(`/v3/cards/${String(card.uuid)}`)).length;
	const before = reads();
	const delivered = await sandbox.clara.deliver('CARD_CREATION_REQUEST_CREATED', { cardUuid: card.uuid, requestId: 'req-1' });
	expect(delivered.map((d) => d.status)).toEqual([200]);
	expect(delivered[0].contentType).toMatch(/^application\/json/);
	expect(JSON.parse(delivered[0].body)).toEqual({ received: true });
	firstEventId = delivered[0].eventId;
	await app.waitFor('the execution to read the card', async () => reads() > before, 60_000, server);
	await app.waitFor('a successful execution', async () => (await app.executionsOf(session, WORKFLOW)).some((e) => e.status === 'success'), 60_000, server);
	expect(await sandbox.clara.deliver('PAYMENT_PAID')).toEqual([]); // not subscribed: Clara sends nothing
});

test('the same event delivered again (Clara retrying) is answered 200 and starts no execution; a new event does', async () => {
	await app.waitFor('the first execution to be listed', async () => (await app.executionsOf(session, WORKFLOW)).length === 1, 60_000, server);
	const card = sandbox.clara.data.cards[3];
	const again = await sandbox.clara.deliver('CARD_CREATION_REQUEST_CREATED', { cardUuid: card.uuid, requestId: 'req-1' }, undefined, firstEventId);
	expect(again.map((d) => [d.status, JSON.parse(d.body)])).toEqual([[200, { received: true, duplicate: true }]]);
	expect(again[0].contentType).toMatch(/^application\/json/);
	const fresh = await sandbox.clara.deliver('CARD_CREATION_REQUEST_CREATED', { cardUuid: card.uuid, requestId: 'req-2' });
	expect(fresh.map((d) => d.status)).toEqual([200]);
	await app.waitFor('the new event\'s execution', async () => (await app.executionsOf(session, WORKFLOW)).length === 2, 60_000, server);
	await new Promise((r) => setTimeout(r, 1_500));
	expect(await app.executionsOf(session, WORKFLOW)).toHaveLength(2);
});

test('a request to the webhook without the token, or with a wrong one, gets 401 and starts nothing', async () => {
	const count = (await app.executionsOf(session, WORKFLOW)).length;
	for (const url of [hookUrl(), `${hookUrl()}?token=${derivedToken('another-secret', WEBHOOK_ID)}`]) {
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'CARD_CREATION_REQUEST_CREATED', data: {} }) });
		expect(res.status).toBe(401);
		expect(await res.text()).not.toContain(TOKEN);
	}
	await new Promise((r) => setTimeout(r, 1_500));
	expect(await app.executionsOf(session, WORKFLOW)).toHaveLength(count);
});

test('deactivating the workflow deletes the subscriber: Clara delivers nothing more', async () => {
	await app.deactivateRunning(session, WORKFLOW);
	await app.waitFor('the subscriber deleted at the sandbox', async () => mine().length === 0, 30_000, server);
	expect(await sandbox.clara.deliver('CARD_CREATION_REQUEST_CREATED', { cardUuid: sandbox.clara.data.cards[0].uuid })).toEqual([]);
});

test('activated again: one subscriber again, never two', async () => {
	await app.activateRunning(session, WORKFLOW);
	await app.waitFor('the subscriber registered again', async () => mine().some((s) => s.enabled), 60_000, server);
	expect(mine()).toHaveLength(1);
	await app.deactivateRunning(session, WORKFLOW);
	await app.waitFor('the subscriber deleted again', async () => mine().length === 0, 30_000, server);
});

test('no secret, Clara token, private key or the webhook token in n8n\'s log or in the executions it stored', async () => {
	const stored = await Promise.all((await app.executionsOf(session, WORKFLOW)).map(async (e) => JSON.stringify(await session.call('GET', `/rest/executions/${e.id}`))));
	expect(stored.join('')).toContain('CARD_CREATION_REQUEST_CREATED'); // it really looked at the run's data
	const log = server.output.join('') + stored.join('\n');
	expect(log.length).toBeGreaterThan(1_000);
	const secrets = [sandbox.clara.clientSecret, ...sandbox.clara.issuedTokens(), TOKEN, ...sandbox.certs.client.key.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line))];
	expect(secrets.filter((s) => log.includes(s)).map((s) => `${s.slice(0, 3)}…`)).toEqual([]);
});
