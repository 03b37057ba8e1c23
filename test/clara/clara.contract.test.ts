/**
 * The Clara node against Clara's published contract (sandbox/contracts/clara.md), inside n8n's engine, over real
 * TLS and mTLS: the answer shapes the reference pages document (Spring pages, plain arrays, the v2 statement
 * view) and every documented read operation.
 */
import type { IDataObject } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startClara, type ClaraSandbox } from '../../sandbox/clara';
import { claraCredentials } from '../../sandbox/credentials';
import { runNode } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
/** A second Clara whose client exists in Brazil: digital accounts are served only there. */
let brazil: ClaraSandbox;
const leaks = new Leaks();
const node = new Clara();

async function run(parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean; creds?: IDataObject } = {}) {
	const creds = options.creds ?? claraCredentials(sandbox, { environment: 'production' });
	leaks.watch(creds.clientSecret, creds.privateKey);
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
const brazilCredentials = () => claraCredentials({ certs: sandbox.certs, clara: brazil }, { country: 'br' });
/** Paths (without the query) of the data calls the emulator received, in order. */
const paths = (service: ClaraSandbox = sandbox.clara) => service.requestLog.map((r) => r.url.replace(/\?.*$/, '')).filter((u) => !u.endsWith('/oauth/token'));
const query = (service: ClaraSandbox = sandbox.clara) => service.requestLog.filter((r) => !r.url.endsWith('/oauth/token')).map((r) => new URL(r.url, 'https://x').searchParams);

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara'] });
	brazil = await startClara({ certs: sandbox.certs, country: 'br' });
});
afterAll(async () => {
	await closeAllAgents();
	await brazil.close();
	await sandbox.close();
});
beforeEach(() => {
	sandbox.clara.resetCounters();
	brazil.resetCounters();
});

describe('hosts and entities (contract: hosts, tax-identifier)', () => {
	test("Environment Sandbox calls Clara's /api-test/ paths", async () => {
		const res = await run({ resource: 'card', operation: 'getAll', returnAll: false, limit: 2 }, { creds: claraCredentials(sandbox, { environment: 'sandbox' }) });
		expect(res.items.map((i) => i.json.uuid)).toEqual(sandbox.clara.data.cards.slice(0, 2).map((c) => c.uuid));
		expect(paths()).toEqual(['/mx/api-test/v3/cards']);
	});

	test("Tax Identifier reads another entity's data (X-Tax-Identifier); one that is not the account's is a 403 naming it", async () => {
		const second = sandbox.clara.entities[1];
		const res = await run({ resource: 'user', operation: 'getAll', returnAll: true }, { creds: claraCredentials(sandbox, { taxIdentifier: second }) });
		expect(res.items.map((i) => i.json.uuid)).toEqual(sandbox.clara.dataFor(second)!.users.map((u) => u.uuid));
		expect(sandbox.clara.requestLog.filter((r) => !r.url.endsWith('/oauth/token')).map((r) => r.headers['x-tax-identifier'])).toEqual([second]);
		const unknown = await run({ resource: 'user', operation: 'getAll', returnAll: true }, { creds: claraCredentials(sandbox, { taxIdentifier: 'XAXX010101000' }), continueOnFail: false });
		expect(unknown.error?.message).toBe('Clara refused access for tax identifier XAXX010101000 (HTTP 403)');
	});
});

describe('billing statements (contract: statements-*, statement-*-v2)', () => {
	test('Get Current calls the v2 path and returns the v2 view: month, year, status, statementUuid, totalAmount, currency, closingDate', async () => {
		const res = await run({ resource: 'billingStatement', operation: 'getCurrent' });
		expect(res.error).toBeUndefined();
		expect(paths()).toEqual(['/mx/api/v2/billing-statements/current']);
		const open = sandbox.clara.data.billingStatements[5];
		expect(res.items.map((i) => i.json)).toEqual([
			{
				month: Number(open.statementStartDate.slice(5, 7)),
				year: Number(open.statementStartDate.slice(0, 4)),
				status: 'OPEN',
				statementUuid: open.uuid,
				totalAmount: open.totalAmount,
				currency: 'MXN',
				closingDate: open.statementEndDate,
			},
		]);
		expect(typeof res.items[0].json.totalAmount).toBe('number');
	});

	test('Get by Period: GET /v2/billing-statements/{month}/{year}, one item per input item; an unknown period is a 404 naming it', async () => {
		const statements = sandbox.clara.data.billingStatements;
		const periods = [statements[1], statements[3]].map((s) => ({ month: Number(s.statementStartDate.slice(5, 7)), year: Number(s.statementStartDate.slice(0, 4)) }));
		const res = await run({ resource: 'billingStatement', operation: 'getByPeriod', month: '={{ $json.month }}', year: '={{ $json.year }}' }, { items: [...periods, { month: 1, year: 2001 }], continueOnFail: true });
		expect(res.error).toBeUndefined();
		// Items run concurrently, so the order of arrival is not fixed.
		expect(paths().sort()).toEqual([...periods, { month: 1, year: 2001 }].map((p) => `/mx/api/v2/billing-statements/${p.month}/${p.year}`).sort());
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(res.items[0].json).toMatchObject({ ...periods[0], status: 'CLOSED', statementUuid: statements[1].uuid, closingDate: statements[1].statementEndDate });
		expect(res.items[1].json).toMatchObject({ ...periods[1], statementUuid: statements[3].uuid });
		expect(res.items[2].json.error).toMatch(/HTTP 404.*1\/2001/);
	});

	test('Get Many reads the documented plain JSON array; v3 statement fields (statementStartDate, totalAmount as a number, status "closed", generatedAt)', async () => {
		const res = await run({ resource: 'billingStatement', operation: 'getAll', returnAll: true });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(6);
		const first = res.items[0].json;
		expect(Object.keys(first).sort()).toEqual(['currency', 'generatedAt', 'statementEndDate', 'statementStartDate', 'status', 'totalAmount', 'uuid']);
		expect(first).toMatchObject({ status: 'closed', currency: 'MXN', totalAmount: expect.any(Number), generatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
		// The emulator really answered an array, not a page object: this is what the old .content-only reader lost.
		const raw = await run({ resource: 'group', operation: 'getAll', returnAll: true });
		expect(raw.items).toHaveLength(sandbox.clara.data.groups.length);
	});

	test('Get and Get Transactions of one statement', async () => {
		const s = sandbox.clara.data.billingStatements[2];
		const one = await run({ resource: 'billingStatement', operation: 'get', uuid: s.uuid });
		expect(one.items[0].json).toEqual(s);
		const txs = await run({ resource: 'billingStatement', operation: 'getTransactions', uuid: s.uuid, returnAll: true });
		const expected = sandbox.clara.data.transactions.filter((t) => t.billingStatement.uuid === s.uuid);
		expect(txs.items.map((i) => i.json.uuid).sort()).toEqual(expected.map((t) => t.uuid).sort());
		const limited = await run({ resource: 'billingStatement', operation: 'getTransactions', uuid: s.uuid, returnAll: false, limit: 3 });
		expect(limited.items).toHaveLength(3);
	});
});

describe('plain-array lists (contract: groups-list, locations-list, paging-array)', () => {
	test.each([
		['group', 'groups'],
		['location', 'locations'],
	] as const)('%s Get Many: every item of the array, Limit cuts it, one request', async (resource, key) => {
		const all = await run({ resource, operation: 'getAll', returnAll: true });
		expect(all.items.map((i) => i.json)).toEqual(sandbox.clara.data[key]);
		// One page: the array is shorter than the page size asked for, so nothing more is fetched.
		expect(paths()).toEqual([`/mx/api/v2/${key}`]);
		const two = await run({ resource, operation: 'getAll', returnAll: false, limit: 2 });
		expect(two.items.map((i) => i.json)).toEqual(sandbox.clara.data[key].slice(0, 2));
	});
});

describe('cards and users (contract: cards-fields, cards-filters, users-filters)', () => {
	test('cards carry claraStatus and lockCode "UNLOCKED"', async () => {
		const res = await run({ resource: 'card', operation: 'getAll', returnAll: true });
		expect(res.items).toHaveLength(sandbox.clara.data.cards.length);
		for (const { json } of res.items) expect(json).toMatchObject({ claraStatus: expect.any(String), lockCode: 'UNLOCKED', status: expect.any(String) });
		const one = await run({ resource: 'card', operation: 'get', uuid: sandbox.clara.data.cards[3].uuid });
		expect(one.items[0].json).toMatchObject({ claraStatus: 'BLOCKED', lockCode: 'UNLOCKED' });
	});

	test('cards: User UUID filter and a type filter reach Clara', async () => {
		const card = sandbox.clara.data.cards[0];
		const res = await run({ resource: 'card', operation: 'getAll', returnAll: true, filters: { userUuid: ` ${card.user.uuid} `, type: 'MASTER_PHYSICAL' } });
		expect(query()[0].get('userUuid')).toBe(card.user.uuid);
		expect(res.items.length).toBeGreaterThan(0);
		for (const { json } of res.items) expect(json).toMatchObject({ type: 'MASTER_PHYSICAL', user: { uuid: card.user.uuid } });
	});

	test('users: first name, last name, location name, manager and a created-at range', async () => {
		const users = sandbox.clara.data.users;
		const target = users[6];
		const [first, last] = target.fullName.split(' ');
		const byName = await run({ resource: 'user', operation: 'getAll', returnAll: true, filters: { name: first, lastName: last } });
		expect(byName.items.map((i) => i.json.uuid)).toContain(target.uuid);
		for (const { json } of byName.items) expect(json.fullName).toBe(target.fullName);
		const location = sandbox.clara.data.locations[1];
		const byLocation = await run({ resource: 'user', operation: 'getAll', returnAll: true, filters: { locationName: location.name } });
		expect(byLocation.items.map((i) => i.json.uuid).sort()).toEqual(users.filter((u) => u.locationUuid === location.uuid).map((u) => u.uuid).sort());
		const manager = users.find((u) => u.role === 'MANAGER')!;
		const reports = await run({ resource: 'user', operation: 'getAll', returnAll: true, filters: { managerUuid: manager.uuid } });
		expect(reports.items).toHaveLength(users.length - 1);
		const created = await run({ resource: 'user', operation: 'getAll', returnAll: true, filters: { createdAtStart: '2024-03-01T00:00:00', createdAtEnd: '2024-05-31' } });
		expect(query().at(-1)!.get('createdAtStart')).toBe('2024-03-01');
		const expected = users.filter((u) => u.createdAt.slice(0, 10) >= '2024-03-01' && u.createdAt.slice(0, 10) <= '2024-05-31');
		expect(expected.length).toBeGreaterThan(0);
		expect(created.items.map((i) => i.json.uuid).sort()).toEqual(expected.map((u) => u.uuid).sort());
	});
});

describe('Reimbursement → Get Many (contract: reimbursements-*)', () => {
	test('Return All brings every reimbursement; Limit 5 asks Clara for one page of 5', async () => {
		const all = await run({ resource: 'reimbursement', operation: 'getAll', returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.items.map((i) => i.json.uuid)).toEqual(sandbox.clara.data.reimbursements.map((r) => r.uuid));
		// The largest page Clara serves (contract: paging-validation), not the default 20: one request for 45 rows.
		expect(query().map((q) => q.get('size'))).toEqual(['100']);
		sandbox.clara.resetCounters();
		const five = await run({ resource: 'reimbursement', operation: 'getAll', returnAll: false, limit: 5 });
		expect(five.items).toHaveLength(5);
		expect(query().map((q) => [q.get('page'), q.get('size')])).toEqual([['0', '5']]);
	});

	test('date ranges, statuses (spaces after commas tolerated) and category codes reach Clara as documented', async () => {
		const rows = sandbox.clara.data.reimbursements;
		const from = rows[20].expenseDate;
		const res = await run({
			resource: 'reimbursement',
			operation: 'getAll',
			returnAll: true,
			filters: { expenseDateStart: from, statuses: 'PAID, APPROVED,', categoryCodes: '20, 21,22,23,24,25,26,27' },
		});
		const sent = query()[0];
		expect([sent.get('expenseDateStart'), sent.get('statuses'), sent.get('categoryCodes')]).toEqual([from, 'PAID,APPROVED', '20,21,22,23,24,25,26,27']);
		const expected = rows.filter((r) => r.expenseDate >= from && ['PAID', 'APPROVED'].includes(r.status));
		expect(expected.length).toBeGreaterThan(0);
		expect(res.items.map((i) => i.json.uuid)).toEqual(expected.map((r) => r.uuid));
	});

	test('Clara defaults to pages of 20 (what a client that sends no size gets)', async () => {
		// Straight to the emulator: the node always sends a size.
		const { Agent, request } = await import('undici');
		const agent = new Agent({ connect: { ca: sandbox.certs.ca.cert, cert: sandbox.certs.client.cert, key: sandbox.certs.client.key } });
		try {
			const basic = Buffer.from(`${sandbox.clara.clientId}:${sandbox.clara.clientSecret}`).toString('base64');
			const token = ((await (await request(`${sandbox.clara.url}/mx/oauth/token`, { method: 'POST', dispatcher: agent, headers: { authorization: `Basic ${basic}` } })).body.json()) as IDataObject).access_token;
			const page = (await (await request(`${sandbox.clara.url}/mx/api/v3/reimbursements`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } })).body.json()) as IDataObject;
			expect(page).toMatchObject({ size: 20, totalElements: sandbox.clara.data.reimbursements.length, number: 0 });
			expect(page.content).toHaveLength(20);
		} finally {
			await agent.close();
		}
	});
});

describe('Digital Account (Brazil) → Get Transactions (contract: digital-accounts)', () => {
	test('plain arrays without totals: Return All pages until a short page, 130 movements in 2 pages of 100', async () => {
		const res = await run({ resource: 'digitalAccount', operation: 'getTransactions', returnAll: true }, { creds: brazilCredentials() });
		expect(res.error).toBeUndefined();
		expect(res.items.map((i) => i.json.id)).toEqual(brazil.data.digitalAccount.map((r) => r.id));
		expect(query(brazil).map((q) => [q.get('page'), q.get('size')])).toEqual([
			['0', '100'],
			['1', '100'],
		]);
		expect(res.items[0].json).toMatchObject({ id: expect.any(Number), transactionDate: expect.any(String), amount: expect.any(Number), method: expect.any(String), source: expect.any(Object), beneficiary: expect.any(Object) });
	});

	test('Limit, a date range, a type and oldest first reach Clara', async () => {
		const rows = brazil.data.digitalAccount;
		const [start, end] = [rows[40].transactionDate.slice(0, 10), rows[10].transactionDate.slice(0, 10)];
		const res = await run(
			{ resource: 'digitalAccount', operation: 'getTransactions', returnAll: false, limit: 4, filters: { startDate: start, endDate: end, transactionTypeName: 'PIX', sort: 'transactionDate,ASC' } },
			{ creds: brazilCredentials() },
		);
		const sent = query(brazil)[0];
		expect(Object.fromEntries(sent.entries())).toEqual({ startDate: start, endDate: end, transactionTypeName: 'PIX', sort: 'transactionDate,ASC', page: '0', size: '4' });
		const expected = rows.filter((r) => r.method === 'PIX' && r.transactionDate.slice(0, 10) >= start && r.transactionDate.slice(0, 10) <= end).reverse().slice(0, 4);
		expect(res.items.map((i) => i.json.id)).toEqual(expected.map((r) => r.id));
	});
});

describe('Transaction → Get Documents and Get Invoices (contract: transaction-documents, transaction-invoices)', () => {
	const withFlag = (flag: 'hasAttachments' | 'hasInvoice', value: boolean) => sandbox.clara.data.transactions.find((t) => t[flag].value === value)!;

	test('documents: one item per attachment with its download link and expiry, the transaction uuid on each; none → no items', async () => {
		const tx = withFlag('hasAttachments', true);
		const bare = withFlag('hasAttachments', false);
		const res = await run({ resource: 'transaction', operation: 'getDocuments', uuid: '={{ $json.uuid }}' }, { items: [{ uuid: tx.uuid }, { uuid: bare.uuid }] });
		expect(res.error).toBeUndefined();
		expect(paths().sort()).toEqual([`/mx/api/v3/transactions/${tx.uuid}/documents`, `/mx/api/v3/transactions/${bare.uuid}/documents`].sort());
		expect(res.items.length).toBeGreaterThan(0);
		for (const item of res.items) {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toMatchObject({ transactionUuid: tx.uuid, uuid: expect.any(String), fileName: expect.any(String), format: expect.any(String), download: { url: expect.stringMatching(/^https:\/\//), urlExpiration: expect.any(String) } });
			const hours = (Date.parse(String((item.json.download as IDataObject).urlExpiration)) - Date.now()) / 3_600_000;
			expect(hours).toBeGreaterThan(11.9);
			expect(hours).toBeLessThanOrEqual(12);
		}
	});

	test('the editor says the links last 12 hours', () => {
		const notice = node.description.properties.find((p) => p.name === 'documentsNotice');
		expect(notice?.type).toBe('notice');
		expect(notice?.displayName).toMatch(/expire 12 hours/);
		const option = node.description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.[0] === 'transaction');
		expect(JSON.stringify(option)).toMatch(/valid for 12 hours/);
	});

	test('invoices (Mexico): one item per CFDI invoice; a transaction without an invoice gives none', async () => {
		const tx = withFlag('hasInvoice', true);
		const bare = withFlag('hasInvoice', false);
		const res = await run({ resource: 'transaction', operation: 'getInvoices', uuid: '={{ $json.uuid }}' }, { items: [{ uuid: bare.uuid }, { uuid: tx.uuid }] });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(1);
		expect(res.items[0].pairedItem).toEqual({ item: 1 });
		expect(res.items[0].json).toMatchObject({ transactionUuid: tx.uuid, invoiceId: expect.any(String), issuer: { rfc: expect.any(String) }, amount: { total: tx.amountValue.value, currency: 'MXN' }, xmlStatus: 'Vigente' });
	});
});

test('no secret, token or private key appears in any output, error or log line of this file', () => {
	leaks.watch(...sandbox.clara.issuedTokens(), ...brazil.issuedTokens());
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
