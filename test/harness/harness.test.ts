/**
 * Proves the harness with tiny node types defined here: everything below runs through n8n-core's engine.
 */
import { createHmac } from 'crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import {
	NodeOperationError,
	type ICredentialType,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { callWebhook, capturedLogs, createPoller, poll, runNode, runWorkflow } from './n8n';

// ----------------------------------------------------------------------------------------------------------------
// Test node types

class HarnessTestApi implements ICredentialType {
	name = 'harnessTestApi';
	displayName = 'Harness Test API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Region', name: 'region', type: 'string', default: 'eu-west' },
	];
	authenticate: ICredentialType['authenticate'] = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};
}

/** A session token fetched by preAuthentication (n8n runs it when the hidden `expirable` field is empty or after a 401). */
class HarnessSessionApi implements ICredentialType {
	name = 'harnessSessionApi';
	displayName = 'Harness Session API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Login URL', name: 'loginUrl', type: 'string', default: '' },
		{ displayName: 'Session', name: 'sessionToken', type: 'hidden', typeOptions: { expirable: true }, default: '' },
	];
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({ method: 'POST', url: credentials.loginUrl as string, json: true })) as { token: string };
		return { sessionToken: token };
	}
	authenticate: ICredentialType['authenticate'] = {
		type: 'generic',
		properties: { headers: { 'X-Session': '={{$credentials.sessionToken}}' } },
	};
}

const base = {
	group: ['transform'],
	version: 1,
	description: 'harness test node',
	defaults: { name: 'Echo' },
	inputs: ['main'],
	outputs: ['main'],
	credentials: [
		{ name: 'harnessTestApi', required: false },
		{ name: 'harnessSessionApi', required: false },
	],
} as const;

/** Echoes a parameter per item; fails on `failOn`; can log, count runs in static data, wait for the cancel signal, call a URL. */
class Echo implements INodeType {
	description = {
		...base,
		displayName: 'Echo',
		name: 'echo',
		properties: [
			{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			{ displayName: 'Fail On', name: 'failOn', type: 'string', default: '' },
			{ displayName: 'Throw Whole Node', name: 'throwAll', type: 'boolean', default: false },
			{ displayName: 'Wait For Cancel', name: 'waitForCancel', type: 'boolean', default: false },
			{ displayName: 'Call URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Call With', name: 'authWith', type: 'string', default: 'harnessTestApi' },
		],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const state = this.getWorkflowStaticData('node');
		state.runs = ((state.runs as number) ?? 0) + 1;
		if (this.getNodeParameter('throwAll', 0) as boolean) throw new NodeOperationError(this.getNode(), 'the whole node failed');
		if (this.getNodeParameter('waitForCancel', 0) as boolean) {
			const signal = this.getExecutionCancelSignal()!;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, 10_000);
				signal.addEventListener('abort', () => (clearTimeout(timer), resolve()));
			});
			return [[{ json: { aborted: signal.aborted }, pairedItem: { item: 0 } }]];
		}
		for (let i = 0; i < items.length; i++) {
			try {
				const value = this.getNodeParameter('value', i) as string;
				const failOn = this.getNodeParameter('failOn', i) as string;
				if (failOn && value === failOn) throw new NodeOperationError(this.getNode(), `bad value ${value}`, { itemIndex: i });
				let creds: IDataObject = {};
				try {
					creds = await this.getCredentials('harnessTestApi', i);
				} catch {
					// no credential given: fine for this node
				}
				this.logger.debug(`echo item ${i}`, { token: creds.token, value });
				const url = this.getNodeParameter('url', i) as string;
				const called = url ? await this.helpers.httpRequestWithAuthentication.call(this, this.getNodeParameter('authWith', i) as string, { url, json: true }) : undefined;
				out.push({ json: { value, index: i, region: creds.region ?? null, called }, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}

/** Counts polls in static data and emits the count on even polls only. Manual polls return a sample. */
class CountingPoll implements INodeType {
	description = {
		...base,
		displayName: 'Counting Poll',
		name: 'countingPoll',
		group: ['trigger'],
		polling: true,
		inputs: [],
		properties: [{ displayName: 'Prefix', name: 'prefix', type: 'string', default: 'poll' }],
	} as unknown as INodeTypeDescription;

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const prefix = this.getNodeParameter('prefix') as string;
		if (this.getMode() === 'manual') return [[{ json: { sample: true, prefix } }]];
		const state = this.getWorkflowStaticData('node');
		const polls = ((state.polls as number) ?? 0) + 1;
		state.polls = polls;
		this.logger.info(`poll ${polls}`);
		if (polls % 2 === 1) return null;
		return [[{ json: { polls, prefix } }]];
	}
}

/** Checks an HMAC over the raw body with the credential's token; answers 401 itself when it does not match. */
class SignedHook implements INodeType {
	description = {
		...base,
		displayName: 'Signed Hook',
		name: 'signedHook',
		group: ['trigger'],
		inputs: [],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'signed' }],
		properties: [],
	} as unknown as INodeTypeDescription;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const { token } = await this.getCredentials('harnessTestApi');
		const req = this.getRequestObject();
		const expected = createHmac('sha256', token as string).update(req.rawBody).digest('hex');
		if (this.getHeaderData()['x-signature'] !== expected) {
			this.getResponseObject().status(401).json({ message: 'bad signature' });
			return { noWebhookResponse: true };
		}
		const state = this.getWorkflowStaticData('node');
		state.received = ((state.received as number) ?? 0) + 1;
		return { workflowData: [this.helpers.returnJsonArray({ body: this.getBodyData(), url: this.getNodeWebhookUrl('default') ?? null })] };
	}
}

const creds = (token: string, extra: IDataObject = {}) => ({ harnessTestApi: { token, ...extra } });
const credentialTypes = [new HarnessTestApi()];

// ----------------------------------------------------------------------------------------------------------------

describe('runNode', () => {
	test('expressions resolve per item, pairedItem is kept, credential defaults are applied', async () => {
		const res = await runNode({
			nodeType: new Echo(),
			parameters: { value: '={{ $json.cpf }}-{{ $itemIndex }}' },
			items: [{ cpf: 'a' }, { cpf: 'b' }],
			credentials: creds('tok-1'),
			credentialTypes,
		});
		expect(res.error).toBeUndefined();
		expect(res.status).toBe('success');
		expect(res.items.map((i) => i.json)).toEqual([
			{ value: 'a-0', index: 0, region: 'eu-west', called: undefined },
			{ value: 'b-1', index: 1, region: 'eu-west', called: undefined },
		]);
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(res.runData.Items[0].data!.main[0]).toHaveLength(2);
	});

	test('continueOnFail: the failing item becomes an error item, the others are normal', async () => {
		const res = await runNode({
			nodeType: new Echo(),
			parameters: { value: '={{ $json.v }}', failOn: 'bad' },
			items: [{ v: 'x' }, { v: 'bad' }, { v: 'y' }],
			continueOnFail: true,
		});
		expect(res.error).toBeUndefined();
		expect(res.items.map((i) => i.json.value ?? i.json.error)).toEqual(['x', 'bad value bad', 'y']);
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('without continueOnFail a node error surfaces in `error` and stops the workflow', async () => {
		const failed = await runNode({ nodeType: new Echo(), parameters: { value: '={{ $json.v }}', failOn: 'bad' }, items: [{ v: 'x' }, { v: 'bad' }] });
		expect(failed.status).toBe('error');
		expect(failed.items).toEqual([]);
		// The engine keeps errors as plain copies ({ ...error, message, stack }), not class instances.
		expect(failed.error).toMatchObject({ name: 'NodeOperationError', message: 'bad value bad', context: { itemIndex: 1 } });
	});

	test('n8n 2.8: a node that throws as a whole under continueOnFail passes its INPUT items on, error recorded', async () => {
		const res = await runNode({ nodeType: new Echo(), parameters: { throwAll: true }, items: [{ cpf: 'in' }], continueOnFail: true });
		expect(res.items.map((i) => i.json)).toEqual([{ cpf: 'in' }]);
		expect(res.error).toMatchObject({ message: 'the whole node failed' });
		// Downstream nodes do run on those items; here the failing node is the last, so the run's status is 'error'.
		expect(res.status).toBe('error');
	});

	test("onError 'continueErrorOutput' routes failed items to the error output", async () => {
		const res = await runNode({
			nodeType: new Echo(),
			parameters: { value: '={{ $json.v }}', failOn: 'bad' },
			items: [{ v: 'x' }, { v: 'bad' }],
			onError: 'continueErrorOutput',
		});
		expect(res.outputs[0].map((i) => i.json.value)).toEqual(['x']);
		expect(res.outputs[1].map((i) => i.json.error)).toEqual(['bad value bad']);
	});

	test("every log line is captured, the engine's and the node's this.logger (debug included, with metadata)", async () => {
		const res = await runNode({ nodeType: new Echo(), parameters: { value: 'v' }, credentials: creds('secret-token-abc'), credentialTypes });
		expect(res.logs.some((l) => l.startsWith('debug Workflow execution started'))).toBe(true);
		expect(res.logs).toContainEqual(expect.stringMatching(/^debug echo item 0 .*"token":"secret-token-abc"/));
		expect(capturedLogs).toEqual(expect.arrayContaining(res.logs));
		// The point of capturing: a test can grep a run's every line for a secret (this node leaks on purpose).
		expect(res.logs.filter((l) => l.includes('secret-token-abc'))).toHaveLength(1);
	});

	test('static data persists across runs when the same object is passed', async () => {
		const staticData: IDataObject = {};
		await runNode({ nodeType: new Echo(), parameters: {}, staticData });
		await runNode({ nodeType: new Echo(), parameters: {}, staticData });
		expect(staticData['node:Node']).toEqual({ runs: 2 });
	});

	test('an abort signal cancels the execution through the node’s getExecutionCancelSignal()', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 50);
		const started = Date.now();
		const res = await runNode({ nodeType: new Echo(), parameters: { waitForCancel: true }, signal: controller.signal });
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(res.status).toBe('canceled');
	});

	describe('credential authenticate and preAuthentication, through httpRequestWithAuthentication', () => {
		let server: Server;
		let url = '';
		let seen: Array<{ path?: string; headers: IncomingHttpHeaders }> = [];
		let sessions = 0;
		beforeAll(async () => {
			server = createServer((req, res) => {
				seen.push({ path: req.url, headers: req.headers });
				res.setHeader('content-type', 'application/json');
				if (req.url === '/login') return res.end(JSON.stringify({ token: `sess-${++sessions}` }));
				if (req.url === '/session' && req.headers['x-session'] !== `sess-${sessions}`) return res.writeHead(401).end('{"error":"expired"}');
				res.end('{"ok":true}');
			});
			await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
			url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		});
		afterAll(async () => {
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
		});
		beforeEach(() => (seen = []));

		test('generic authenticate: the Authorization header comes from the credential type', async () => {
			const res = await runNode({ nodeType: new Echo(), parameters: { url: `${url}/x` }, credentials: creds('tok-auth'), credentialTypes });
			expect(res.error).toBeUndefined();
			expect(res.items[0].json.called).toEqual({ ok: true });
			expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer tok-auth']);
		});

		const session = (sessionToken?: string) => ({
			credentials: { harnessSessionApi: { loginUrl: `${url}/login`, ...(sessionToken === undefined ? {} : { sessionToken }) } },
			credentialTypes: [new HarnessSessionApi()],
		});

		test('preAuthentication runs when the expirable field is empty, and its result is written back', async () => {
			const res = await runNode({ nodeType: new Echo(), parameters: { url: `${url}/session`, authWith: 'harnessSessionApi' }, ...session() });
			expect(res.error).toBeUndefined();
			expect(seen.map((r) => [r.path, r.headers['x-session']])).toEqual([
				['/login', undefined],
				['/session', `sess-${sessions}`],
			]);
			expect(res.storedCredentials('harnessSessionApi')?.sessionToken).toBe(`sess-${sessions}`);
		});

		test('after a 401 n8n runs preAuthentication again and retries once', async () => {
			const res = await runNode({ nodeType: new Echo(), parameters: { url: `${url}/session`, authWith: 'harnessSessionApi' }, ...session('stale') });
			expect(res.error).toBeUndefined();
			expect(seen.map((r) => r.path)).toEqual(['/session', '/login', '/session']);
		});
	});

	test('20 concurrent runs: each gets its own items, credentials and log lines', async () => {
		const runs = await Promise.all(
			Array.from({ length: 20 }, (_, n) =>
				runNode({
					nodeType: new Echo(),
					parameters: { value: '={{ $json.n }}' },
					items: [{ n: `run${n}-a` }, { n: `run${n}-b` }],
					credentials: creds(`token-${n}`, { region: `r${n}` }),
					credentialTypes,
				}),
			),
		);
		runs.forEach((res, n) => {
			expect(res.error).toBeUndefined();
			expect(res.items.map((i) => [i.json.value, i.json.region])).toEqual([
				[`run${n}-a`, `r${n}`],
				[`run${n}-b`, `r${n}`],
			]);
			const echoed = res.logs.filter((l) => l.startsWith('debug echo item'));
			expect(echoed).toHaveLength(2);
			expect(echoed.every((l) => l.includes(`"token":"token-${n}"`))).toBe(true);
		});
	});
});

describe('runWorkflow', () => {
	test('a chain of nodes: a later node reads an earlier one through paired items', async () => {
		const res = await runWorkflow({
			nodes: [
				{ name: 'First', nodeType: new Echo(), parameters: { value: '={{ $json.k }}!' } },
				{ name: 'Second', nodeType: new Echo(), parameters: { value: "={{ $('Items').item.json.k }}/{{ $json.value }}" } },
			],
			items: [{ k: 'p' }, { k: 'q' }],
		});
		expect(res.error).toBeUndefined();
		expect(res.output('Second').map((i) => i.json.value)).toEqual(['p/p!', 'q/q!']);
	});
});

describe('polling trigger', () => {
	const options = { nodeType: new CountingPoll(), parameters: { prefix: 'tx' } };

	test('createPoller keeps static data between polls, saves it when a poll emits, and survives a restart', async () => {
		const poller = createPoller(options);
		expect(await poller.poll()).toBeNull();
		expect(poller.staticData['node:Trigger']).toEqual({ polls: 1 });
		expect(poller.savedStaticData).toEqual({}); // nothing emitted yet: n8n has not saved it
		expect(await poller.poll()).toEqual([[{ json: { polls: 2, prefix: 'tx' } }]]);
		expect(poller.savedStaticData).toEqual({ 'node:Trigger': { polls: 2 } });
		expect(await poller.poll()).toBeNull();
		expect(poller.staticData['node:Trigger']).toEqual({ polls: 3 });
		expect(poller.logs).toEqual(['info poll 1', 'info poll 2', 'info poll 3']);
		poller.restart(); // the third poll emitted nothing: its change was never saved, n8n starts again from 2
		expect(poller.staticData['node:Trigger']).toEqual({ polls: 2 });
		expect(await poller.poll()).toBeNull();
		expect(await poller.poll()).toEqual([[{ json: { polls: 4, prefix: 'tx' } }]]);
	});

	test('poll() with caller-held static data; manual mode ("Fetch Test Event") leaves it alone', async () => {
		const staticData: IDataObject = {};
		expect(await poll({ ...options, staticData })).toBeNull();
		expect(await poll({ ...options, staticData })).toEqual([[{ json: { polls: 2, prefix: 'tx' } }]]);
		expect(staticData).toEqual({ 'node:Trigger': { polls: 2 } });
		expect(await poll({ ...options, staticData, mode: 'manual' })).toEqual([[{ json: { sample: true, prefix: 'tx' } }]]);
		expect(staticData).toEqual({ 'node:Trigger': { polls: 2 } });
	});
});

describe('webhook trigger', () => {
	const sign = (token: string, raw: string) => createHmac('sha256', token).update(raw).digest('hex');

	test('receives the body and headers; the raw body is the exact bytes sent', async () => {
		const raw = '{ "event": "card.created",  "id": 7 }'; // odd spacing: a re-serialised body would not match
		const res = await callWebhook({
			nodeType: new SignedHook(),
			parameters: {},
			credentials: creds('hook-secret'),
			credentialTypes,
			request: { body: raw, headers: { 'Content-Type': 'application/json', 'X-Signature': sign('hook-secret', raw) } },
		});
		expect(res.response.ended).toBe(false);
		expect(res.result.workflowData?.[0].map((i) => i.json)).toEqual([
			{ body: { event: 'card.created', id: 7 }, url: 'http://127.0.0.1:5678/webhook/harness-webhook-id/signed' },
		]);
		expect(res.staticData).toEqual({ 'node:Trigger': { received: 1 } });
	});

	test('a bad signature: the node answers 401 itself and starts nothing', async () => {
		const res = await callWebhook({
			nodeType: new SignedHook(),
			parameters: {},
			credentials: creds('hook-secret'),
			credentialTypes,
			request: { body: { event: 'x' }, headers: { 'x-signature': 'nope' } },
		});
		expect(res.result).toEqual({ noWebhookResponse: true });
		expect(res.response).toMatchObject({ statusCode: 401, body: { message: 'bad signature' }, ended: true });
	});
});
