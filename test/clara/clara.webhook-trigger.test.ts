/**
 * The Clara Webhook Trigger in n8n's engine: its subscriber lifecycle run as n8n's WebhookService runs it
 * (checkExists → create on activation, delete on deactivation, through n8n-core's HookContext) against the sandbox
 * over mTLS, and deliveries that the sandbox itself POSTs over HTTP to a local server handing each request to the
 * trigger's webhook() and answering as n8n's web server does. See sandbox/contracts/clara.md "## Webhook subscribers".
 */
import { randomUUID } from 'crypto';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Workflow, type IDataObject, type IWebhookResponseData } from 'n8n-workflow';
import { ClaraWebhookTrigger, derivedToken } from '../../nodes/Clara/ClaraWebhookTrigger.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { Clara, readCredentials } from '../../nodes/Clara/transport';
import { callApi, closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { ALL_GRANTS } from '../../sandbox/clara-writes';
import { claraCredentials } from '../../sandbox/credentials';
import { callWebhook, runWebhookMethod, type WebhookResponse } from '../harness/n8n';
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
/** The workflow's static data as n8n keeps it between deliveries (saved after each answer). */
let deliveryStaticData: IDataObject = {};

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
const HOOK_PATH = '/webhook/harness-webhook-id/webhook';
/** Clara's subscribers for the trigger's production URL. */
const mine = () => subscribers().filter((s) => new URL(s.callbackUrl).pathname === HOOK_PATH);

/**
 * What n8n's web server sends back for a delivery, from what webhook() returned, as n8n 2.41.1 does for a webhook
 * that answers on receipt (packages/cli/src/webhooks/webhook-helpers.ts, webhook-on-received-response-extractor.ts,
 * webhook-request-handler.ts): what the node wrote itself if it did; with no workflowData, webhookResponse; else the
 * description's `responseData` (n8n's default 'firstEntryJson') unless it is 'noData' or empty, then webhookResponse,
 * then {message: "Workflow was started"}. Express sends a string as text/html and anything else as JSON.
 */
function n8nAnswer(result: IWebhookResponseData, response: WebhookResponse): { status: number; contentType: string; body: string } {
	if (response.ended) return { status: response.statusCode, contentType: response.headers['content-type'] ?? 'application/json', body: JSON.stringify(response.body) };
	// A plain value here (not an expression), which n8n's getComplexParameterValue returns as it is.
	const responseData = trigger.description.webhooks?.[0].responseData ?? 'firstEntryJson';
	const body: unknown =
		result.workflowData === undefined
			? (result.webhookResponse ?? { message: 'Webhook call received' })
			: responseData === 'noData'
				? undefined
				: responseData || (result.webhookResponse ?? { message: 'Workflow was started' });
	return typeof body === 'string'
		? { status: 200, contentType: 'text/html; charset=utf-8', body }
		: { status: 200, contentType: 'application/json; charset=utf-8', body: body === undefined ? '' : JSON.stringify(body) };
}

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
				staticData: deliveryStaticData,
				request: { body: Buffer.concat(chunks), headers: { 'content-type': String(req.headers['content-type']) }, query: Object.fromEntries(url.searchParams) },
			});
			leaks.collect(response, result);
			for (const item of result.workflowData?.[0] ?? []) fired.push(item.json);
			const answer = n8nAnswer(result, response);
			res.writeHead(answer.status, { 'content-type': answer.contentType });
			res.end(answer.body);
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
	deliveryStaticData = {};
	fired.length = 0;
	for (const key of Object.keys(sandbox.clara.subscriberKnobs) as Array<keyof typeof sandbox.clara.subscriberKnobs>) delete sandbox.clara.subscriberKnobs[key];
});

test('activate → one subscriber at Clara → a delivered event starts the workflow → deactivate deletes it → reactivate registers one again', async () => {
	const staticData: IDataObject = {};
	expect(mine()).toEqual([]);
	expect(await activate(staticData)).toBe(false); // none for this URL yet: n8n then calls create
	expect(mine()).toHaveLength(1);
	const [first] = mine();
	expect(first).toMatchObject({ enabled: true, events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_CREATED'], name: expect.stringMatching(/^n8n: /) });
	const callback = new URL(first.callbackUrl);
	expect(`${callback.origin}${callback.pathname}`).toBe(`${base}${HOOK_PATH}`);
	expect(callback.searchParams.get('token')).toBe(TOKEN);
	expect(JSON.stringify(staticData)).not.toContain(TOKEN);

	const delivered = await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-1', amount: 1200.5, currency: 'MXN' });
	expect(delivered.map((d) => d.status)).toEqual([200]);
	expect(fired).toEqual([expect.objectContaining({ event: 'PAYMENT_PAID', data: { paymentUuid: 'pay-1', amount: 1200.5, currency: 'MXN' } })]);
	expect(await sandbox.clara.deliver('CARD_CREATION_REQUEST_ERROR')).toEqual([]); // not subscribed: Clara sends nothing

	await lifecycle('delete', staticData);
	expect(mine()).toEqual([]); // deleted, not merely disabled
	expect(await sandbox.clara.deliver('PAYMENT_PAID')).toEqual([]);
	expect(fired).toHaveLength(1);

	// Reactivation with other events: one subscriber again, with the new list.
	await activate(staticData, { events: ['CARD_CREATION_REQUEST_ERROR'], otherEvents: 'CARD_LOCKED' });
	expect(mine()).toEqual([expect.objectContaining({ enabled: true, events: ['CARD_CREATION_REQUEST_ERROR', 'CARD_LOCKED'] })]);
	await lifecycle('delete', staticData);
	expect(mine()).toEqual([]);
});

describe('never two subscribers for one URL', () => {
	test('a restart (activation again, nothing known): the one Clara has is found by its URL, updated and reused; nothing registered', async () => {
		await activate({});
		const [existing] = mine();
		sandbox.clara.resetCounters();
		// n8n restarted, or the workflow was imported elsewhere: no static data at all.
		expect(await activate({}, { events: ['PAYMENT_PAID'] })).toBe(true);
		expect(mine()).toEqual([expect.objectContaining({ uuid: existing.uuid, enabled: true, events: ['PAYMENT_PAID'] })]);
		expect(posts('/api/v1/subscribers')).toBe(0);
		await lifecycle('delete', {});
	});

	test('the record of an earlier version (a uuid Clara does not know) is dropped, and the URL\'s own subscriber reused', async () => {
		await activate({});
		const [existing] = mine();
		const url = `${base}${HOOK_PATH}`;
		const staticData: IDataObject = { 'node:Trigger': { subscribers: { [url]: { uuid: '5a0e4c1d-0000-4000-a000-000000000000', enabled: true } } } };
		expect(await activate(staticData)).toBe(true);
		expect(mine().map((s) => s.uuid)).toEqual([existing.uuid]);
		expect(staticData['node:Trigger']).toEqual({});
		await lifecycle('delete', staticData);
		expect(mine()).toEqual([]);
	});

	test('three subscribers already there for the URL (left by an older version; other tokens, one disabled): one is kept, with the current token and enabled; the others deleted', async () => {
		const clara = new Clara(readCredentials(claraCredentials(sandbox, { environment: 'production' })));
		const register = (token: string, enabled: boolean) =>
			callApi(clara.client, { method: 'POST', url: clara.apiUrl('/v1/subscribers'), json: { name: 'left over', callbackUrl: `${base}${HOOK_PATH}?token=${token}`, events: ['PAYMENT_PAID'], enabled } });
		await register('an-older-token-0123456789', true);
		await register('another-old-token-0123456', false);
		await register(TOKEN, true);
		const other = await callApi(clara.client, { method: 'POST', url: clara.apiUrl('/v1/subscribers'), json: { name: 'someone else', callbackUrl: `${base}/elsewhere`, events: ['PAYMENT_PAID'] } });
		expect(mine()).toHaveLength(3);
		sandbox.clara.resetCounters();
		expect(await activate({})).toBe(true);
		expect(mine()).toEqual([expect.objectContaining({ enabled: true, callbackUrl: `${base}${HOOK_PATH}?token=${TOKEN}`, events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_CREATED'] })]);
		expect(posts('/api/v1/subscribers')).toBe(0);
		expect(posts('/api/v1/subscribers/', 'DELETE')).toBe(2);
		// Each event arrives once.
		await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-once' });
		expect(fired.filter((e) => (e.data as IDataObject)?.paymentUuid === 'pay-once')).toHaveLength(1);
		await lifecycle('delete', {});
		expect(mine()).toEqual([]);
		expect(subscribers().some((s) => s.uuid === (other.body as IDataObject).uuid)).toBe(true); // not ours: untouched
		await callApi(clara.client, { method: 'DELETE', url: clara.apiUrl(`/v1/subscribers/${String((other.body as IDataObject).uuid)}`) });
	});
});

test('the editor\'s "Listen for test event" registers the test URL, and stopping deletes it', async () => {
	const staticData: IDataObject = {};
	await lifecycle('create', staticData, {}, { mode: 'manual' });
	const test = subscribers().filter((s) => new URL(s.callbackUrl).pathname === '/webhook-test/harness-webhook-id/webhook');
	expect(test).toHaveLength(1);
	await lifecycle('delete', staticData, {}, { mode: 'manual' });
	expect(subscribers().some((s) => s.uuid === test[0].uuid)).toBe(false);
});

describe('deliveries are checked: Clara does not sign them, so the URL carries a token', () => {
	const deliver = (query: Record<string, string>, extra: IDataObject = {}) =>
		callWebhook({ nodeType: trigger, parameters: parameters(extra), request: { body: { event: 'PAYMENT_PAID', eventId: randomUUID(), data: {} }, query } });

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
		const [registered] = mine();
		deliveryParameters = { secretToken: 'another-token-0123456789' };
		const delivered = await sandbox.clara.deliver('PAYMENT_PAID');
		expect(delivered.filter((d) => d.callbackUrl === registered.callbackUrl).map((d) => d.status)).toEqual([401]);
		expect(fired).toEqual([]);
		await lifecycle('delete', staticData);
	});
});

describe('the default token: derived from the credential, never stored', () => {
	const derived = (extra: IDataObject = {}) => ({ ...parameters(extra), verification: 'derived', secretToken: undefined });
	const expected = () => derivedToken(sandbox.clara.clientSecret, 'harness-webhook-id');
	const deliver = (query: Record<string, string>, creds: IDataObject = claraCredentials(sandbox, { environment: 'production' })) =>
		callWebhook({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), request: { body: { event: 'PAYMENT_PAID', eventId: randomUUID() }, query } });

	test('activation puts the derived token in the URL given to Clara; only that token is accepted', async () => {
		leaks.watch(expected());
		const staticData: IDataObject = {};
		const creds = claraCredentials(sandbox, { environment: 'production' });
		await runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), method: 'create', staticData, webhookBaseUrl: `${base}/webhook` });
		const [registered] = mine();
		expect(new URL(registered.callbackUrl).searchParams.get('token')).toBe(expected());
		expect(expected()).toMatch(/^[0-9a-f]{40}$/);
		expect(JSON.stringify(staticData)).not.toContain(expected());
		const ok = await deliver({ token: expected() });
		leaks.collect(ok.response, ok.result);
		expect(ok.result.workflowData?.[0]).toHaveLength(1);
		expect((await deliver({ token: derivedToken('another-secret', 'harness-webhook-id') })).response.statusCode).toBe(401);
		expect((await deliver({})).response.statusCode).toBe(401);
		await runWebhookMethod({ nodeType: trigger, credentialTypes: [new ClaraApi()], credentials: { claraApi: creds }, parameters: derived(), method: 'delete', staticData, webhookBaseUrl: `${base}/webhook` });
		expect(mine()).toEqual([]);
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
		await expect(lifecycle('create', {})).rejects.toThrow(/Clara refused the List Subscribers \(HTTP 403\): the API project lacks the Webhooks permission/);
		expect(subscribers()).toHaveLength(before);
		expect(posts('/api/v1/subscribers')).toBe(0);
	});

	test('a list that cannot be read: an error, and nothing registered (the guard against a second subscriber fails closed)', async () => {
		for (const body of [{ subscribers: [] }, 'not a list']) {
			sandbox.clara.resetCounters();
			sandbox.clara.faults.fail(1, 200, { pathPrefix: '/mx/api/v1/subscribers', method: 'GET', body });
			await expect(lifecycle('create', {})).rejects.toThrow(/Clara answered a list request with .*which is not a list this node can read/);
			expect(posts('/api/v1/subscribers')).toBe(0);
		}
		expect(mine()).toEqual([]);
	});

	test('no clear answer to the create (a 500 or a dropped connection): sent once, may have taken effect, and activating again reuses what Clara made', async () => {
		for (const fault of [
			() => sandbox.clara.faults.fail(1, 500, { pathPrefix: '/mx/api/v1/subscribers', method: 'POST' }),
			() => sandbox.clara.faults.reset(1, '/mx/api/v1/subscribers', 'POST'),
		]) {
			sandbox.clara.resetCounters();
			fault();
			const error = await lifecycle('create', {}).catch((e: Error & { description?: string }) => e);
			expect(error).toBeInstanceOf(Error);
			expect((error as Error).message).toMatch(/Clara gave no clear answer to the Create Subscriber .*may have taken effect/);
			expect((error as { description?: string }).description).toMatch(/Publish the workflow again: the trigger then finds a subscriber Clara registered for this URL and reuses it/);
			expect(posts('/api/v1/subscribers')).toBe(1);
		}
		await activate({});
		expect(mine()).toHaveLength(1);
		await lifecycle('delete', {});
	});

	test('an answer without a uuid is no problem: deactivation finds the subscriber by its URL', async () => {
		sandbox.clara.faults.fail(1, 201, { pathPrefix: '/mx/api/v1/subscribers', method: 'POST', body: { name: 'x' } });
		await activate({});
		expect(mine()).toEqual([]); // the fault answered instead of the emulator: register one as Clara would have
		await activate({});
		expect(mine()).toHaveLength(1);
		await lifecycle('delete', {});
		expect(mine()).toEqual([]);
	});

	test('deactivation is repeatable: a dropped connection is retried', async () => {
		await activate({});
		const [registered] = mine();
		sandbox.clara.faults.reset(1, `/mx/api/v1/subscribers/${registered.uuid}`, 'DELETE');
		await lifecycle('delete', {});
		expect(mine()).toEqual([]);
	});

	test('a delete Clara refuses: the subscriber is disabled instead, and n8n\'s log says so', async () => {
		await activate({});
		const [registered] = mine();
		for (const status of [403, 405]) {
			sandbox.clara.subscriberKnobs.refuseDelete = status;
			const { logs } = await lifecycle('delete', {});
			expect(mine()).toEqual([expect.objectContaining({ uuid: registered.uuid, enabled: false })]);
			expect(logs.join('\n')).toContain(`Clara refused to delete webhook subscriber ${registered.uuid} (HTTP ${status}), so the Clara Webhook Trigger disabled it instead`);
			expect(await sandbox.clara.deliver('PAYMENT_PAID')).toEqual([]);
			// Published again: the disabled one is enabled and reused, not joined by a second.
			await activate({});
			expect(mine()).toEqual([expect.objectContaining({ uuid: registered.uuid, enabled: true })]);
		}
		sandbox.clara.subscriberKnobs.refuseDelete = undefined;
		await lifecycle('delete', {});
		expect(mine()).toEqual([]);
	});
});

describe('nothing secret in any message: Clara quoting the callback URL (token included) back', () => {
	for (const [verification, token] of [['token', () => TOKEN], ['derived', () => derivedToken(sandbox.clara.clientSecret, 'harness-webhook-id')]] as const) {
		test.each([
			['a 400 "callbackUrl … is not reachable"', 400 as const, /Clara rejected the Create Subscriber \(HTTP 400\): callbackUrl http:\/\/127\.0\.0\.1:\d+\/webhook\/harness-webhook-id\/webhook\?token=\[redacted\] is not reachable/],
			['an unclear 500 that echoes it', 500 as const, /Clara gave no clear answer to the Create Subscriber \(HTTP 500: "Unexpected error registering http:\/\/127\.0\.0\.1:\d+\/webhook\/harness-webhook-id\/webhook\?token=\[redacted\]"\)/],
		])(`${verification} token, on create: %s`, async (_name, status, message) => {
			sandbox.clara.subscriberKnobs.echoCallbackUrl = status;
			const error = (await lifecycle('create', {}, { verification }).catch((e: unknown) => e)) as Error & { description?: string };
			expect(error.message).toMatch(message);
			const everything = [error.message, error.description ?? '', JSON.stringify(error)].join('\n');
			expect(everything).not.toContain(token());
			expect(everything).toContain('[redacted]');
			leaks.watch(token());
			leaks.collect(error);
		});
	}

	test('on update (the subscriber exists, Clara refuses the change): the same', async () => {
		await activate({});
		sandbox.clara.subscriberKnobs.echoCallbackUrl = 400;
		const error = (await lifecycle('checkExists', {}).catch((e: unknown) => e)) as Error & { description?: string };
		expect(error.message).toMatch(/Clara rejected the Update Subscriber \(HTTP 400\): callbackUrl .*token=\[redacted\] is not reachable/);
		expect([error.message, error.description, JSON.stringify(error)].join('\n')).not.toContain(TOKEN);
		sandbox.clara.subscriberKnobs.echoCallbackUrl = undefined;
		await lifecycle('delete', {});
	});

	test('a token of one\'s own with characters a URL encodes is redacted in every spelling', async () => {
		const odd = 'tok en/with+odd&chars=1234';
		sandbox.clara.subscriberKnobs.echoCallbackUrl = 400;
		const error = (await lifecycle('create', {}, { secretToken: odd }).catch((e: unknown) => e)) as Error & { description?: string };
		const everything = [error.message, error.description, JSON.stringify(error)].join('\n');
		for (const spelling of [odd, encodeURIComponent(odd), new URLSearchParams({ t: odd }).toString().slice(2)]) expect(everything).not.toContain(spelling);
		expect(error.message).toContain('token=[redacted]');
	});
});

describe('at-least-once in, exactly-once out: a re-delivered event starts nothing', () => {
	test('through the sandbox: the same event id delivered again is answered 200 and starts no execution; a new one does', async () => {
		await activate({});
		const first = await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-dup' });
		expect(first.map((d) => [d.status, d.contentType, JSON.parse(d.body)])).toEqual([[200, 'application/json; charset=utf-8', { received: true }]]);
		const again = await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-dup' }, undefined, first[0].eventId);
		expect(again.map((d) => [d.status, d.contentType, JSON.parse(d.body)])).toEqual([[200, 'application/json; charset=utf-8', { received: true, duplicate: true }]]);
		expect(fired).toHaveLength(1);
		await sandbox.clara.deliver('PAYMENT_PAID', { paymentUuid: 'pay-dup' }); // a new event about the same payment
		expect(fired).toHaveLength(2);
		await lifecycle('delete', {});
	});

	const deliver = (body: unknown, staticData: IDataObject) =>
		callWebhook({ nodeType: trigger, parameters: parameters(), staticData, request: { body, query: { token: TOKEN } } });

	test('a body without an event id: a byte-identical repeat is a re-delivery', async () => {
		const staticData: IDataObject = {};
		const tag = randomUUID();
		expect((await deliver({ event: 'PAYMENT_PAID', data: { tag, n: 1 } }, staticData)).result.workflowData).toBeDefined();
		expect((await deliver({ event: 'PAYMENT_PAID', data: { tag, n: 1 } }, staticData)).result).toEqual({ webhookResponse: { received: true, duplicate: true } });
		expect((await deliver({ event: 'PAYMENT_PAID', data: { tag, n: 2 } }, staticData)).result.workflowData).toBeDefined();
	});

	test('a repeat is caught even when the static data lost the record (n8n\'s execution saves the copy it started with over it)', async () => {
		const id = randomUUID();
		expect((await deliver({ eventId: id }, {})).result.workflowData).toBeDefined();
		const overwritten: IDataObject = { 'node:Trigger': { seenEvents: {} } };
		expect((await deliver({ eventId: id }, overwritten)).result).toEqual({ webhookResponse: { received: true, duplicate: true } });
		// ... and the static data gets the record back.
		expect(Object.keys((overwritten['node:Trigger'] as { seenEvents: object }).seenEvents)).toContain(`id:${id}`);
	});

	test('the memory is bounded: at most 1000 deliveries, for at most 3 days', async () => {
		// Time is moved, not waited for: everything remembered by the tests above is older than 3 days from here.
		let now = Date.now() + 4 * 86_400_000;
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
		try {
			const staticData: IDataObject = {};
			const seen = () => (staticData['node:Trigger'] as { seenEvents: Record<string, number> }).seenEvents;
			await deliver({ eventId: 'e-0' }, staticData);
			expect((await deliver({ eventId: 'e-0' }, staticData)).result.workflowData).toBeUndefined();
			now += 3 * 86_400_000; // three days later: forgotten, so it runs again
			expect((await deliver({ eventId: 'e-0' }, staticData)).result.workflowData).toBeDefined();
			for (let i = 1; i <= 1000; i++) seen()[`id:e-${i}`] = now + i;
			now += 1001;
			await deliver({ eventId: 'e-1001' }, staticData);
			expect(Object.keys(seen())).toHaveLength(1000);
			expect(seen()['id:e-0']).toBeUndefined(); // the oldest went first
			expect(seen()['id:e-1']).toBeUndefined();
			expect((await deliver({ eventId: 'e-0' }, {})).result.workflowData).toBeDefined(); // not in memory either
			expect((await deliver({ eventId: 'e-1000' }, staticData)).result.workflowData).toBeUndefined();
		} finally {
			clock.mockRestore();
		}
	});
});

describe('in the editor', () => {
	/** The canvas subtitle for these parameters, through n8n-workflow's expression engine as the canvas evaluates it. */
	function subtitle(parameters: IDataObject): unknown {
		const node = { id: '1', name: 'Clara Webhook Trigger', type: 'x.claraWebhookTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: parameters as never };
		const nodeTypes = { getByName: () => trigger, getByNameAndVersion: () => trigger, getKnownTypes: () => ({}) };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as never });
		return workflow.expression.getSimpleParameterValue(node, trigger.description.subtitle, 'internal', {});
	}

	test('the canvas subtitle names the events (typed-in ones too), never the node\'s own name', () => {
		expect(subtitle({ events: ['PAYMENT_PAID'], otherEvents: '' })).toBe('Payment Paid');
		expect(subtitle({ events: ['PAYMENT_PAID'], otherEvents: 'CARD_LOCKED' })).toBe('Payment Paid, CARD_LOCKED');
		expect(subtitle({ events: [], otherEvents: ' CARD_LOCKED ' })).toBe('CARD_LOCKED');
		expect(subtitle({ events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_ERROR'], otherEvents: 'CARD_LOCKED, PAYMENT_PAID' })).toBe('3 events');
		expect(subtitle({ events: [], otherEvents: '' })).toBe('No event');
	});

	test('n8n lists it beside Clara as "Clara (Webhook)" (its name minus " Trigger"), and its panel names Clara and says "publish"', () => {
		const d = trigger.description;
		expect(d.name).toBe('claraWebhookTrigger'); // workflows reference the type: unchanged
		// n8n 2.41's nodes panel (subcategoriesMapper) and trigger panel (the service name) both drop " Trigger".
		expect(d.displayName.replace(' Trigger', '')).toBe('Clara (Webhook)');
		const panel = d.triggerPanel as { header: string; executionsHelp: Record<string, string>; activationHint: Record<string, string> };
		expect(panel.header).toBe('Pull in events from Clara');
		for (const text of [...Object.values(panel.executionsHelp), panel.activationHint.inactive]) expect(text).toMatch(/publish/);
		for (const text of [...Object.values(panel.executionsHelp), ...Object.values(panel.activationHint)]) {
			expect(text).toMatch(/Clara/);
			expect(text).not.toMatch(/activat|Clara Webhook|Listen for test event|Production URL/);
		}
	});
});

test('no secret, token, private key or the delivery token appears in anything the trigger output, answered or logged', () => {
	leaks.watch(...sandbox.clara.issuedTokens(), TOKEN);
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
