/**
 * The Clara node inside n8n's engine, against the sandbox over real TLS and mTLS.
 */
import type { IDataObject } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials } from '../../sandbox/credentials';
import { pemBlock } from '../../sandbox/certs';
import { runNode } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
const leaks = new Leaks();
const node = new Clara();

function credentials(overrides: IDataObject = {}): IDataObject {
	return claraCredentials(sandbox, overrides);
}

async function run(parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean; creds?: IDataObject } = {}) {
	const creds = options.creds ?? credentials();
	leaks.watch(creds.clientSecret, creds.privateKey, creds.passphrase);
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new ClaraApi()],
		parameters,
		credentials: { claraApi: creds },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	leaks.collect(result);
	return result;
}

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => sandbox.clara.resetCounters());

describe('every operation', () => {
	const first = (list: IDataObject[]) => list[0].uuid as string;
	test.each([
		['transaction', 'transactions', '/v3/transactions'],
		['card', 'cards', ''],
		['user', 'users', ''],
		['group', 'groups', ''],
		['location', 'locations', ''],
		['billingStatement', 'billingStatements', ''],
	])('%s: Get and Get Many', async (resource, dataKey) => {
		const data = (sandbox.clara.data as unknown as Record<string, IDataObject[]>)[dataKey];
		const many = await run({ resource, operation: 'getAll', returnAll: false, limit: 5 });
		expect(many.error).toBeUndefined();
		expect(many.items).toHaveLength(Math.min(5, data.length));
		const one = await run({ resource, operation: 'get', uuid: first(data) });
		expect(one.error).toBeUndefined();
		expect(one.items[0].json.uuid).toBe(first(data));
		expect(one.items[0].pairedItem).toEqual({ item: 0 });
	});

	test('billing statement: transactions of one statement, and the current statement (v2)', async () => {
		const statement = sandbox.clara.data.billingStatements[0] as IDataObject;
		const txs = await run({ resource: 'billingStatement', operation: 'getTransactions', uuid: statement.uuid, returnAll: true });
		expect(txs.error).toBeUndefined();
		expect(txs.items.length).toBeGreaterThan(0);
		for (const t of txs.items) expect((t.json.billingStatement as IDataObject).uuid).toBe(statement.uuid);
		const current = await run({ resource: 'billingStatement', operation: 'getCurrent' });
		expect(current.error).toBeUndefined();
		expect(current.items[0].json).toMatchObject({ status: 'OPEN', statementUuid: sandbox.clara.data.billingStatements[5].uuid });
	});

	test('health needs neither token nor certificate', async () => {
		const res = await run({ resource: 'health', operation: 'check' }, { creds: credentials({ publicCertificate: '', privateKey: '' }) });
		expect(res.error).toBeUndefined();
		expect(res.items[0].json.healthy).toBe(true);
		expect(sandbox.clara.counters.tokenRequests).toBe(0);
	});

	test('Return All walks every page; filters reach Clara', async () => {
		const all = await run({ resource: 'transaction', operation: 'getAll', returnAll: true });
		expect(all.error).toBeUndefined();
		const expected = sandbox.clara.data.transactions.length;
		expect(expected).toBeGreaterThan(200);
		expect(all.items).toHaveLength(expected);
		expect(new Set(all.items.map((i) => i.json.uuid)).size).toBe(expected);
		const filtered = await run({ resource: 'transaction', operation: 'getAll', returnAll: true, filters: { status: 'REJECTED' } });
		expect(filtered.items.length).toBeGreaterThan(0);
		for (const i of filtered.items) expect(JSON.stringify(i.json.status)).toContain('REJECTED');
	});
});

describe('tokens and connections', () => {
	test('one token for a multi-item execution and for several executions', async () => {
		tokens.store = new (tokens.store.constructor as any)();
		const uuids = sandbox.clara.data.transactions.slice(0, 30).map((t: IDataObject) => ({ uuid: t.uuid }));
		const params = { resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' };
		await run(params, { items: uuids });
		await Promise.all([run(params, { items: uuids }), run(params, { items: uuids }), run(params, { items: uuids })]);
		expect(sandbox.clara.counters.tokenRequests).toBe(1);
		expect(sandbox.clara.counters.requests).toBe(1 + 4 * 30);
	});

	test('200 items cost as many TLS handshakes as pooled connections, not 200', async () => {
		await closeAllAgents();
		sandbox.clara.resetCounters();
		const uuids = sandbox.clara.data.transactions.slice(0, 200).map((t: IDataObject) => ({ uuid: t.uuid }));
		const res = await run({ resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' }, { items: uuids });
		expect(res.items).toHaveLength(200);
		// 16 items in flight at once (ITEM_CONCURRENCY) → at most 16 connections, all opened once.
		expect(sandbox.clara.counters.handshakes).toBeLessThanOrEqual(16);
		expect(sandbox.clara.counters.requests).toBeGreaterThanOrEqual(200);
	});

	test('a token is refreshed after it expires', async () => {
		tokens.store = new (tokens.store.constructor as any)();
		// Long enough that a stalled event loop (CI installs n8n beside these suites) cannot age a fresh token past
		// its refresh margin within one run; short enough to wait out.
		sandbox.clara.tokenLifetimeSec = 3;
		await run({ resource: 'transaction', operation: 'getAll', limit: 1 });
		await new Promise((r) => setTimeout(r, 3_200));
		const res = await run({ resource: 'transaction', operation: 'getAll', limit: 1 });
		sandbox.clara.tokenLifetimeSec = 3600;
		expect(res.error).toBeUndefined();
		expect(sandbox.clara.counters.tokenRequests).toBe(2);
		expect(sandbox.clara.counters.custom.http401 ?? 0).toBe(0);
	});

	test('a 401 with a stale token is recovered with exactly one new token', async () => {
		await run({ resource: 'transaction', operation: 'getAll', limit: 1 });
		sandbox.clara.resetCounters();
		sandbox.clara.revokeTokens();
		const uuids = sandbox.clara.data.transactions.slice(0, 40).map((t: IDataObject) => ({ uuid: t.uuid }));
		const res = await run({ resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' }, { items: uuids });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(40);
		expect(sandbox.clara.counters.tokenRequests).toBe(1);
	});
});

describe('failures say what to do', () => {
	const list = { resource: 'transaction', operation: 'getAll', limit: 1 };
	const failWith = async (creds: IDataObject, pattern: RegExp) => {
		const res = await run(list, { creds: credentials(creds) });
		expect(res.error?.message).toMatch(pattern);
		return res;
	};

	test('no client certificate → 511 explained', () => failWith({ publicCertificate: '', privateKey: '' }, /none was presented \(HTTP 511\)/));
	test('a certificate from another CA → 406 explained', () =>
		failWith({ publicCertificate: sandbox.certs.foreign.cert, privateKey: sandbox.certs.foreign.key }, /not issued by Clara/));
	test("Clara's CA missing → says to paste it", () => failWith({ caPublicCertificate: '' }, /not trusted/));
	test('an expired certificate', () => failWith({ publicCertificate: sandbox.certs.expired.cert, privateKey: sandbox.certs.expired.key }, /expired on/));
	test('a key that does not match the certificate', () => failWith({ privateKey: sandbox.certs.foreign.key }, /does not belong/));
	test('an empty or malformed PEM', async () => {
		await failWith({ publicCertificate: 'hello' }, /not a valid PEM certificate/);
		await failWith({ privateKey: pemBlock('PRIVATE KEY', 'nope') }, /not a valid PEM key/);
		await failWith({ privateKey: '' }, /without its private key/);
	});
	test('a wrong passphrase', () => {
		const enc = sandbox.certs.clientEncrypted;
		return failWith({ publicCertificate: enc.cert, privateKey: enc.key, passphrase: 'not-the-passphrase' }, /passphrase is wrong/);
	});
	test('a wrong secret, and a wrong country', async () => {
		await failWith({ clientSecret: 'wrong-secret-123' }, /client id or secret is wrong for country MX/);
		await failWith({ country: 'co' }, /wrong for country CO/);
	});
	test('an unknown uuid is a 404 with a hint', async () => {
		const res = await run({ resource: 'card', operation: 'get', uuid: '00000000-0000-0000-0000-000000000000' });
		expect(res.error?.message).toMatch(/found nothing with that uuid \(HTTP 404\)/);
	});
	test('a malformed date filter is refused before any call; a bad sort is Clara’s 400', async () => {
		const bad = await run({ resource: 'transaction', operation: 'getAll', limit: 1, filters: { operationDateRangeStart: '31/01/2026' } });
		expect(bad.error?.message).toMatch(/^Operation Date From must be a date like YYYY-MM-DD/);
		expect(sandbox.clara.counters.requests).toBe(0);
		const sort = await run({ resource: 'transaction', operation: 'getAll', limit: 1, filters: { sort: 'amount,UP' } });
		expect(sort.error?.message).toMatch(/Clara rejected the request/);
	});
	test('a bad item among good ones with continueOnFail: one output per input, nothing lost', async () => {
		const good = sandbox.clara.data.transactions.slice(0, 2).map((t: IDataObject) => t.uuid);
		const items = [{ uuid: good[0] }, { uuid: 'no-such-uuid' }, { uuid: '' }, { uuid: good[1] }];
		const res = await run({ resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' }, { items, continueOnFail: true });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(4);
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(res.items[0].json.uuid).toBe(good[0]);
		expect(res.items[1].json.error).toMatch(/HTTP 404/);
		expect(res.items[2].json.error).toBe('Transaction UUID is empty');
		expect(res.items[3].json.uuid).toBe(good[1]);
	});
});

test('no secret, token or private key appears in any output, error or log line of this file', () => {
	leaks.watch(...sandbox.clara.issuedTokens());
	leaks.assertNone();
});
