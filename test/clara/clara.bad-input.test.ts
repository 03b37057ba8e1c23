/**
 * Bad input to the Clara node, the Clara Trigger and the Clara credential test, tried as a careless or hostile user
 * would: every case gets a message naming the field and what to do, one error per input item with its pairedItem,
 * and — because it can be caught locally — nothing reaches the emulator (its request counter stays at 0) and no
 * secret reaches a plain-HTTP listener.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraTrigger } from '../../nodes/Clara/ClaraTrigger.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials } from '../../sandbox/credentials';
import { poll, runNode } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
const leaks = new Leaks();

async function run(parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean; creds?: IDataObject } = {}) {
	const creds = options.creds ?? claraCredentials(sandbox);
	leaks.watch(creds.clientSecret, creds.privateKey);
	const result = await runNode({
		nodeType: new Clara(),
		credentialTypes: [new ClaraApi()],
		parameters,
		credentials: { claraApi: creds },
		items: options.items,
		continueOnFail: options.continueOnFail ?? true,
	});
	leaks.collect(result);
	return result;
}

/** Runs each bad value as one input item (continueOnFail): one error per item, in order, and nothing sent. */
async function refusedLocally(parameters: IDataObject, values: unknown[], message: RegExp, key = 'value') {
	const res = await run(parameters, { items: values.map((value) => ({ [key]: value })) });
	expect(res.error).toBeUndefined();
	expect(res.items.map((i) => i.pairedItem)).toEqual(values.map((_, item) => ({ item })));
	for (const [i, item] of res.items.entries()) expect([i, item.json.error]).toEqual([i, expect.stringMatching(message)]);
	expect(sandbox.clara.counters.requests).toBe(0);
	return res;
}

/** A plain-HTTP server on loopback that counts what reaches it: no secret may ever be sent to it. */
let plain: Server;
let plainHits = 0;
const plainUrl = () => `http://127.0.0.1:${(plain.address() as AddressInfo).port}/{country}`;

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara'] });
	plain = createServer((req, res) => {
		plainHits++;
		res.end('{}');
	});
	plain.on('connection', () => plainHits++);
	await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await closeAllAgents();
	await new Promise((resolve) => plain.close(resolve));
	await sandbox.close();
});
beforeEach(() => {
	sandbox.clara.resetCounters();
	plainHits = 0;
});

describe('an id is one path segment (contract: get-by-uuid)', () => {
	const bad = ['', '   ', '.', '..', '../transactions', 'a/b', 'a\\b', 'abc?size=100', 'abc#x', '%2e%2e', 'a b', 'x'.repeat(201), { uuid: 'the whole item' }];

	test.each([
		['transaction', 'get', 'Transaction UUID'],
		['transaction', 'getDocuments', 'Transaction UUID'],
		['transaction', 'getInvoices', 'Transaction UUID'],
		['card', 'get', 'Card UUID'],
		['user', 'get', 'User UUID'],
		['group', 'get', 'Group UUID'],
		['location', 'get', 'Location UUID'],
		['billingStatement', 'get', 'Billing Statement UUID'],
		['billingStatement', 'getTransactions', 'Billing Statement UUID'],
	])('%s → %s refuses empty, ".", "..", paths, queries, encoded dots, spaces, objects', async (resource, operation, label) => {
		await refusedLocally({ resource, operation, uuid: '={{ $json.value }}', returnAll: true }, bad, new RegExp(`^${label} (is empty|".*" is not a single id|must be text)`));
	});

	test('the issue\'s case: a statement id of ".." would list every statement\'s transactions as this one\'s', async () => {
		const res = await run({ resource: 'billingStatement', operation: 'getTransactions', uuid: '..', returnAll: true });
		expect(res.items).toHaveLength(1);
		expect(res.items[0].json.error).toBe('Billing Statement UUID ".." is not a single id');
		expect(res.items[0].json.description).toMatch(/not a path/);
		expect(sandbox.clara.counters.requests).toBe(0);
	});

	test('good and bad ids mixed: the good ones are read, each bad one is its own error, all paired', async () => {
		const good = sandbox.clara.data.cards.slice(0, 2).map((c) => c.uuid);
		const res = await run({ resource: 'card', operation: 'get', uuid: '={{ $json.value }}' }, { items: [{ value: good[0] }, { value: '..' }, { value: good[1] }, { value: '' }] });
		expect(res.items.map((i) => [i.pairedItem, i.json.uuid ?? i.json.error])).toEqual([
			[{ item: 0 }, good[0]],
			[{ item: 1 }, 'Card UUID ".." is not a single id'],
			[{ item: 2 }, good[1]],
			[{ item: 3 }, 'Card UUID is empty'],
		]);
		expect(sandbox.clara.requestLog.filter((r) => !r.url.endsWith('/oauth/token'))).toHaveLength(2);
	});

	test('without On Error: Continue, a bad id stops the run before anything is sent, naming the field', async () => {
		const res = await run({ resource: 'card', operation: 'get', uuid: '../cards' }, { continueOnFail: false });
		expect(res.error?.message).toBe('Card UUID "../cards" is not a single id');
		expect(sandbox.clara.counters.requests).toBe(0);
	});
});

describe('dates are real calendar dates, written as Clara takes them', () => {
	test.each([
		['2026-02-30', /^Operation Date From "2026-02-30" is not a real calendar date/],
		['2025-02-29', /not a real calendar date/],
		['2026-13-01', /not a real calendar date/],
		['2026-00-10', /not a real calendar date/],
		['31/01/2026', /^Operation Date From must be a date like YYYY-MM-DD/],
		['2026-1-5', /must be a date like/],
		['yesterday', /must be a date like/],
		['2026-01-31T25:00:00', /impossible time of day/],
	])('transaction filter %s is refused', async (value, message) => {
		await refusedLocally({ resource: 'transaction', operation: 'getAll', returnAll: true, filters: { operationDateRangeStart: '={{ $json.value }}' } }, [value], message);
	});

	test('a range that ends before it starts is refused, on every pair of every operation', async () => {
		const cases: Array<[IDataObject, RegExp]> = [
			[{ resource: 'transaction', operation: 'getAll', filters: { operationDateRangeStart: '2026-03-02', operationDateRangeEnd: '2026-03-01' } }, /^Operation Date To \(2026-03-01\) is before Operation Date From \(2026-03-02\)/],
			[{ resource: 'transaction', operation: 'getAll', filters: { accountingDateRangeStart: '2026-03-02', accountingDateRangeEnd: '2026-01-01' } }, /^Accounting Date To/],
			[{ resource: 'user', operation: 'getAll', filters: { createdAtStart: '2025-01-02', createdAtEnd: '2025-01-01' } }, /^Created To/],
			[{ resource: 'reimbursement', operation: 'getAll', filters: { paymentDateStart: '2025-06-01', paymentDateEnd: '2025-05-31' } }, /^Paid To/],
			[{ resource: 'reimbursement', operation: 'getAll', filters: { lastUpdateDateStart: '2025-06-01', lastUpdateDateEnd: '2025-05-31' } }, /^Last Updated To/],
		];
		for (const [parameters, message] of cases) await refusedLocally({ returnAll: true, ...parameters }, [1], message);
	});

	test("n8n's date picker value, a date-time with its zone, and {{ $today }} are sent as the date the user meant", async () => {
		const res = await run({
			resource: 'transaction',
			operation: 'getAll',
			returnAll: false,
			limit: 1,
			filters: { operationDateRangeStart: '2026-01-31T00:00:00', operationDateRangeEnd: '={{ $today }}', accountingDateRangeStart: '2026-01-31T23:30:00-06:00' },
		});
		expect(res.error).toBeUndefined();
		const sent = new URL(sandbox.clara.requestLog.find((r) => r.url.includes('/transactions'))!.url, 'https://x').searchParams;
		expect(sent.get('operationDateRangeStart')).toBe('2026-01-31');
		expect(sent.get('operationDateRangeEnd')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(sent.get('accountingDateRangeStart')).toBe('2026-01-31');
	});
});

describe('numbers are whole and in range', () => {
	test.each([
		['transaction', 'getAll'],
		['reimbursement', 'getAll'],
		['group', 'getAll'],
		['billingStatement', 'getTransactions'],
	])('%s → %s: Limit 0, -1, 2.5, "ten", "" are refused', async (resource, operation) => {
		const uuid = sandbox.clara.data.billingStatements[0].uuid;
		await refusedLocally({ resource, operation, uuid, returnAll: false, limit: '={{ $json.value }}' }, [0, -1, 2.5, 'ten', ''], /^Limit (must be a whole number of at least 1|is empty)/);
	});

	test('Get by Period: month 13, 0, 6.5 and year 99, 20255 are refused', async () => {
		await refusedLocally({ resource: 'billingStatement', operation: 'getByPeriod', month: '={{ $json.value }}', year: 2025 }, [13, 0, 6.5, 'June'], /^Month "(13|0|6\.5|June)" is not one of its values \(it comes from an expression\)/);
		await refusedLocally({ resource: 'billingStatement', operation: 'getByPeriod', month: 6, year: '={{ $json.value }}' }, [99, 20255, 2025.5], /^Year must be a whole number from 2000 to 2100/);
	});
});

describe('other filters checked before sending', () => {
	test('Card Last Digits must be 4 digits, and a pasted card number is not echoed back', async () => {
		const res = await refusedLocally({ resource: 'transaction', operation: 'getAll', returnAll: true, filters: { cardLastDigits: '={{ $json.value }}' } }, ['5555444433332222', '123', 'abcd'], /^Card Last Digits must be exactly the last 4 digits/);
		expect(JSON.stringify(res.items)).not.toContain('5555444433332222');
	});

	test('cards: User UUID and User ERP ID together are refused (Clara documents them as exclusive)', async () => {
		await refusedLocally({ resource: 'card', operation: 'getAll', returnAll: true, filters: { userUuid: 'u-1', userErpId: 'ERP-1' } }, [1], /^Filters User UUID and User ERP ID cannot be used together/);
	});

	test('reimbursements: category codes are digits', async () => {
		await refusedLocally({ resource: 'reimbursement', operation: 'getAll', returnAll: true, filters: { categoryCodes: '={{ $json.value }}' } }, ['23,food', '2 3', '-1'], /^Category Codes must be numbers separated by commas/);
	});

	test('country-only endpoints are refused for a credential of another country', async () => {
		await refusedLocally({ resource: 'digitalAccount', operation: 'getTransactions', returnAll: true }, [1], /^Digital account transactions: Clara offers these only in Brazil, and this credential's Country is Mexico/);
		const br = claraCredentials(sandbox, { country: 'br' });
		const res = await run({ resource: 'transaction', operation: 'getInvoices', uuid: sandbox.clara.data.transactions[0].uuid }, { creds: br });
		expect(res.items[0].json.error).toMatch(/^Invoices \(CFDI\): Clara offers these only in Mexico, and this credential's Country is Brazil/);
		expect(sandbox.clara.counters.requests).toBe(0);
	});
});

describe('secrets never travel in clear: an http:// Base URL Override', () => {
	test('the node refuses it for every item, naming the field, and nothing reaches the listener', async () => {
		const creds = claraCredentials(sandbox, { baseUrl: plainUrl() });
		const res = await run({ resource: 'transaction', operation: 'get', uuid: '={{ $json.value }}' }, { creds, items: [{ value: 'a' }, { value: 'b' }] });
		expect(res.items.map((i) => [i.pairedItem, i.json.error])).toEqual([
			[{ item: 0 }, expect.stringMatching(/^Base URL Override "http:\/\/127\.0\.0\.1:\d+\/\{country\}" is not an https:\/\/ address/)],
			[{ item: 1 }, expect.stringMatching(/^Base URL Override/)],
		]);
		expect(res.items[0].json.description).toMatch(/unencrypted, so nothing is sent/);
		const stopped = await run({ resource: 'health', operation: 'check' }, { creds, continueOnFail: false });
		expect(stopped.error?.message).toMatch(/^Base URL Override .* is not an https:\/\/ address/);
		expect(plainHits).toBe(0);
	});

	test('the credential test refuses it before step 1', async () => {
		const data = claraCredentials(sandbox, { baseUrl: plainUrl() });
		const result = await new Clara().methods.credentialTest.claraApiTest.call({} as ICredentialTestFunctions, { id: '1', name: 'clara', type: 'claraApi', data } as ICredentialsDecrypted);
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/^Base URL Override .* is not an https:\/\/ address.*nothing is sent/) });
		expect(plainHits).toBe(0);
	});

	test('other unusable overrides say what is wrong', async () => {
		for (const [baseUrl, message] of [
			['ftp://127.0.0.1/{country}', /is not an https:\/\/ address/],
			['public-api.mx.clara.com', /is not a URL/],
			['https://user:pass@127.0.0.1/{country}', /must not contain a user name or password/],
		] as const) {
			const res = await run({ resource: 'health', operation: 'check' }, { creds: claraCredentials(sandbox, { baseUrl }) });
			expect(res.items[0].json.error).toMatch(message);
		}
		expect(sandbox.clara.counters.requests).toBe(0);
	});
});

describe('the Clara Trigger fails closed', () => {
	const options = (parameters: IDataObject, creds: IDataObject = claraCredentials(sandbox)) => ({
		nodeType: new ClaraTrigger(),
		parameters: { event: 'newTransaction', lookBackDays: 3, filters: {}, ...parameters },
		credentials: { claraApi: creds },
		credentialTypes: [new ClaraApi()],
		staticData: {},
	});

	test.each([0, -1, 2.5, 40, 'three', ''])('a look-back window of %p is refused clearly, never a trigger that never fires', async (lookBackDays) => {
		const error = await poll(options({ lookBackDays })).catch((e) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(/^Look-Back Days (must be a whole number from 1 to 31|is empty)/);
		expect(sandbox.clara.counters.requests).toBe(0);
	});

	test('bad Card Last Digits and an http:// Base URL Override are refused before any request', async () => {
		expect((await poll(options({ filters: { cardLastDigits: '12' } })).catch((e) => e)).message).toMatch(/^Card Last Digits must be exactly the last 4 digits/);
		expect((await poll(options({}, claraCredentials(sandbox, { baseUrl: plainUrl() }))).catch((e) => e)).message).toMatch(/^Base URL Override .* is not an https:\/\/ address/);
		expect(sandbox.clara.counters.requests).toBe(0);
		expect(plainHits).toBe(0);
	});

	test('a good window of 1 works (the boundary is allowed)', async () => {
		expect(await poll(options({ lookBackDays: 1 }))).toBeNull();
		expect(sandbox.clara.counters.requests).toBeGreaterThan(0);
	});
});

test('no secret, token or private key appears in any output, error or log line of this file', () => {
	leaks.watch(...sandbox.clara.issuedTokens());
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
