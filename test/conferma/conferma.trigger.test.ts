/**
 * The Conferma Pay Trigger in n8n's webhook context. The last test has the sandbox itself send the notification over
 * HTTP to a local server that hands the request to the trigger, as n8n's web server does.
 */
import { createServer, type Server } from 'http';
import type { IDataObject } from 'n8n-workflow';
import { ConfermaPayTrigger } from '../../nodes/ConfermaPay/ConfermaPayTrigger.node';
import { startSandbox, type Sandbox } from '../../sandbox';
import { cardAuthorisation, type ConfermaNotification } from '../../sandbox/conferma';
import { callWebhook } from '../harness/n8n';

const trigger = new ConfermaPayTrigger();
let sandbox: Sandbox<'conferma'>;

const deliver = (body: unknown, parameters: IDataObject = {}, headers: Record<string, string> = {}) =>
	callWebhook({ nodeType: trigger, parameters: { events: ['98'], otherEventIds: '', options: {}, ...parameters }, request: { body, headers } });

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['conferma'] });
});
afterAll(() => sandbox.close());

test('a card authorisation (event 98) starts the workflow with the notification', async () => {
	const notification = cardAuthorisation('100001');
	const { result } = await deliver(notification);
	expect(result.workflowData?.[0].map((i) => i.json)).toEqual([notification]);
});

test('another event type is acknowledged and starts nothing, unless chosen by id or "Any Event"', async () => {
	const other = cardAuthorisation('100001', { notificationEventType: { id: 12, name: 'Deployment Amended' } });
	const ignored = await deliver(other);
	expect(ignored.result.workflowData).toBeUndefined();
	expect(ignored.result.webhookResponse).toEqual({ received: true, ignored: 'event type 12 is not selected in this trigger' });
	expect((await deliver(other, { otherEventIds: '40, 12' })).result.workflowData?.[0]).toHaveLength(1);
	expect((await deliver(other, { events: ['*'] })).result.workflowData?.[0]).toHaveLength(1);
});

test('a body that is not a Conferma notification gets 400 and starts nothing', async () => {
	const { result, response } = await deliver({ hello: 'world' });
	expect(result.workflowData).toBeUndefined();
	expect(response).toMatchObject({ statusCode: 400, ended: true, body: { message: expect.stringMatching(/notificationEventType\.id is missing or not an integer/) } });
});

test('contract: webhook-payload — ids are taken only as the integers Conferma documents', async () => {
	const good = cardAuthorisation(100001);
	expect(Number.isInteger(good.version) && Number.isInteger(good.notificationMessageID)).toBe(true);
	expect((await deliver(good)).result.workflowData?.[0]).toHaveLength(1);
	const cases: Array<[string, Partial<ConfermaNotification> | IDataObject, RegExp]> = [
		['event id as text', { notificationEventType: { id: '98', name: 'Card Authorisation Activity' } }, /notificationEventType\.id is missing or not an integer/],
		['event id with decimals', { notificationEventType: { id: 98.5, name: 'x' } }, /notificationEventType\.id/],
		['event id missing', { notificationEventType: { name: 'Card Authorisation Activity' } }, /notificationEventType\.id/],
		['message id as hex text', { notificationMessageID: 'a1b2c3d4' }, /notificationMessageID is missing or not an integer/],
		['message id as digits in text', { notificationMessageID: '123456' }, /notificationMessageID/],
		['message id missing', { notificationMessageID: undefined }, /notificationMessageID/],
		['version as text', { version: '1.0' }, /version is not an integer/],
	];
	for (const [name, override, said] of cases) {
		const { result, response } = await deliver(JSON.parse(JSON.stringify({ ...good, ...override })));
		expect({ name, started: result.workflowData !== undefined, status: response.statusCode }).toEqual({ name, started: false, status: 400 });
		expect((response.body as IDataObject).message).toMatch(said);
	}
});

test('fails closed: a header name with an empty value (typed or from an expression) refuses every request with 500', async () => {
	for (const headerValue of ['', '={{ "" }}', '={{ ["", " "][0] }}']) {
		const options = { options: { headerName: 'X-Conferma-Secret', headerValue } };
		for (const headers of [{}, { 'x-conferma-secret': '' }, { 'x-conferma-secret': 'anything' }] as Array<Record<string, string>>) {
			const { result, response } = await deliver(cardAuthorisation('1'), options, headers);
			expect(result.workflowData).toBeUndefined();
			expect(response).toMatchObject({ statusCode: 500, body: { message: expect.stringMatching(/Required Header Value is empty, so it refuses every request: set it in the node/) } });
		}
	}
	const noName = await deliver(cardAuthorisation('1'), { options: { headerName: ' ', headerValue: 'hook-secret-4711' } }, { 'x-conferma-secret': 'hook-secret-4711' });
	expect(noName.result.workflowData).toBeUndefined();
	expect(noName.response).toMatchObject({ statusCode: 500, body: { message: expect.stringMatching(/Required Header Name is empty/) } });
	expect(JSON.stringify(noName.response.body)).not.toContain('hook-secret');
});

test('Other Event Type IDs that are not whole numbers refuse every request (500), naming the field', async () => {
	const { result, response } = await deliver(cardAuthorisation('1'), { otherEventIds: '12, twelve' });
	expect(result.workflowData).toBeUndefined();
	expect(response).toMatchObject({ statusCode: 500, body: { message: expect.stringMatching(/Other Event Type IDs has "twelve", which is not a whole number/) } });
});

test('with a required header, a request without the right value gets 401 and starts nothing; the value is never echoed', async () => {
	const options = { options: { headerName: 'X-Conferma-Secret', headerValue: 'hook-secret-4711' } };
	const missing = await deliver(cardAuthorisation('1'), options);
	expect(missing.response.statusCode).toBe(401);
	expect(missing.result.workflowData).toBeUndefined();
	const wrong = await deliver(cardAuthorisation('1'), options, { 'x-conferma-secret': 'hook-secret-4712' });
	expect(wrong.response.statusCode).toBe(401);
	expect(JSON.stringify(wrong.response.body)).not.toContain('hook-secret');
	const right = await deliver(cardAuthorisation('1'), options, { 'x-conferma-secret': 'hook-secret-4711' });
	expect(right.result.workflowData?.[0]).toHaveLength(1);
});

test("contract: webhook-delivery — the sandbox's notification sender reaches the trigger over HTTP: 98 fires, 12 is acknowledged only", async () => {
	const fired: IDataObject[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const { result, response } = await deliver(Buffer.concat(chunks), {}, { 'content-type': String(req.headers['content-type']) });
			for (const item of result.workflowData?.[0] ?? []) fired.push(item.json);
			res.writeHead(response.ended ? response.statusCode : 200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(response.ended ? response.body : result.webhookResponse ?? { message: 'Workflow was started' }));
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhook/conferma`;
	try {
		const card = await sandbox.conferma.notify(url, cardAuthorisation('100007'));
		const other = await sandbox.conferma.notify(url, cardAuthorisation('100007', { notificationEventType: { id: 12, name: 'Other' } }));
		expect(card.status).toBe(200);
		expect(other).toMatchObject({ status: 200, body: expect.stringMatching(/not selected/) });
		expect(fired).toHaveLength(1);
		expect(fired[0]).toMatchObject({ version: 1, notificationMessageID: expect.any(Number), notificationEventType: { id: 98 }, content: { deploymentId: 100007 } });
	} finally {
		server.close();
	}
});

describe('a repeated delivery (same notificationMessageID) starts no second execution', () => {
	/** Deliveries to one trigger, its static data carried from call to call as n8n saves it between them. */
	function trigger(mode?: 'manual') {
		let staticData: IDataObject = {};
		return async (body: unknown, headers: Record<string, string> = {}, parameters: IDataObject = {}) => {
			const call = await callWebhook({ nodeType: new ConfermaPayTrigger(), parameters: { events: ['98'], otherEventIds: '', options: {}, ...parameters }, request: { body, headers }, staticData, mode });
			staticData = call.staticData;
			return { started: call.result.workflowData?.[0].length ?? 0, answer: call.result.webhookResponse ?? call.response.body, staticData };
		};
	}
	const seenIds = (staticData: IDataObject) => Object.keys(((Object.values(staticData)[0] ?? {}) as { seen?: IDataObject }).seen ?? {});

	test('the first delivery starts the workflow; a retry of it is answered 200 and starts nothing; a new one starts', async () => {
		const send = trigger();
		const first = cardAuthorisation('100001');
		expect((await send(first)).started).toBe(1);
		const again = await send(first);
		expect(again.started).toBe(0);
		expect(again.answer).toEqual({ received: true, duplicate: expect.stringMatching(new RegExp(`^notification ${first.notificationMessageID} was already received at .*; no new execution was started$`)) });
		expect((await send(cardAuthorisation('100001'))).started).toBe(1);
	});

	test('bounds: at most 1,000 ids, each kept 48 hours; beyond them a repeat starts the workflow again', async () => {
		const now = Date.now();
		const old = cardAuthorisation('100001');
		const seen = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [String(9_000_000 + i), now - 60_000 + i]));
		seen[String(old.notificationMessageID)] = now - 49 * 3_600_000;
		const send = trigger();
		// n8n keeps a node's static data under "node:<name>".
		const primed = await send(cardAuthorisation('100001', { notificationMessageID: 1 }));
		const key = Object.keys(primed.staticData)[0];
		(primed.staticData[key] as IDataObject).seen = seen;
		const res = await send(old);
		expect(res.started).toBe(1);
		const ids = seenIds(res.staticData);
		expect(ids).toHaveLength(1_000);
		expect(ids).toContain(String(old.notificationMessageID));
		// The oldest of the 1,000 made room for it; the newest are still held back.
		expect(ids).not.toContain('9000000');
		expect((await send(cardAuthorisation('1', { notificationMessageID: 9_000_999 }))).started).toBe(0);
	});

	test('a request refused for a wrong secret or a bad body does not mark its id as seen', async () => {
		const send = trigger();
		const options = { options: { headerName: 'X-Conferma-Secret', headerValue: 'hook-secret-4711' } };
		const notification = cardAuthorisation('100002');
		expect((await send(notification, { 'x-conferma-secret': 'wrong-secret-0000' }, options)).started).toBe(0);
		expect((await send({ ...notification, version: '1.0' }, { 'x-conferma-secret': 'hook-secret-4711' }, options)).started).toBe(0);
		expect((await send(notification, { 'x-conferma-secret': 'hook-secret-4711' }, options)).started).toBe(1);
		expect((await send(notification, { 'x-conferma-secret': 'hook-secret-4711' }, options)).started).toBe(0);
	});
});

test('while building (a test event, the editor listening) the same sample can be sent again; live, it cannot', async () => {
	let staticData: IDataObject = {};
	const sample = cardAuthorisation('100003');
	const send = async (mode?: 'manual') => {
		const call = await callWebhook({ nodeType: trigger, parameters: { events: ['98'], otherEventIds: '', options: {} }, request: { body: sample }, staticData, mode });
		staticData = call.staticData;
		return call.result.workflowData?.[0].length ?? 0;
	};
	expect([await send('manual'), await send('manual'), await send(), await send()]).toEqual([1, 1, 1, 0]);
});

test('an accepted delivery is answered {"received": true}, not n8n\'s default body "firstEntryJson"', async () => {
	const [webhook] = trigger.description.webhooks!;
	// n8n evaluates the declared responseData as an expression of the trigger node (webhook-helpers: onReceived).
	const { workflow, node } = await (async () => {
		const { Workflow } = await import('n8n-workflow');
		const wf = new Workflow({ nodes: [{ id: '1', name: 'Trigger', type: 'n8n-nodes-fintech-identity.confermaPayTrigger', typeVersion: 1, position: [0, 0], parameters: {} }], connections: {}, active: false, nodeTypes: { getByName: () => trigger, getByNameAndVersion: () => trigger, getKnownTypes: () => ({}) } as never });
		return { workflow: wf, node: wf.getNode('Trigger')! };
	})();
	expect(webhook.responseData).toBeDefined();
	expect(workflow.expression.getComplexParameterValue(node, webhook.responseData, 'webhook', {})).toEqual({ received: true });
});

test('the editor\'s words: the Events option reads as a name, the notice names n8n 2.41\'s buttons', () => {
	const props = trigger.description.properties;
	const events = props.find((p) => p.name === 'events')!;
	expect(events.options?.map((o) => (o as { name: string }).name)).toEqual(['Card authorisation (event 98)', 'Any Event']);
	const notice = props.find((p) => p.name === 'notice')!.displayName;
	expect(notice).toMatch(/Production URL \(under Webhook URLs\)/);
	expect(notice).toMatch(/Execute step/);
	expect(notice).not.toMatch(/\(above\)|"Listen for test event" is on/);
});
