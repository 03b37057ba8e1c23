/**
 * The Conferma Pay node inside n8n's engine, against the emulator over real TLS. The emulator revokes every earlier
 * token of the platform whenever it issues one, exactly as Conferma does, so any extra token request this node made
 * would show up as 401s (`http401`, `revokedTokenUses`) and as `tokenRequests`.
 */
import type { IDataObject } from 'n8n-workflow';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { confermaCredentials } from '../../sandbox/credentials';
import { runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'conferma'>;
const leaks = new Leaks();
const node = new ConfermaPay();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for a condition on the emulator's counters (at most 5 s), so a test acts at the right point of a run. */
async function until(condition: () => boolean) {
	for (let waited = 0; !condition(); waited += 5) {
		if (waited > 5_000) throw new Error('condition not reached within 5 s');
		await sleep(5);
	}
}

const credentials = (overrides: IDataObject = {}) => confermaCredentials(sandbox, overrides);

async function run(parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean; creds?: IDataObject } = {}): Promise<RunNodeResult> {
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new ConfermaPayApi()],
		parameters,
		credentials: { confermaPayApi: options.creds ?? credentials() },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

const conferma = () => sandbox.conferma;
const custom = () => conferma().counters.custom;
const json = (r: RunNodeResult) => r.items.map((i) => i.json);
const ids = () => [...conferma().deployments.keys()];
const get = () => ({ resource: 'deployment', operation: 'get', deploymentId: '={{ $json.id }}' });
const idItems = (n: number) => ids().slice(0, n).map((id) => ({ id }));
const requests = (method: string) => conferma().requestLog.filter((r) => r.method === method && r.url.startsWith('/deployments')).length;
const posts = () => requests('POST');
const DEPLOYMENTS = '/deployments/v1/deployments';
const lists = () => conferma().requestLog.filter((r) => r.method === 'GET' && /^\/deployments\/v1\/deployments(\?|$)/.test(r.url)).map((r) => r.url);

const create = (overrides: IDataObject = {}) => ({
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: 'CLIENTID',
	clientAccountCodeValue: '1234',
	amount: 250.5,
	currencyCode: 'gbp',
	startDate: '2026-03-01T00:00:00.000Z',
	endDate: '2026-03-10',
	supplierName: 'Sandbox Hotel',
	consumerReference: '={{ $json.ref }}',
	additionalFields: { spendType: 'Hotel' },
	options: {},
	...overrides,
});

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['conferma'], conferma: { fixedDates: true } });
	leaks.watch(conferma().clientSecret);
});
afterAll(async () => {
	// Every card the emulator issued in this file, full number: none may be in any output, error or log line.
	leaks.watch(...conferma().issuedTokens(), ...[...conferma().cards.values()].map((c) => c.number));
	expect(leaks.assertNone()).toBeGreaterThan(5_000);
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	conferma().faults.clear();
	conferma().tokenLifetimeSec = 300;
	conferma().resetCounters();
});

describe('deployments', () => {
	test('Get: one output per item, paired, with the deployment as Conferma gave it (numeric deploymentId)', async () => {
		const res = await run(get(), { items: idItems(3) });
		expect(res.error).toBeUndefined();
		expect(json(res).map((d) => d.deploymentId)).toEqual(ids().slice(0, 3).map(Number));
		expect(json(res)[0]).toMatchObject({ status: 'Deployed', clientAccountCode: { type: 'CLIENTID' }, deploymentAmount: { currencyCode: expect.any(String) } });
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('Get of an unknown id: that item alone fails, clearly, with continueOnFail', async () => {
		const res = await run(get(), { items: [{ id: ids()[0] }, { id: '999999999' }, { id: Number(ids()[1]) }], continueOnFail: true });
		expect(json(res)[1]).toMatchObject({ error: expect.stringMatching(/found no deployment with that id \(HTTP 404 ENF001\)/) });
		expect(json(res)[0].deploymentId).toBe(Number(ids()[0]));
		expect(json(res)[2].deploymentId).toBe(Number(ids()[1]));
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('contract: paging — Get Many asks for the zero-based first page: its deployments are in the output', async () => {
		const res = await run({ resource: 'deployment', operation: 'getAll', returnAll: true });
		expect(res.error).toBeUndefined();
		// Every deployment once, in Conferma's order, the first page's first of all.
		expect(json(res).map((d) => d.deploymentId)).toEqual(ids().map(Number));
		expect(lists()).toEqual([`${DEPLOYMENTS}?PageNumber=0&PageSize=1000`]);
	});

	test('contract: paging-range — a Limit under 10 asks for a page of 10 (Conferma\'s smallest) and returns the Limit', async () => {
		const res = await run({ resource: 'deployment', operation: 'getAll', returnAll: false, limit: 3 });
		expect(json(res).map((d) => d.deploymentId)).toEqual(ids().slice(0, 3).map(Number));
		expect(lists()).toEqual([`${DEPLOYMENTS}?PageNumber=0&PageSize=10`]);
		const thirty = await run({ resource: 'deployment', operation: 'getAll', returnAll: false, limit: 30 });
		expect(thirty.items).toHaveLength(30);
		expect(lists().at(-1)).toBe(`${DEPLOYMENTS}?PageNumber=0&PageSize=30`);
		expect(custom().http400 ?? 0).toBe(0);
	});

	test('Get Many filters are sent (dates as YYYY-MM-DD) and applied', async () => {
		const res = await run({
			resource: 'deployment',
			operation: 'getAll',
			returnAll: true,
			filters: { consumerReference: 'BOOKING-00007', fromDate: '2026-01-01T00:00:00.000Z', status: 'Deployed' },
		});
		expect(json(res).map((d) => d.consumerReference)).toEqual(['BOOKING-00007']);
		expect(conferma().requestLog.at(-1)?.url).toMatch(/fromDate=2026-01-01&/);
		const cancelled = await run({ resource: 'deployment', operation: 'getAll', returnAll: true, filters: { status: 'CancelledWithSupplier' } });
		expect(json(cancelled).map((d) => d.deploymentId)).toEqual([...conferma().deployments.values()].filter((d) => d.status === 'CancelledWithSupplier').map((d) => d.deploymentId));
	});

	test('contract: deployment-shape — every status and spend type Conferma answers is output as it came', async () => {
		const res = await run({ resource: 'deployment', operation: 'getAll', returnAll: true });
		expect(new Set(json(res).map((d) => d.status))).toEqual(new Set(['Deployed', 'CancelledWithSupplier']));
		expect(new Set(json(res).map((d) => d.spendType))).toEqual(new Set(['Air', 'Hotel', 'Generic']));
	});

	test('Create: the deployment Conferma made, with its card; sent once', async () => {
		const res = await run(create(), { items: [{ ref: 'N8N-CREATE-1' }] });
		expect(res.error).toBeUndefined();
		expect(json(res)[0]).toMatchObject({
			deploymentId: expect.any(Number),
			status: 'Deployed',
			clientAccountCode: { type: 'CLIENTID', value: '1234' },
			consumerReference: 'N8N-CREATE-1',
			deploymentAmount: { amount: 250.5, currencyCode: 'GBP' },
			paymentRange: { startDate: '2026-03-01', endDate: '2026-03-10' },
			supplier: { name: 'Sandbox Hotel' },
			spendType: 'Hotel',
			cardDetails: { number: expect.stringMatching(/^\*\*\*\* \d{4}$/), expiryMonth: expect.any(Number), expiryYear: expect.any(Number) },
		});
		expect(custom().creates).toBe(1);
	});

	test('contract: create-required, client-account-code — Create sends the supplier, and a Client Account Code (CAC) as typed', async () => {
		const res = await run(
			create({ clientAccountCodeType: 'CAC', clientAccountCodeValue: 'ACMEEUR', currencyCode: 'EUR', additionalFields: { extraFields: '{"supplier": {"address": {"city": "Paris"}}}' } }),
			{ items: [{ ref: 'N8N-CAC-1' }] },
		);
		expect(json(res)[0]).toMatchObject({ clientAccountCode: { type: 'CAC', value: 'ACMEEUR' }, supplier: { name: 'Sandbox Hotel', address: { city: 'Paris' } } });
	});

	test('contract: errors — Create refused by Conferma (EVAL000): the error names each field and what is wrong with it', async () => {
		// An unknown card pool is something only Conferma can know.
		const res = await run(create({ clientAccountCodeValue: '999' }), { items: [{ ref: 'N8N-BAD' }], continueOnFail: true });
		const out = json(res)[0];
		expect(out.error).toMatch(/HTTP 400 EVAL000\): clientAccountCode\.value: no card pool has this code/);
		expect(out.description).toMatch(/Nothing was created/);
		expect(posts()).toBe(1);
	});

	test('Create with "reuse by consumer reference": an existing deployment is returned, nothing created; repeats in one run create once', async () => {
		const reuse = create({ options: { reuseExisting: true } });
		const existing = await run(reuse, { items: [{ ref: 'BOOKING-00003' }] });
		expect(json(existing)[0]).toMatchObject({ consumerReference: 'BOOKING-00003', alreadyExisted: true });
		expect(custom().creates ?? 0).toBe(0);

		const res = await run(reuse, { items: [{ ref: 'N8N-NEW-7' }, { ref: 'N8N-NEW-7' }, { ref: 'N8N-NEW-8' }] });
		expect(res.error).toBeUndefined();
		expect(custom().creates).toBe(2);
		expect(json(res)[0].alreadyExisted).toBeUndefined();
		expect(json(res)[1]).toMatchObject({ deploymentId: json(res)[0].deploymentId, alreadyExisted: true });

		// A re-run of the same workflow (n8n's Retry On Fail, or a person pressing run again) creates nothing.
		await run(reuse, { items: [{ ref: 'N8N-NEW-7' }, { ref: 'N8N-NEW-8' }] });
		expect(custom().creates).toBe(2);
	});

	test('Create with "reuse": a look-up answered with other references creates nothing and says why', async () => {
		// The reference filter is not published; if Conferma ignored it, the first deployment of the list must not be taken for this booking's.
		const ignored = conferma().deployments.get(ids()[0])!;
		const original = ignored.consumerReference;
		ignored.consumerReference = 'N8N-LOOKALIKE';
		try {
			const res = await run(create({ options: { reuseExisting: true }, consumerReference: 'n8n-lookalike' }), { items: [{}], continueOnFail: true });
			expect(json(res)[0].error).toMatch(/deployments of other references.*nothing was created/);
			expect(posts()).toBe(0);
		} finally {
			ignored.consumerReference = original;
		}
	});

	test('Create that times out is not sent again, and says to look it up before retrying', async () => {
		// undici's request timers tick about once a second, so the timeout fires after ~1 s, well before the answer.
		conferma().faults.latencyMs = 2_500;
		conferma().faults.latencyPathPrefix = '/deployments';
		const res = await run(create({ options: { timeout: 200 } }), { items: [{ ref: 'N8N-SLOW' }], continueOnFail: true });
		expect(json(res)[0].error).toMatch(/Conferma gave no clear answer to the Create Deployment \(The server timed out.*It was sent once and not again, so it may have taken effect/);
		expect(json(res)[0].description).toMatch(/Get Many filtered by Consumer Reference/);
		await until(() => custom().creates === 1); // the emulator finishes the request it received
		expect(posts()).toBe(1);
		// It was created: a retry with "reuse" finds it instead of deploying a second card.
		conferma().faults.clear();
		const retry = await run(create({ options: { reuseExisting: true } }), { items: [{ ref: 'N8N-SLOW' }] });
		expect(json(retry)[0].alreadyExisted).toBe(true);
		expect(custom().creates).toBe(1);
	});

	test('Create on 429 is sent again (Conferma did not act) and creates once', async () => {
		conferma().faults.fail(2, 429, { pathPrefix: '/deployments', retryAfterSec: 0 });
		const limited = await run(create(), { items: [{ ref: 'N8N-429' }] });
		expect(limited.error).toBeUndefined();
		expect(posts()).toBe(3);
		expect(custom().creates).toBe(1);
	});

	test('Get on a dropped connection is retried and succeeds', async () => {
		conferma().faults.reset(2, '/deployments');
		const res = await run(get(), { items: idItems(1) });
		expect(res.error).toBeUndefined();
		expect(json(res)[0].deploymentId).toBe(Number(ids()[0]));
	});

	test('contract: amend — reads the deployment, applies the changes, sends it whole without the fields Conferma sets', async () => {
		const id = ids()[10];
		const before = { ...conferma().deployments.get(id)! };
		const res = await run(
			{ resource: 'deployment', operation: 'amend', deploymentId: id, updateFields: { amount: 999, endDate: '2026-04-30T10:00:00Z', supplierName: 'Renamed Hotel' } },
			{ items: [{}] },
		);
		expect(res.error).toBeUndefined();
		expect(json(res)[0]).toMatchObject({
			deploymentId: Number(id),
			status: 'Deployed',
			deploymentAmount: { amount: 999, currencyCode: (before.deploymentAmount as IDataObject).currencyCode },
			paymentRange: { startDate: (before.paymentRange as IDataObject).startDate, endDate: '2026-04-30' },
			supplier: { name: 'Renamed Hotel', address: (before.supplier as IDataObject).address },
			consumerReference: before.consumerReference,
		});
		expect(custom()).toMatchObject({ reads: 1, amends: 1 });
	});

	test('contract: amend-cancelled — a cancelled deployment (field named), an unknown id', async () => {
		const cancelled = [...conferma().deployments.values()].find((d) => d.status === 'CancelledWithSupplier')!.deploymentId;
		const amend = async (deploymentId: string | number, updateFields: IDataObject) =>
			json(await run({ resource: 'deployment', operation: 'amend', deploymentId, updateFields }, { items: [{}], continueOnFail: true }))[0].error;
		expect(await amend(cancelled, { amount: 5 })).toMatch(/HTTP 400 EVAL000\): status: a cancelled deployment cannot be amended/);
		expect(await amend('999999999', { amount: 5 })).toMatch(/found no deployment/);
		expect(custom().amends).toBe(1);
	});
});

test('contract: cancel — the node offers no Cancel: Deployment has Amend, Create, Get and Get Many; Invoice has Get Many', () => {
	const operations = (resource: string) =>
		node.description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource))!.options!.map((o) => (o as { value: string }).value);
	expect(operations('deployment')).toEqual(['amend', 'create', 'get', 'getAll']);
	expect(operations('invoice')).toEqual(['getAll']);
});

describe('invoices', () => {
	const invoices = (deploymentId: string, more: IDataObject = {}) => ({ resource: 'invoice', operation: 'getAll', deploymentId, returnAll: true, ...more });
	const withMany = () => [...conferma().invoices.entries()].find(([, list]) => list.length > 20)!;

	test('contract: invoices — Get Many of a deployment: every invoice once, from the zero-based first page', async () => {
		const [id, list] = withMany();
		const res = await run(invoices(id));
		expect(res.error).toBeUndefined();
		expect(json(res).map((v) => v.invoiceId)).toEqual(list.map((v) => v.invoiceId));
		expect(conferma().requestLog.map((r) => r.url)).toContain(`${DEPLOYMENTS}/${id}/invoices?PageNumber=0&PageSize=1000`);
	});

	test('Limit: one page of at least 10, cut to the Limit; one input item per deployment, each output paired', async () => {
		const [id] = withMany();
		const none = ids().find((d) => !conferma().invoices.has(d))!;
		const one = ids().find((d) => conferma().invoices.get(d)?.length === 1)!;
		const res = await run(invoices('={{ $json.id }}', { returnAll: false, limit: 4 }), { items: [{ id }, { id: none }, { id: one }] });
		expect(res.error).toBeUndefined();
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }, { item: 0 }, { item: 2 }]);
		expect(conferma().requestLog.map((r) => r.url)).toContain(`${DEPLOYMENTS}/${id}/invoices?PageNumber=0&PageSize=10`);
		expect(custom().invoiceLists).toBe(3);
	});

	test('an unknown deployment: that item fails with the 404 named', async () => {
		const res = await run(invoices('999999999'), { items: [{}], continueOnFail: true });
		expect(json(res)[0].error).toMatch(/found no deployment with that id \(HTTP 404 ENF001\)/);
	});
});

describe('more than one page (2,050 deployments)', () => {
	let big: Sandbox<'conferma'>;
	beforeAll(async () => {
		big = await startSandbox({ services: ['conferma'], conferma: { deployments: 2_050 } });
	});
	afterAll(() => big.close());

	test('contract: paging — Return All reads pages 0, 1 and 2 of 1,000, each once: every deployment once, in order', async () => {
		const result = await runNode({
			nodeType: node,
			credentialTypes: [new ConfermaPayApi()],
			parameters: { resource: 'deployment', operation: 'getAll', returnAll: true },
			credentials: { confermaPayApi: confermaCredentials(big) },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json.deploymentId)).toEqual([...big.conferma.deployments.values()].map((d) => d.deploymentId));
		const pages = big.conferma.requestLog.filter((r) => r.url.startsWith(DEPLOYMENTS)).map((r) => r.url).sort();
		expect(pages).toEqual([0, 1, 2].map((n) => `${DEPLOYMENTS}?PageNumber=${n}&PageSize=1000`));
	});

	test('a Limit of 1,500 reads two pages and stops there', async () => {
		big.conferma.resetCounters();
		const result = await runNode({
			nodeType: node,
			credentialTypes: [new ConfermaPayApi()],
			parameters: { resource: 'deployment', operation: 'getAll', returnAll: false, limit: 1_500 },
			credentials: { confermaPayApi: confermaCredentials(big) },
		});
		expect(result.items).toHaveLength(1_500);
		expect(big.conferma.counters.custom.lists).toBe(2);
	});
});

describe('one token per platform', () => {
	test('contract: token-revokes — 20 executions at once, 25 items each: exactly 1 token request and 0 responses of 401', async () => {
		conferma().faults.latencyMs = 5;
		const runs = await Promise.all(Array.from({ length: 20 }, () => run(get(), { items: idItems(25) })));
		expect(runs.every((r) => !r.error && r.items.length === 25)).toBe(true);
		expect(conferma().counters.tokenRequests).toBe(1);
		expect(custom().http401 ?? 0).toBe(0);
		expect(custom().reads).toBe(500);
	});

	test('contract: auth — revoked mid-run by another client: exactly one new token, the 401s replayed, every item succeeds', async () => {
		conferma().faults.latencyMs = 40;
		const pending = Promise.all(Array.from({ length: 4 }, () => run(get(), { items: idItems(25) })));
		await until(() => (custom().reads ?? 0) >= 16); // requests with the first token are in flight now
		conferma().revokeTokens();
		const runs = await pending;
		expect(runs.every((r) => !r.error && r.items.length === 25)).toBe(true);
		expect(custom().revokedTokenUses).toBeGreaterThan(1); // many concurrent 401s…
		expect(conferma().counters.tokenRequests).toBe(2); // …one new token
		expect(custom().reads).toBe(100); // each item answered once, after its replay
	});

	test('a Create refused with 401 (revoked token) is replayed once with the new token: Conferma did not act on it', async () => {
		await run(get(), { items: idItems(1) });
		conferma().revokeTokens();
		const res = await run(create(), { items: [{ ref: 'N8N-AFTER-REVOKE' }] });
		expect(res.error).toBeUndefined();
		expect(posts()).toBe(2); // the refused one and the replay…
		expect([...conferma().deployments.values()].filter((d) => d.consumerReference === 'N8N-AFTER-REVOKE')).toHaveLength(1); // …one deployment
		expect(custom().http401).toBe(1);
		expect(conferma().counters.tokenRequests).toBe(2);
	});

	test('the token runs out between runs: one refresh before use, no 401', async () => {
		// 3 s, not 1: the second run must end well inside its own token's life (less its 10% margin), even on a loaded
		// machine, or it rightly takes a third token.
		conferma().tokenLifetimeSec = 3;
		await run(get(), { items: idItems(5) });
		await sleep(3_050);
		const res = await run(get(), { items: idItems(25) });
		expect(res.error).toBeUndefined();
		expect(conferma().counters.tokenRequests).toBe(2);
		expect(custom().http401 ?? 0).toBe(0);
	});

	test('the token expires mid-run (server side): one refresh, nothing lost', async () => {
		conferma().faults.latencyMs = 40;
		const pending = run(get(), { items: idItems(60) });
		await until(() => (custom().reads ?? 0) >= 16);
		conferma().expireTokens();
		const res = await pending;
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(60);
		expect(custom().expiredTokenUses).toBeGreaterThan(0);
		expect(conferma().counters.tokenRequests).toBe(2);
	});

	test('a 401 that persists with a new token says what to do (someone else keeps taking tokens)', async () => {
		await run(get(), { items: idItems(1) });
		conferma().resetCounters();
		conferma().faults.fail(2, 401, { pathPrefix: '/deployments', body: { errorCode: 'ESEC001', message: 'Authorization has been denied for this request.', details: [] } });
		const res = await run(get(), { items: idItems(1), continueOnFail: true });
		expect(json(res)[0].error).toMatch(/rejected the access token, also a newly issued one \(HTTP 401 ESEC001\)/);
		expect(json(res)[0].description).toMatch(/each new Conferma token revokes all others/);
		expect(conferma().counters.tokenRequests).toBe(1);
	});
});

describe('credential', () => {
	const credentialTest = (overrides: IDataObject = {}) =>
		node.methods.credentialTest.confermaPayApiTest.call({} as never, { id: 'c', name: 'Conferma', type: 'confermaPayApi', data: credentials(overrides) as never });

	test('contract: token — good values pass', async () => {
		expect(await credentialTest()).toEqual({ status: 'OK', message: expect.stringMatching(/platform "n8n-sandbox-platform" reads deployments/) });
	});

	test('reuses the token the workflows are using: no new token, so nothing running is revoked', async () => {
		await run(get(), { items: idItems(2) });
		const result = await credentialTest();
		expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/the token in use/) });
		await run(get(), { items: idItems(2) });
		expect(conferma().counters.tokenRequests).toBe(1);
		expect(custom().http401 ?? 0).toBe(0);
	});

	test('says which part is wrong: id/secret, platform key name, Base URL, production without hosts', async () => {
		const secret = await credentialTest({ clientSecret: 'wrong-secret-123' });
		expect(secret.status).toBe('Error');
		expect(secret.message).toMatch(/Client ID or Client Secret is wrong/);
		expect(secret.message).not.toContain('wrong-secret-123');
		expect((await credentialTest({ platformKeyName: 'other-platform' })).message).toMatch(/Platform Key Name is wrong/);
		expect((await credentialTest({ baseUrl: `${conferma().url}/nothing-here` })).message).toMatch(/There is no Conferma API at the Base URL/);
		expect((await credentialTest({ environment: 'production', baseUrl: '', tokenUrl: '' })).message).toMatch(/Production runs on your company's own Conferma host: fill Base URL and Token URL/);
		expect((await credentialTest({ clientId: '' })).message).toMatch(/Fill Client ID/);
		expect((await credentialTest({ tokenUrl: 'https://127.0.0.1:1/token' })).message).toMatch(/Token URL \(https:\/\/127\.0\.0\.1:1\/token\) is wrong or unreachable/);
	});

	test('a node run with a wrong platform key name fails with the same diagnosis', async () => {
		const res = await run(get(), { items: idItems(1), creds: credentials({ platformKeyName: 'other' }) });
		expect(res.error?.message).toMatch(/Platform Key Name is wrong/);
	});
});
