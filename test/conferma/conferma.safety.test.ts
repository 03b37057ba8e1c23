/**
 * Conferma Pay, tried as a careless or hostile user would, inside n8n's engine against the emulator over real TLS:
 * bad input is refused before anything is sent (one error per item, paired, naming the field), a secret never goes
 * to a plain-HTTP address, and a Create or Amend without a clear answer reached Conferma exactly once and says it may
 * have taken effect and how to check.
 */
import { createServer, type Server } from 'http';
import type { IDataObject } from 'n8n-workflow';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { lookup } from 'dns';
import type { LookupFunction } from 'net';
import { ConfermaPay as ConfermaPayClient, readCredentials } from '../../nodes/ConfermaPay/transport';
import { closeAllAgents, MemoryTokenStore, tokens, type EgressFilter } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { confermaCredentials } from '../../sandbox/credentials';
import { runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'conferma'>;
const leaks = new Leaks();
const node = new ConfermaPay();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const conferma = () => sandbox.conferma;
const ids = () => [...conferma().deployments.keys()];
const json = (r: RunNodeResult) => r.items.map((i) => i.json);
const sent = (method: string) => conferma().requestLog.filter((r) => r.method === method && r.url.startsWith('/deployments')).length;

async function run(parameters: IDataObject, items: IDataObject[], creds: IDataObject = {}): Promise<RunNodeResult> {
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new ConfermaPayApi()],
		parameters,
		credentials: { confermaPayApi: confermaCredentials(sandbox, creds) },
		items,
		continueOnFail: true,
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

/**
 * Every case is one input item of one run: each must come out as exactly one error item, paired with its input,
 * whose message names the field; and none of them may reach Conferma.
 */
async function refusedLocally(parameters: IDataObject, cases: Array<{ item: IDataObject; error: RegExp }>) {
	const res = await run(parameters, cases.map((c) => c.item));
	expect(res.error).toBeUndefined();
	expect(res.items).toHaveLength(cases.length);
	res.items.forEach((out, i) => {
		expect(out.pairedItem).toEqual({ item: i });
		expect({ case: cases[i].item, error: out.json.error }).toEqual({ case: cases[i].item, error: expect.stringMatching(cases[i].error) });
		// What to do: in the description, or in the message itself ("must be a whole number of at least 1").
		expect(Boolean(out.json.description) || /must/.test(String(out.json.error))).toBe(true);
	});
	expect(conferma().counters.requests).toBe(0);
	return res;
}

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['conferma'], conferma: { fixedDates: true } });
	leaks.watch(conferma().clientSecret);
});
afterAll(async () => {
	// Every card the emulator issued in this file, full number: none may be in any output, error or log line.
	leaks.watch(...conferma().issuedTokens(), ...[...conferma().cards.values()].map((c) => c.number));
	expect(leaks.assertNone()).toBeGreaterThan(2_000);
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	conferma().faults.clear();
	conferma().resetCounters();
});

/** Create with each field taken from the item, so one run tries many values. */
const create = {
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: '={{ $json.type ?? "CLIENTID" }}',
	clientAccountCodeValue: '={{ $json.code ?? "1234" }}',
	amount: '={{ $json.amount ?? 100 }}',
	currencyCode: '={{ $json.currency ?? "GBP" }}',
	startDate: '={{ $json.from ?? "2026-06-01" }}',
	endDate: '={{ $json.to ?? "2026-06-05" }}',
	supplierName: '={{ $json.supplier ?? "Safety Hotel" }}',
	consumerReference: '={{ $json.ref ?? "" }}',
	additionalFields: { spendType: '={{ $json.spendType ?? "Hotel" }}', extraFields: '={{ $json.extra ?? "{}" }}' },
	options: { timeout: '={{ $json.timeout ?? 30000 }}', reuseExisting: '={{ $json.reuse ?? false }}' },
};

describe('bad input is refused before anything is sent', () => {
	test('contract: amount, payment-range, client-account-code — Create: amounts, currencies, dates, ranges, card pools, supplier, references, options (26 cases)', async () => {
		await refusedLocally(create, [
			{ item: { amount: 0 }, error: /^Amount must be an amount greater than 0/ },
			{ item: { amount: -25 }, error: /^Amount must be an amount greater than 0/ },
			{ item: { amount: 'abc' }, error: /Amount/ },
			{ item: { amount: '1,234.50' }, error: /Amount/ },
			{ item: { amount: 'Infinity' }, error: /Amount/ },
			{ item: { amount: 12.345 }, error: /^Amount "12\.345" has more decimals than GBP has \(2\)/ },
			{ item: { amount: 100.5, currency: 'JPY' }, error: /^Amount "100\.5" has more decimals than JPY has \(0\)/ },
			{ item: { currency: 'pounds' }, error: /^Currency Code "pounds" is not an ISO 4217 currency code/ },
			{ item: { currency: 'XYZ' }, error: /^Currency Code "XYZ" is not an ISO 4217 currency code/ },
			{ item: { currency: '' }, error: /^Currency Code is empty/ },
			{ item: { from: '2026-02-30' }, error: /^Valid From "2026-02-30" is not a real calendar date/ },
			{ item: { to: '2026-13-01' }, error: /^Valid To "2026-13-01" is not a real calendar date/ },
			{ item: { to: '31/03/2026' }, error: /^Valid To must be a date like/ },
			{ item: { from: '' }, error: /^Valid From is empty/ },
			{ item: { from: '2026-06-10', to: '2026-06-09' }, error: /^Valid To \(2026-06-09\) is before Valid From \(2026-06-10\)/ },
			{ item: { supplier: '  ' }, error: /^Supplier Name is empty/ },
			{ item: { type: 'BTA' }, error: /^Client Account Code Type "BTA" is not one of its values \(it comes from an expression\)/ },
			{ item: { code: 'ACME-1' }, error: /^Client Account Code "ACME-1" is not a Client ID/ },
			{ item: { code: '' }, error: /^Client Account Code is empty/ },
			{ item: { type: 'CAC', code: 'ACME GBP' }, error: /^Client Account Code "ACME GBP" is not a Conferma client account code/ },
			{ item: { type: 'CAC', code: 'A'.repeat(19) }, error: /^Client Account Code "A{19}" is not a Conferma client account code/ },
			{ item: { ref: 'R'.repeat(51) }, error: /^Consumer Reference "R+…" is longer than 50 characters/ },
			{ item: { extra: '{"travellers": [' }, error: /^Extra Fields is not valid JSON/ },
			{ item: { spendType: 'Boat' }, error: /^Spend Type \(in Additional Fields\) "Boat" is not one of its values \(it comes from an expression\)/ },
			{ item: { timeout: -1 }, error: /^Timeout must be a whole number from 1 to 600000/ },
			{ item: { reuse: true }, error: /^Reuse Deployment with Same Consumer Reference needs a Consumer Reference/ },
		]);
	});

	test('Create: good items of the same run still go through, each sent once', async () => {
		const res = await run(create, [{ amount: 0 }, { ref: 'SAFE-1' }, { currency: 'usd', amount: '99.90', ref: 'SAFE-2' }, { to: '2026-05-31' }]);
		expect(json(res).map((o) => (o.error ? 'error' : o.consumerReference))).toEqual(['error', 'SAFE-1', 'SAFE-2', 'error']);
		expect(json(res)[2].deploymentAmount).toEqual({ amount: 99.9, currencyCode: 'USD' });
		expect(sent('POST')).toBe(2);
	});

	test('ids that are not one deployment number: Get, Amend and Invoices send nothing (9 cases each)', async () => {
		const bad: Array<[string, RegExp]> = [
			['', /^Deployment ID is empty/],
			['.', /^Deployment ID "\." is not a single id/],
			['..', /^Deployment ID "\.\." is not a single id/],
			['100000/../100001', /is not a single id/],
			['100000?PageSize=1000', /is not a single id/],
			['100000#x', /is not a single id/],
			['%2e%2e', /is not a single id/],
			['100 000', /is not a single id/],
			['abc', /^Deployment ID "abc" is not a Conferma deployment number/],
		];
		const cases = bad.map(([id, error]) => ({ item: { id }, error }));
		await refusedLocally({ resource: 'deployment', operation: 'get', deploymentId: '={{ $json.id }}' }, cases);
		await refusedLocally({ resource: 'deployment', operation: 'amend', deploymentId: '={{ $json.id }}', updateFields: { amount: 5 } }, cases);
		await refusedLocally({ resource: 'invoice', operation: 'getAll', deploymentId: '={{ $json.id }}', returnAll: true }, cases);
	});

	test('Amend: nothing to change, bad amounts, currencies, dates and ranges (8 cases)', async () => {
		const id = ids()[3];
		await refusedLocally(
			{
				resource: 'deployment',
				operation: 'amend',
				deploymentId: id,
				updateFields: {
					amount: '={{ $json.amount }}',
					currencyCode: '={{ $json.currency ?? "" }}',
					startDate: '={{ $json.from ?? "" }}',
					endDate: '={{ $json.to ?? "" }}',
					extraFields: '={{ $json.extra ?? "{}" }}',
				},
			},
			[
				{ item: { amount: -1 }, error: /^Amount must be an amount greater than 0/ },
				{ item: { amount: 'ten' }, error: /^Amount must be an amount greater than 0/ },
				{ item: { amount: 10.999, currency: 'EUR' }, error: /^Amount "10\.999" has more decimals than EUR has \(2\)/ },
				{ item: { amount: 10, currency: 'EURO' }, error: /^Currency Code "EURO" is not an ISO 4217 currency code/ },
				{ item: { amount: 10, from: '2026-04-31' }, error: /^Valid From "2026-04-31" is not a real calendar date/ },
				{ item: { amount: 10, from: '2026-07-02', to: '2026-07-01' }, error: /^Valid To \(2026-07-01\) is before Valid From/ },
				{ item: { amount: 10, extra: '[1]' }, error: /^Extra Fields must be a JSON object/ },
				{ item: { amount: 0 }, error: /^Amount must be an amount greater than 0/ },
			],
		);
		const nothing = await run({ resource: 'deployment', operation: 'amend', deploymentId: id, updateFields: {} }, [{}]);
		expect(json(nothing)[0].error).toMatch(/^Nothing to amend: add at least one Update Field/);
		expect(conferma().counters.requests).toBe(0);
	});

	test("Amend: what needs the deployment's own values is checked after the read and before the PUT", async () => {
		const d = conferma().deployments.get(ids()[3])!;
		const amend = (updateFields: IDataObject) => run({ resource: 'deployment', operation: 'amend', deploymentId: String(d.deploymentId), updateFields }, [{}]);
		// The deployment's range is 2026-02-01 → 2026-02-28: a new end before its start, or a new start after its end.
		expect(json(await amend({ endDate: '2026-01-15' }))[0].error).toMatch(/^Valid To \(2026-01-15\) is before Valid From \(2026-02-01\)/);
		expect(json(await amend({ startDate: '2026-03-15' }))[0].error).toMatch(/^Valid To \(2026-02-28\) is before Valid From \(2026-03-15\)/);
		// Its currency has 2 decimals.
		expect(json(await amend({ amount: 1.005 }))[0].error).toMatch(/^Amount "1\.005" has more decimals than (GBP|EUR) has \(2\)/);
		expect(sent('GET')).toBe(3);
		expect(sent('PUT')).toBe(0);
	});

	test('Get Many and Invoices: limits and dates (9 cases)', async () => {
		const cases = [
			{ item: { limit: 0 }, error: /^Limit must be a whole number of at least 1, not "0"/ },
			{ item: { limit: -5 }, error: /^Limit must be a whole number of at least 1/ },
			{ item: { limit: 2.5 }, error: /^Limit must be a whole number of at least 1/ },
			{ item: { limit: 'ten' }, error: /Limit/ },
		];
		const filters = { fromDate: '={{ $json.from ?? "" }}', toDate: '={{ $json.to ?? "" }}' };
		await refusedLocally({ resource: 'deployment', operation: 'getAll', returnAll: false, limit: '={{ $json.limit }}', filters }, [
			...cases,
			{ item: { limit: 5, from: '2026-02-29' }, error: /^Created From "2026-02-29" is not a real calendar date/ },
			{ item: { limit: 5, to: 'next tuesday' }, error: /^Created To must be a date like/ },
			{ item: { limit: 5, from: '2026-03-02', to: '2026-03-01' }, error: /^Created To \(2026-03-01\) is before Created From \(2026-03-02\)/ },
		]);
		await refusedLocally({ resource: 'invoice', operation: 'getAll', deploymentId: ids()[5], returnAll: false, limit: '={{ $json.limit }}' }, cases);
	});
});

describe('no secret over plain HTTP', () => {
	let plain: Server;
	let received: string[];
	let plainUrl: string;
	beforeAll(async () => {
		received = [];
		plain = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${Buffer.concat(chunks).toString()}`);
				res.end('{}');
			});
		});
		await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
		plainUrl = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
	});
	afterAll(() => new Promise<void>((r) => plain.close(() => r())));

	test('an http:// Token URL or Base URL is refused naming the field, in the node and the credential test; the listener gets nothing', async () => {
		const get = { resource: 'deployment', operation: 'get', deploymentId: ids()[0] };
		const token = await run(get, [{}], { tokenUrl: `${plainUrl}/token` });
		expect(token.error?.message ?? json(token)[0]?.error).toMatch(/Token URL "http:\/\/127\.0\.0\.1:\d+\/token" is not an https:\/\/ address in the Conferma Pay credential/);
		const base = await run(get, [{}], { baseUrl: plainUrl });
		expect(base.error?.message ?? json(base)[0]?.error).toMatch(/Base URL "http:\/\/127\.0\.0\.1:\d+" is not an https:\/\/ address/);
		const userInUrl = await run(get, [{}], { baseUrl: `https://user:pw@127.0.0.1:${conferma().port}` });
		expect(userInUrl.error?.message ?? json(userInUrl)[0]?.error).toMatch(/Base URL must not contain a user name or password/);
		const test = (overrides: IDataObject) =>
			node.methods.credentialTest.confermaPayApiTest.call({} as never, { id: 'c', name: 'Conferma', type: 'confermaPayApi', data: confermaCredentials(sandbox, overrides) as never });
		expect(await test({ tokenUrl: `${plainUrl}/token` })).toEqual({ status: 'Error', message: expect.stringMatching(/^Token URL .* is not an https:\/\/ address/) });
		expect(await test({ baseUrl: ` ${plainUrl} ` })).toEqual({ status: 'Error', message: expect.stringMatching(/^Base URL .* is not an https:\/\/ address/) });
		await sleep(50);
		expect(received).toEqual([]);
		expect(conferma().counters.requests).toBe(0);
	});
});

test("n8n's egress policy (n8n ≥ 2.41) is applied to the token request and the API: a refused origin gets nothing", async () => {
	const validated: string[] = [];
	const egress: EgressFilter = {
		validateUrl: async (url) => (validated.push(url), { ok: false, error: new Error('The IP address 127.0.0.1 is blocked') }),
		createSecureLookup: () => lookup as unknown as LookupFunction,
	};
	const client = new ConfermaPayClient(readCredentials(confermaCredentials(sandbox) as never), undefined, undefined, egress);
	const error = await client.get(ids()[0]).catch((e) => client.toNodeError({ getNode: () => ({ id: 'n', name: 'Conferma Pay', type: 'confermaPay', typeVersion: 1, position: [0, 0], parameters: {} }) }, e));
	expect(error.message).toMatch(/outbound network policy does not allow/);
	expect(validated[0]).toMatch(/\/token$/);
	expect(conferma().counters.requests).toBe(0);
});

describe('a Create or Amend without a clear answer: sent once, may have taken effect, how to check', () => {
	type Fault = [name: string, arm: (method: string) => void, said: RegExp];
	const faults: Fault[] = [
		['HTTP 500', (m) => conferma().faults.fail(1, 500, { pathPrefix: '/deployments', method: m }), /\(HTTP 500/],
		['HTTP 502', (m) => conferma().faults.fail(1, 502, { pathPrefix: '/deployments', method: m }), /\(HTTP 502/],
		['HTTP 503', (m) => conferma().faults.fail(1, 503, { pathPrefix: '/deployments', method: m }), /\(HTTP 503/],
		['gateway 504', (m) => conferma().faults.fail(1, 504, { pathPrefix: '/deployments', method: m }), /\(HTTP 504/],
		['a dropped connection', (m) => conferma().faults.reset(1, '/deployments', m), /\(.*the connection was closed by the other side\)/],
		['an unreadable body', (m) => conferma().faults.malformed(1, '/deployments', m), /\(The server answered HTTP 200 with a body that is not valid JSON\)/],
	];

	test.each(faults)('Create, %s: exactly one POST reached Conferma', async (_name, arm, said) => {
		arm('POST');
		const res = await run({ ...create, options: { timeout: 30000 } }, [{ ref: `AMBIGUOUS-${_name}` }]);
		const out = json(res)[0];
		expect(out.error).toMatch(/^Conferma gave no clear answer to the Create Deployment /);
		expect(out.error).toMatch(said);
		expect(out.error).toMatch(/It was sent once and not again, so it may have taken effect/);
		expect(out.description).toMatch(/look it up with Get Many filtered by Consumer Reference, or turn on "Reuse Deployment with Same Consumer Reference"/);
		expect(out.error).not.toMatch(/try again later/i);
		expect(sent('POST')).toBe(1);
	});

	test.each(faults)('Amend, %s: exactly one PUT reached Conferma', async (_name, arm, said) => {
		const id = ids()[4];
		arm('PUT');
		const res = await run({ resource: 'deployment', operation: 'amend', deploymentId: id, updateFields: { amount: 321 } }, [{}]);
		const out = json(res)[0];
		expect(out.error).toMatch(new RegExp(`^Conferma gave no clear answer to the Amend of deployment ${id} `));
		expect(out.error).toMatch(said);
		expect(out.error).toMatch(/It was sent once and not again, so it may have taken effect/);
		expect(out.description).toBe(`Before running it again, Get deployment ${id} and compare its amount, dates and references with the changes: if they are there, the Amend took effect.`);
		expect(sent('PUT')).toBe(1);
		expect(sent('GET')).toBe(1);
	});

	test('Create and Amend that time out: one request each, the timeout named', async () => {
		conferma().faults.latencyMs = 2_500;
		conferma().faults.latencyPathPrefix = '/deployments';
		const [made, amended] = await Promise.all([
			run({ ...create, options: { timeout: 200 } }, [{ ref: 'AMBIGUOUS-TIMEOUT' }]),
			run({ resource: 'deployment', operation: 'amend', deploymentId: ids()[6], updateFields: { amount: 77 }, options: { timeout: 200 } }, [{}]),
		]);
		expect(json(made)[0].error).toMatch(/no clear answer to the Create Deployment \(The server timed out.*may have taken effect/);
		expect(json(amended)[0].error).toMatch(/no clear answer to the Amend of deployment \d+ \(The server timed out.*may have taken effect/);
		expect(sent('POST')).toBe(1);
		expect(sent('PUT')).toBe(1);
	});
});
