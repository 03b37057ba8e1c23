/**
 * The Clara Webhook Trigger in n8n's engine: its subscriber lifecycle run as n8n's WebhookService runs it
 * (checkExists → create on activation, delete on deactivation, through n8n-core's HookContext) against the sandbox
 * over mTLS, and deliveries that the sandbox itself POSTs over HTTP to a local server handing each request to the
 * trigger's webhook() as n8n's web server does. See sandbox/contracts/clara.md "## Webhook subscribers".
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject } from 'n8n-workflow';
import { ClaraWebhookTrigger, derivedToken } from '../../nodes/Clara/ClaraWebhookTrigger.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { ALL_GRANTS } from '../../sandbox/clara-writes';
import { claraCredentials } from '../../sandbox/credentials';
import { callWebhook, runWebhookMethod } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

const trigger = new ClaraWebhookTrigger();
const TOKEN = 'tok-7f3a9c1e5b2d8e4f6a0c';
let sandbox: Sandbox<'clara'>;
let server: Server;
let base = '';
const leaks = new Leaks();
/** Every workflow start the trigger produced from a delivery, in order. */
const fired: IDataObject[] = [];
/** Parameters the local "n8n web server" hands to webhook(); tests change them to see each check. */
let deliveryParameters: IDataObject = {};

const parameters = (extra: IDataObject = {}): IDataObject => ({
	events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_CREATED'],
	otherEvents: '',
	verification: 'token',
	secretToken: TOKEN,
	options: {},
	...extra,
});

/** One webhook method, as n8n runs it, with the static data n8n keeps between activation and deactivation. */
async function lifecycle(method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, extra: IDataObject = {}, more: { mode?: 'manual'; webhookBaseUrl?: string } = {}) {
	const creds = claraCredentials(sandbox, { environment: 'production' });
	leaks.watch(creds.clientSecret, creds.privateKey, TOKEN);
	try {
		const out = await runWebhookMethod({
			nodeType: trigger,
			credentialTypes: [new ClaraApi()],
			credentials: { claraApi: creds },
			parameters: parameters(extra),
			method,
			staticData,
			webhookBaseUrl: more.webhookBaseUrl ?? `${base}/webhook`,
			mode: more.mode,
		});
		leaks.collect(out.logs, out.result, out.staticData);
		return out;
	} catch (error) {
		leaks.collect(error);
		throw error;
	}
}

/** n8n's activation: checkExists, then create when it says false. */
async function activate(staticData: IDataObject, extra: IDataObject = {}) {
	const exists = await lifecycle('checkExists', staticData, extra);
	if (!exists.result) await lifecycle('create', staticData, extra);
	return exists.result;
}

const subscribers = () => sandbox.clara.subscribers();
const posts = (fragment: string, method = 'POST') => sandbox.clara.requestLog.filter((r) => r.method === method && r.url.includes(fragment)).length;

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara'] });
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const { result, response } = await callWebhook({
				nodeType: trigger,
				parameters: parameters(deliveryParameters),
				request: { body: Buffer.concat(chunks), headers: { 'content-type': String(req.headers['content-type']) }, query: Object.fromEntries(url.searchParams) },
			});
			leaks.collect(response, result);
			for (const item of result.workflowData?.[0] ?? []) fired.push(item.json);
			res.writeHead(response.ended ? response.statusCode : 200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(response.ended ? response.body : { message: 'Workflow was started' }));
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
	await new Promise((r) => server.close(r));
});
beforeEach(() => {
	sandbox.clara.resetCounters();
	sandbox.clara.faults.clear();
	for (const g of ALL_GRANTS) sandbox.clara.grants.add(g);
	deliveryParameters = {};
	fired.length = 0;
});

test('activate → a subscriber at Clara → a delivered event starts the workflow → deactivate → no more deliveries → reactivate reuses it', async () => {
	const staticData: IDataObject = {};
	const before = subscribers().length;
	expect(await activate(staticData)).toBe(false); // nothing known yet: n8n then calls create
	expect(subscribers()).toHaveLength(before + 1);
	const mine = subscribers().at(-1)!;
	expect(mine).toMatchObject({ enabled: true, events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_CREATED'], name: expect.stringMatching(/^n8n: /) });
	const callback = new URL(mine.callbackUrl);
	expect(`${callback.origin}${callback.pathname}`).toBe(`${base}/webhook/harness-webhook-id/webhook`);
	expect(callback.searchParams.get('token')).toBe(TOKEN);
	expect(JSON.stringify(staticData)).not.toContain(TOKEN);

	const delivered = await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-1', amount: 1200.5, currency: 'MXN' });
	expect(delivered.map((d) => d.status)).toEqual([200]);
	expect(fired).toEqual([expect.objectContaining({ event: 'PAYMENT_PAID', data: { paymentUuid: 'pay-1', amount: 1200.5, currency: 'MXN' } })]);
	expect(await sandbox.clara.deliver('CARD_CREATION_REQUEST_ERROR')).toEqual([]); // not subscribed: Clara sends nothing

	await lifecycle('delete', staticData);
	expect(mine.enabled).toBe(false);
	expect(await sandbox.clara.deliver('PAYMENT_PAID')).toEqual([]);
	expect(fired).toHaveLength(1);

	// Reactivation with other events: the same subscriber, enabled again with the new list; none created.
	expect(await activate(staticData, { events: ['CARD_CREATION_REQUEST_ERROR'], otherEvents: 'CARD_LOCKED' })).toBe(true);
	expect(subscribers()).toHaveLength(before + 1);
	expect(mine).toMatchObject({ enabled: true, events: ['CARD_CREATION_REQUEST_ERROR', 'CARD_LOCKED'] });
	expect(posts('/api/v1/subscribers')).toBe(1);
	await lifecycle('delete', staticData);
});

test('a subscriber Clara no longer knows (404) is forgotten and registered anew', async () => {
	// n8n keeps a node's static data under "node:<node name>".
	const url = `${base}/webhook/harness-webhook-id/webhook`;
	const staticData: IDataObject = { 'node:Trigger': { subscribers: { [url]: { uuid: '5a0e4c1d-0000-4000-a000-000000000000', enabled: true } } } };
	expect(await activate(staticData)).toBe(false);
	const entry = ((staticData['node:Trigger'] as IDataObject).subscribers as Record<string, { uuid: string }>)[url];
	expect(entry.uuid).not.toBe('5a0e4c1d-0000-4000-a000-000000000000');
	expect(subscribers().some((s) => s.uuid === entry.uuid && s.enabled)).toBe(true);
	await lifecycle('delete', staticData);
});

test('the editor\'s "Listen for test event" registers the test URL', async () => {
	const staticData: IDataObject = {};
	await lifecycle('create', staticData, {}, { mode: 'manual' });
	expect(new URL(subscribers().at(-1)!.callbackUrl).pathname).toBe('/webhook-test/harness-webhook-id/webhook');
	await lifecycle('delete', staticData, {}, { mode: 'manual' });
	expect(subscribers().at(-1)!.enabled).toBe(false);
});

describe('deliveries are checked: Clara does not sign them, so the URL carries a token', () => {
	const deliver = (query: Record<string, string>, extra: IDataObject = {}) =>
		callWebhook({ nodeType: trigger, parameters: parameters(extra), request: { body: { event: 'PAYMENT_PAID', data: {} }, query } });

	test('without the token, or with a wrong one: 401 and nothing starts; the token is never echoed', async () => {
		for (const query of [{}, { token: 'tok-7f3a9c1e5b2d8e4f6a0d' }, { token: TOKEN.slice(0, -1) }, { token: `${TOKEN} ` }]) {
			const { result, response } = await deliver(query);
			expect(response).toMatchObject({ statusCode: 401, ended: true, body: { message: 'Missing or wrong token' } });
			expect(result.workflowData).toBeUndefined();
			expect(JSON.stringify(response.body)).not.toContain(TOKEN);
		}
		expect((await deliver({ token: TOKEN })).result.workflowData?.[0]).toHaveLength(1);
	});

	test('a token that resolves empty refuses every request, and says so', async () => {
		for (const secretToken of ['', '   ', '={{ "" }}', '={{ [].join("") }}']) {
			const { result, response } = await deliver({ token: '' }, { secretToken });
			expect(response.statusCode).toBe(401);
			expect(response.body).toEqual({ message: expect.stringMatching(/Secret Token is empty, so it refuses every request/) });
			expect(result.workflowData).toBeUndefined();
		}
	});

	test('"None" accepts any request; a body that is not an object is passed on, not dropped', async () => {
		expect((await deliver({}, { verification: 'none' })).result.workflowData?.[0]).toHaveLength(1);
		const text = await callWebhook({ nodeType: trigger, parameters: parameters({ verification: 'none' }), request: { body: 'plain text event', headers: { 'content-type': 'text/plain' } } });
		expect(text.result.workflowData?.[0].map((i) => i.json)).toEqual([{ body: 'plain text event' }]);
	});

	test('through the sandbox: a delivery to a URL with the wrong token is refused (401)', async () => {
		const staticData: IDataObject = {};
		await activate(staticData);
		const mine = subscribers().at(-1)!;
		deliveryParameters = { secretToken: 'another-token-0123456789' };
		const delivered = await sandbox.clara.deliver('PAYMENT_PAID');
		expect(delivered.filter((d) => d.callbackUrl === mine.callbackUrl).map((d) => d.status)).toEqual([401]);
		expect(fired).toEqual([]);
		await lifecycle('delete', staticData);
	});
});

describe('the default token: derived from the credential, never stored', () => {
	const derived = (extra: IDataObject = {}) => ({ ...parameters(extra), verification: 'derived', secretToken: undefined });
	const expected = () => derivedToken(sandbox.clara.clientSecret, 'harness-webhook-id');
	const deliver = (query: Record<string, string>, creds: IDataObject = claraCredentials(sandbox, { environment: 'production' })) =>
		callWebhook({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), request: { body: { event: 'PAYMENT_PAID' }, query } });

	test('activation puts the derived token in the URL given to Clara; only that token is accepted', async () => {
		leaks.watch(expected());
		const staticData: IDataObject = {};
		const creds = claraCredentials(sandbox, { environment: 'production' });
		await runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), method: 'create', staticData, webhookBaseUrl: `${base}/webhook` });
		const mine = subscribers().at(-1)!;
		expect(new URL(mine.callbackUrl).searchParams.get('token')).toBe(expected());
		expect(expected()).toMatch(/^[0-9a-f]{40}$/);
		expect(JSON.stringify(staticData)).not.toContain(expected());
		const ok = await deliver({ token: expected() });
		leaks.collect(ok.response, ok.result);
		expect(ok.result.workflowData?.[0]).toHaveLength(1);
		expect((await deliver({ token: derivedToken('another-secret', 'harness-webhook-id') })).response.statusCode).toBe(401);
		expect((await deliver({})).response.statusCode).toBe(401);
		await runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), method: 'delete', staticData, webhookBaseUrl: `${base}/webhook` });
		expect(mine.enabled).toBe(false);
	});

	test('a credential without its client secret: no token can be derived, so every request is refused (and activation too)', async () => {
		const noSecret = claraCredentials(sandbox, { environment: 'production', clientSecret: '' });
		const { response, result } = await deliver({ token: derivedToken('', 'harness-webhook-id') }, noSecret);
		expect(response).toMatchObject({ statusCode: 401, body: { message: expect.stringMatching(/cannot derive its token/) } });
		expect(result.workflowData).toBeUndefined();
		await expect(
			runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: noSecret }, parameters: derived(), method: 'create', staticData: {}, webhookBaseUrl: `${base}/webhook` }),
		).rejects.toThrow(/No token can be derived: the credential has no client secret/);
		expect(sandbox.clara.counters.requests).toBe(0);
	});
});

describe('activation refuses what cannot work, before anything is sent', () => {
	test.each([
		['an empty token', { secretToken: '' }, /The Secret Token is empty/],
		['a short token', { secretToken: 'short-token' }, /The Secret Token is too short \(11 characters\)/],
		['no event', { events: [], otherEvents: '' }, /No event is selected/],
		['a made-up event name', { otherEvents: 'PAYMENT_PAID, payment paid' }, /Other Events: "payment paid" is not a Clara event name/],
	])('%s', async (_name, extra, message) => {
		await expect(lifecycle('create', {}, extra)).rejects.toThrow(message);
		expect(sandbox.clara.counters.requests).toBe(0);
	});

	test('a credential whose Base URL Override is http: refused, naming the field; nothing sent anywhere', async () => {
		const plainHits: string[] = [];
		const plain = createServer((req, res) => {
			plainHits.push(String(req.url));
			res.end('{}');
		});
		await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
		try {
			const creds = claraCredentials(sandbox, { baseUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/{country}` });
			await expect(
				runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: parameters(), method: 'create', staticData: {}, webhookBaseUrl: `${base}/webhook` }),
			).rejects.toThrow(/Base URL Override .* is not an https:\/\/ address/);
			expect(plainHits).toEqual([]);
		} finally {
			await new Promise((r) => plain.close(r));
		}
	});

	test('an http webhook URL that is not on this machine (the token would travel in clear)', async () => {
		await expect(lifecycle('create', {}, {}, { webhookBaseUrl: 'http://n8n.example.com/webhook' })).rejects.toThrow(/n8n's webhook URL http:\/\/n8n.example.com is not https/);
		expect(sandbox.clara.counters.requests).toBe(0);
	});
});

describe("Clara's answers to the subscriber calls", () => {
	test('without webhook access: 403, said in words, and nothing registered', async () => {
		sandbox.clara.grants.delete('webhooks');
		const before = subscribers().length;
		await expect(lifecycle('create', {})).rejects.toThrow(/Clara refused the Create Subscriber \(HTTP 403\): the API project lacks the Webhooks permission/);
		expect(subscribers()).toHaveLength(before);
	});

	test('no clear answer to the create (a 500 or a dropped connection): sent once, may have taken effect', async () => {
		for (const fault of [() => sandbox.clara.faults.fail(1, 500, { pathPrefix: '/mx/api/v1/subscribers' }), () => sandbox.clara.faults.reset(1, '/mx/api/v1/subscribers')]) {
			sandbox.clara.resetCounters();
			fault();
			const error = await lifecycle('create', {}).catch((e: Error & { description?: string }) => e);
			expect(error).toBeInstanceOf(Error);
			expect((error as Error).message).toMatch(/Clara gave no clear answer to the Create Subscriber .*may have taken effect/);
			expect((error as { description?: string }).description).toMatch(/ask Clara to remove the extra subscriber/);
			expect(posts('/api/v1/subscribers')).toBe(1);
		}
	});

	test('an answer without a uuid is an error (the subscriber could not be disabled later), not a silent success', async () => {
		sandbox.clara.faults.fail(1, 201, { pathPrefix: '/mx/api/v1/subscribers', body: { name: 'x' } });
		const staticData: IDataObject = {};
		await expect(lifecycle('create', staticData)).rejects.toThrow(/carries no uuid/);
		expect((staticData['node:Trigger'] as IDataObject | undefined)?.subscribers ?? {}).toEqual({});
	});

	test('deactivation is repeatable: a dropped connection is retried', async () => {
		const staticData: IDataObject = {};
		await activate(staticData);
		const mine = subscribers().at(-1)!;
		sandbox.clara.faults.reset(1, `/mx/api/v1/subscribers/${mine.uuid}`);
		await lifecycle('delete', staticData);
		expect(mine.enabled).toBe(false);
	});
});

test('no secret, token, private key or the delivery token appears in anything the trigger output, answered or logged', () => {
	leaks.watch(...sandbox.clara.issuedTokens(), TOKEN);
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
