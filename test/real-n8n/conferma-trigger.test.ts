/**
 * The Conferma Pay Trigger in the real n8n app (the packed package installed as a user would, N8N_VERSION or
 * 2.8.4), published through n8n's REST API: a card authorisation starts one execution and is answered 200
 * `{"received": true}` as JSON (not n8n's default body, the literal text "firstEntryJson"); Conferma's retry of the
 * same notificationMessageID is answered 200 and starts nothing, because n8n saved the trigger's static data after
 * the first delivery; a new notification starts the next. `npm run test:n8n`.
 */
import type { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { cardAuthorisation } from '../../sandbox/conferma';
import * as app from '../../scripts/n8n/app';

jest.setTimeout(240_000);

const WEBHOOK_ID = '8e3a1c4d-6b2f-4d9e-8a1b-2c3d4e5f6a7b';
let WORKFLOW = '';
let sandbox: Sandbox;
let scratch: string;
let port: number;
let server: ChildProcess & { output: string[] };
let session: app.Rest;
const hookUrl = () => `http://127.0.0.1:${port}/webhook/${WEBHOOK_ID}/webhook`;
const executions = async () => (await app.executionsOf(session, WORKFLOW)).length;

beforeAll(async () => {
	const bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-conferma-trigger-'));
	app.installPackage(join(scratch, 'home'), app.packPackage(scratch));
	sandbox = await startSandbox({ services: ['conferma'] });
	const ports = await app.freePorts(2);
	port = ports[0];
	const env = app.n8nEnv(join(scratch, 'home'), port, ports[1]);
	server = app.startN8n(bin, env);
	session = new app.Rest(`http://127.0.0.1:${port}`);
	await app.waitFor('a login to n8n\'s REST API', async () => (await session.login(), true), 120_000, server);
	const { id: _id, ...definition } = JSON.parse(readFileSync(join(__dirname, 'workflows', 'conferma-trigger.json'), 'utf8'));
	WORKFLOW = (await session.call<{ id: string }>('POST', '/rest/workflows', definition)).id;
	await app.activateRunning(session, WORKFLOW);
	// The production webhook answers once the published workflow's trigger is registered.
	await app.waitFor('the production webhook', async () => (await fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status === 400, 60_000, server);
}, 900_000);

afterAll(async () => {
	if (server) await app.stopChild(server);
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const deliver = (body: unknown) => fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a card authorisation starts one execution and is answered 200 {"received": true} as JSON; its retry starts nothing', async () => {
	const notification = cardAuthorisation('100001');
	const first = await deliver(notification);
	expect(first.status).toBe(200);
	expect(first.headers.get('content-type')).toMatch(/^application\/json/);
	expect(await first.json()).toEqual({ received: true });
	await app.waitFor('one execution', async () => (await executions()) === 1, 60_000, server);

	const retry = await deliver(notification);
	expect(retry.status).toBe(200);
	expect(await retry.json()).toEqual({ received: true, duplicate: expect.stringMatching(new RegExp(`^notification ${notification.notificationMessageID} was already received`)) });
	const next = await deliver(cardAuthorisation('100001'));
	expect(next.status).toBe(200);
	await app.waitFor('the second execution, for the new notification', async () => (await executions()) === 2, 60_000, server);
	// The retry was answered before the new notification was sent, and started nothing in between.
	await new Promise((r) => setTimeout(r, 1_500));
	expect(await executions()).toBe(2);
});
