/**
 * What the nodes say is what happened, across services, in n8n's engine against the sandbox: a write that failed
 * before it went out says nothing was sent (never "it may have taken effect"); an option with a fixed set of values
 * that comes from an expression must be one of them or nothing is sent; a Return All that failed stops sending.
 * Requests are counted at the sandbox; every output, error and log line is grepped for secrets afterwards.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, confermaCredentials } from '../../sandbox/credentials';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'clara' | 'conferma'>;
const leaks = new Leaks({ shapes: true });

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara', 'conferma'], clara: { transactions: 1500 } });
	leaks.watch(sandbox.clara.clientSecret, sandbox.conferma.clientSecret, sandbox.certs.client.key);
});
afterAll(async () => {
	leaks.watch(...sandbox.conferma.issuedTokens());
	leaks.collect(capturedLogs.join('\n'));
	leaks.assertNone();
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	for (const name of ['clara', 'conferma'] as const) {
		sandbox[name].faults.clear();
		sandbox[name].resetCounters();
	}
});

const json = (r: RunNodeResult) => r.items.map((i) => i.json);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(nodeType: INodeType, parameters: IDataObject, items: IDataObject[] = [{}]): Promise<RunNodeResult> {
	const result = await runNode({
		nodeType,
		parameters,
		items,
		continueOnFail: true,
		credentials: { claraApi: claraCredentials(sandbox), confermaPayApi: confermaCredentials(sandbox) },
		credentialTypes: [new ClaraApi(), new ConfermaPayApi()],
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

const confermaCreate = {
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: 'CLIENTID',
	clientAccountCodeValue: '1234',
	amount: 120,
	currencyCode: 'GBP',
	startDate: '2026-06-01',
	endDate: '2026-06-05',
	supplierName: 'Truthful Hotel',
	consumerReference: 'TRUE-1',
	options: {},
};

describe('a write that failed before it went out says nothing was sent', () => {
	test.each([
		['answers 503 (after its retries)', () => sandbox.conferma.faults.fail(10, 503, { pathPrefix: '/token' }), /Conferma had a server error \(HTTP 503\)/],
		['drops every connection', () => sandbox.conferma.faults.reset(10, '/token'), /Could not reach Conferma/],
	])('Conferma Create, the token endpoint %s: nothing was sent, 0 POSTs to deployments', async (_name, arm, cause) => {
		arm();
		const res = await run(new ConfermaPay(), confermaCreate);
		expect(json(res)).toEqual([{ error: expect.stringMatching(cause), description: expect.any(String) }]);
		const said = `${json(res)[0].error} ${json(res)[0].description}`;
		expect(said).toMatch(/Nothing was sent: the Create Deployment did not go out, so it did not take effect/);
		expect(said).not.toMatch(/may have taken effect|sent once and not again/);
		expect(sandbox.conferma.requestLog.filter((r) => r.url.startsWith('/token')).length).toBeGreaterThan(0);
		expect(sandbox.conferma.requestLog.filter((r) => r.method === 'POST' && r.url.startsWith('/deployments'))).toHaveLength(0);
	});

	test('a read failing at the token step says what failed, without claiming anything about a write', async () => {
		sandbox.conferma.faults.fail(10, 503, { pathPrefix: '/token' });
		const res = await run(new ConfermaPay(), { resource: 'deployment', operation: 'get', deploymentId: '1' });
		expect(String(json(res)[0].error)).toMatch(/^Conferma had a server error \(HTTP 503\)/);
		expect(String(json(res)[0].error)).not.toMatch(/Nothing was sent|may have taken effect/);
	});
});

describe('an option with a fixed set of values, from an expression, must be one of them', () => {
	const cardCreate = (extra: IDataObject) => ({
		resource: 'card',
		operation: 'create',
		userUuid: sandbox.clara.data.users[0].uuid as string,
		alias: 'Expression card',
		cardType: 'virtual',
		threshold: 1000,
		periodicity: 'monthly',
		options: {},
		...extra,
	});

	test.each([
		['Card Type', { cardType: "={{ 'Physical' }}" }, '"Physical"', /"virtual" \(Virtual\), "physical" \(Physical \(Sent by Mail\)\)/],
		['Limit Resets', { periodicity: '={{ $json.resets }}' }, '"weekly"', /"monthly" \(Monthly\), "daily" \(Daily\)/],
	])('Clara Card Create, %s outside its values: an error naming it and its values; nothing sent', async (label, extra, value, allowed) => {
		const res = await run(new Clara(), cardCreate(extra), [{ resets: 'weekly' }]);
		expect(json(res)).toEqual([{ error: `${label} ${value} is not one of its values (it comes from an expression)`, description: expect.stringMatching(allowed) }]);
		expect(res.items[0].pairedItem).toEqual({ item: 0 });
		expect(sandbox.clara.requestLog).toHaveLength(0);
	});

	test('per item: the items whose expression gives an allowed value go through, the others are errors', async () => {
		const res = await run(new Clara(), cardCreate({ cardType: '={{ $json.type }}', alias: '={{ $json.alias }}' }), [
			{ type: 'physical', alias: 'Per item 1' },
			{ type: 'Physical', alias: 'Per item 2' },
		]);
		expect(json(res)[0]).toMatchObject({ alias: 'Per item 1' });
		expect(json(res)[1]).toEqual({ error: 'Card Type "Physical" is not one of its values (it comes from an expression)', description: expect.any(String) });
		expect(sandbox.clara.requestLog.filter((r) => r.method === 'POST' && r.url.includes('/cards'))).toHaveLength(1);
	});

	test('inside a collection too: Conferma Get Many with a Status filter from an expression', async () => {
		const res = await run(new ConfermaPay(), { resource: 'deployment', operation: 'getAll', returnAll: false, limit: 10, filters: { status: "={{ 'deployed' }}" } });
		expect(json(res)).toEqual([{ error: expect.stringMatching(/^Status \(in Filters\) "deployed" is not one of its values/), description: expect.stringMatching(/"Deployed"/) }]);
		expect(sandbox.conferma.requestLog).toHaveLength(0);
	});
});

describe('Return All stops sending once it has failed', () => {
	test('Clara Transaction Get Many: after a page fails for good no page is started, none is retried, and nothing goes out later', async () => {
		const path = '/mx/api-test/v3/transactions';
		const gets = () => sandbox.clara.requestLog.filter((r) => r.method === 'GET' && r.url.startsWith(path));
		// The first page answers (1500 transactions: 15 pages of 100), every later request is a 503.
		sandbox.clara.faults.fail(10_000, 503, { pathPrefix: path, after: 1 });
		const res = await run(new Clara(), { resource: 'transaction', operation: 'getAll', returnAll: true });
		expect(json(res)).toEqual([{ error: expect.stringMatching(/^Clara had a server error \(HTTP 503\), still after 4 retries/), description: expect.any(String) }]);
		const atReturn = gets().length;
		// Pages 1–4 were read side by side; none after them was started once one of them had failed for good.
		const pages = new Set(gets().map((r) => new URL(r.url, 'https://x').searchParams.get('page')));
		expect([...pages].sort()).toEqual(['0', '1', '2', '3', '4']);
		// Time for any sibling still waiting between retries to send again: none does, and the next run sees none.
		await sleep(4_000);
		sandbox.clara.faults.clear();
		const next = await run(new Clara(), { resource: 'card', operation: 'getAll', returnAll: false, limit: 1 });
		expect(next.error).toBeUndefined();
		expect(gets().length).toBe(atReturn);
	});
});
