/**
 * The Clara emulator and the sandbox framework, seen by a raw undici client over real HTTPS and real mTLS: what
 * the node tests, the demo and the benchmark rely on.
 */
import { Agent, request } from 'undici';
import { generateCertificates } from '../../sandbox/certs';
import { startClara, type ClaraSandbox } from '../../sandbox/clara';
import { startService } from '../../sandbox/framework';
import { startSandbox } from '../../sandbox';
import type { SandboxCerts } from '../../sandbox/types';

type Json = Record<string, any>;
interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	body: Json;
}

let certs: SandboxCerts;
let clara: ClaraSandbox;
const agents: Agent[] = [];

/** An agent per client identity; `identity` undefined = no client certificate. */
function agent(identity?: { cert: string; key: string; passphrase?: string }, options: { connections?: number } = {}) {
	const a = new Agent({ connect: { ca: certs.ca.cert, ...identity }, ...options });
	agents.push(a);
	return a;
}
let good: Agent;
let bare: Agent;

async function call(a: Agent, path: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
	const res = await request(`${clara.url}${path}`, { dispatcher: a, method: init.method ?? 'GET', headers: init.headers, body: init.body });
	const text = await res.body.text();
	let body: Json = {};
	try {
		body = text ? JSON.parse(text) : {};
	} catch {
		// malformed on purpose in the fault tests
	}
	return { status: res.statusCode, headers: res.headers, text, body };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function token(country = 'mx', id = clara.clientId, secret = clara.clientSecret) {
	return call(bare, `/${country}/oauth/token`, { method: 'POST', headers: { authorization: basic(id, secret), ...FORM }, body: 'grant_type=client_credentials' });
}
let bearer: string;
const get = (path: string, headers: Record<string, string> = {}, a = good) => call(a, `/mx${path}`, { headers: { authorization: `Bearer ${bearer}`, ...headers } });

beforeAll(async () => {
	certs = await generateCertificates();
	clara = await startClara({ certs });
	good = agent(certs.client);
	bare = agent();
	bearer = (await token()).body.access_token;
});
afterAll(async () => {
	await Promise.all(agents.map((a) => a.close()));
	await clara.close();
});
beforeEach(() => {
	clara.resetCounters();
	clara.faults.clear();
});

describe('certificates', () => {
	test('CA, server SAN, and the client set are made at run time', () => {
		const { X509Certificate } = require('crypto') as typeof import('crypto');
		const ca = new X509Certificate(certs.ca.cert);
		expect(ca.subject).toBe('CN=Clara API Certificate Authority');
		expect(ca.ca).toBe(true);
		const server = new X509Certificate(certs.server.cert);
		expect(server.subjectAltName).toBe('IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
		expect(server.verify(ca.publicKey)).toBe(true);
		expect(new X509Certificate(certs.client.cert).verify(ca.publicKey)).toBe(true);
		expect(new X509Certificate(certs.foreign.cert).verify(ca.publicKey)).toBe(false);
		expect(new Date(new X509Certificate(certs.expired.cert).validTo).getTime()).toBeLessThan(Date.now());
		expect(certs.clientEncrypted.key).toContain('ENCRYPTED PRIVATE KEY');
	});

	test('generated once per process', async () => {
		expect(await generateCertificates()).toBe(certs);
	});
});

describe('health and token (no client certificate needed)', () => {
	test('health in every country, without a certificate', async () => {
		for (const c of ['mx', 'co', 'br']) expect(await call(bare, `/${c}/v2/health`)).toMatchObject({ status: 200, body: { status: 'UP' } });
	});

	test('token with a form body, an empty body and no body; a JWT with exp', async () => {
		const auth = { authorization: basic(clara.clientId, clara.clientSecret) };
		const answers = [
			await call(bare, '/mx/oauth/token', { method: 'POST', headers: { ...auth, ...FORM }, body: 'grant_type=client_credentials' }),
			await call(bare, '/mx/oauth/token', { method: 'POST', headers: { ...auth, ...FORM }, body: '' }),
			await call(bare, '/mx/oauth/token', { method: 'POST', headers: auth }),
		];
		for (const a of answers) {
			expect(a.status).toBe(200);
			expect(a.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
			const claims = JSON.parse(Buffer.from(a.body.access_token.split('.')[1], 'base64url').toString());
			expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
		}
		expect(clara.counters.tokenRequests).toBe(3);
		// The token endpoint also works with a client certificate.
		expect((await call(good, '/mx/oauth/token', { method: 'POST', headers: auth })).status).toBe(200);
	});

	test('wrong secret, wrong id, no Authorization, and a country where the client does not exist: 401', async () => {
		const answers = [await token('mx', clara.clientId, 'wrong'), await token('mx', 'someone-else'), await call(bare, '/mx/oauth/token', { method: 'POST' }), await token('co'), await token('br')];
		for (const a of answers) {
			expect(a.status).toBe(401);
			expect(a.body).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String), timestamp: expect.any(String) });
		}
		expect(clara.counters.tokenRequests).toBe(5);
		expect(clara.counters.custom.http401).toBe(5);
	});
});

describe('mTLS then Bearer on data calls', () => {
	test('no certificate → 511, foreign → 406, expired → 406 saying expired, good → 200', async () => {
		const none = await get('/api/v3/transactions', {}, bare);
		expect(none.status).toBe(511);
		const foreign = await get('/api/v3/transactions', {}, agent({ cert: certs.foreign.cert, key: certs.foreign.key }));
		expect(foreign.status).toBe(406);
		expect(foreign.body.message).not.toMatch(/expired/);
		const expired = await get('/api/v3/transactions', {}, agent(certs.expired));
		expect(expired.status).toBe(406);
		expect(expired.body.message).toMatch(/expired/);
		expect((await get('/api/v3/transactions')).status).toBe(200);
		expect((await get('/api/v3/transactions', {}, agent(certs.clientEncrypted))).status).toBe(200);
	});

	test('the certificate is checked before the token', async () => {
		expect((await call(bare, '/mx/api/v3/transactions')).status).toBe(511);
	});

	test('missing, unknown and expired tokens → 401 UNAUTHORIZED', async () => {
		expect((await call(good, '/mx/api/v3/transactions')).body.code).toBe('UNAUTHORIZED');
		expect((await get('/api/v3/transactions', { authorization: 'Bearer not-a-token' })).status).toBe(401);
		clara.tokenLifetimeSec = 1;
		const short = (await token()).body;
		clara.tokenLifetimeSec = 3600;
		expect(short.expires_in).toBe(1);
		await new Promise((r) => setTimeout(r, 1100));
		const stale = await get('/api/v3/transactions', { authorization: `Bearer ${short.access_token}` });
		expect(stale).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
	});

	test('revokeTokens: the old token is refused, a new one works', async () => {
		const mine = (await token()).body.access_token;
		expect((await get('/api/v3/cards', { authorization: `Bearer ${mine}` })).status).toBe(200);
		clara.revokeTokens();
		expect((await get('/api/v3/cards', { authorization: `Bearer ${mine}` })).status).toBe(401);
		bearer = (await token()).body.access_token;
		expect((await get('/api/v3/cards')).status).toBe(200);
		expect(clara.issuedTokens()).toContain(bearer);
	});
});

describe('data', () => {
	test('Spring pages: default size 50, walk to the last page, every transaction once', async () => {
		const first = await get('/api/v3/transactions');
		expect(first.body).toMatchObject({ totalElements: 250, totalPages: 5, size: 50, number: 0, first: true, last: false, numberOfElements: 50 });
		const seen = new Set<string>();
		for (let page = 0; ; page++) {
			const p = (await get(`/api/v3/transactions?page=${page}&size=100`)).body;
			p.content.forEach((t: Json) => seen.add(t.uuid));
			if (p.last) {
				expect(p).toMatchObject({ number: 2, numberOfElements: 50, totalPages: 3 });
				break;
			}
		}
		expect(seen.size).toBe(250);
		const beyond = (await get('/api/v3/transactions?page=9')).body;
		expect(beyond).toMatchObject({ content: [], numberOfElements: 0, last: true });
	});

	test('transaction fields as documented', async () => {
		const t = (await get('/api/v3/transactions?size=1')).body.content[0];
		for (const field of ['uuid', 'type', 'transactionLabel', 'status', 'amountValue', 'merchant', 'card', 'user', 'billingStatement', 'hasAttachments', 'hasInvoice', 'maskedPan', 'authorizationNumber', 'labels']) {
			expect(t).toHaveProperty(field);
		}
		expect(t.status).toEqual({ code: expect.any(String), description: expect.any(String) });
		expect((await get(`/api/v3/transactions/${t.uuid}`)).body).toEqual(t);
	});

	test('size over 100, a bad page, a malformed date, an impossible date and a bad sort → 400 VALIDATION_ERROR with details', async () => {
		for (const query of ['size=101', 'page=-1', 'operationDateRangeStart=2024/01/01', 'accountingDateRangeEnd=2024-02-30', 'sort=amount,DESC', 'sort=operationDate']) {
			const a = await get(`/api/v3/transactions?${query}`);
			expect(a.status).toBe(400);
			expect(a.body).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.any(String), timestamp: expect.any(String), details: expect.any(Array) });
		}
	});

	test('sort and date filters', async () => {
		const desc = (await get('/api/v3/transactions?size=100&sort=operationDate,DESC')).body.content.map((t: Json) => t.operationDate);
		expect(desc).toEqual([...desc].sort().reverse());
		const asc = (await get('/api/v3/transactions?size=100&sort=operationDate,ASC')).body.content.map((t: Json) => t.operationDate);
		expect(asc).toEqual([...asc].sort());
		const byAccounting = (await get('/api/v3/transactions?size=100&sort=accountingDate,ASC')).body.content.map((t: Json) => t.accountingDate);
		expect(byAccounting).toEqual([...byAccounting].sort());

		const all = clara.data.transactions;
		const day = (t: Json) => t.operationDate.slice(0, 10);
		const start = day(all[Math.floor(all.length * 0.6)]);
		const end = day(all[Math.floor(all.length * 0.3)]);
		const ranged = (await get(`/api/v3/transactions?size=100&operationDateRangeStart=${start}&operationDateRangeEnd=${end}`)).body;
		expect(ranged.totalElements).toBe(all.filter((t) => day(t) >= start && day(t) <= end).length);
		expect(ranged.totalElements).toBeGreaterThan(10);
		expect(ranged.content.every((t: Json) => day(t) >= start && day(t) <= end)).toBe(true);
		const acc = (await get(`/api/v3/transactions?accountingDateRangeStart=${end}`)).body;
		expect(acc.totalElements).toBe(all.filter((t) => t.accountingDate >= end).length);
	});

	test('cardLastDigits and status filters', async () => {
		const digits = clara.data.transactions[0].card.lastFourDigits;
		const byCard = (await get(`/api/v3/transactions?cardLastDigits=${digits}&size=100`)).body;
		expect(byCard.totalElements).toBe(clara.data.transactions.filter((t) => t.card.lastFourDigits === digits).length);
		expect(byCard.content.every((t: Json) => t.card.lastFourDigits === digits)).toBe(true);
		const rejected = (await get('/api/v3/transactions?status=REJECTED&size=100')).body;
		expect(rejected.totalElements).toBeGreaterThan(0);
		expect(rejected.content.every((t: Json) => t.status.code === 'REJECTED')).toBe(true);
	});

	test('cards: fields (claraStatus, lockCode "UNLOCKED"), filters, by uuid; userUuid with userErpId → 400', async () => {
		const cards = (await get('/api/v3/cards?size=100')).body;
		expect(cards.totalElements).toBe(clara.data.cards.length);
		const card = cards.content[0];
		for (const field of ['uuid', 'claraStatus', 'status', 'lockCode', 'alias', 'threshold', 'periodicity', 'maskedPan', 'type', 'user']) expect(card).toHaveProperty(field);
		expect(card).toMatchObject({ claraStatus: 'ACTIVE', lockCode: 'UNLOCKED' });
		const both = await get(`/api/v3/cards?userUuid=${card.user.uuid}&userErpId=ERP-1000`);
		expect(both).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR', details: [expect.stringMatching(/cannot be used together/)] } });
		expect(card.user).toEqual({ uuid: expect.any(String), fullName: expect.any(String), username: expect.any(String) });
		const mine = (await get(`/api/v3/cards?userUuid=${card.user.uuid}`)).body.content;
		expect(mine.length).toBeGreaterThan(0);
		expect(mine.every((c: Json) => c.user.uuid === card.user.uuid)).toBe(true);
		const filtered = (await get('/api/v3/cards?status=ACTIVE&periodicity=MONTHLY&type=MASTER_VIRTUAL&size=100')).body.content;
		expect(filtered.length).toBeGreaterThan(0);
		expect(filtered.every((c: Json) => c.status === 'ACTIVE' && c.periodicity === 'MONTHLY' && c.type === 'MASTER_VIRTUAL')).toBe(true);
		expect((await get(`/api/v3/cards/${card.uuid}`)).body).toEqual(card);
	});

	test('users: fields, filters, by uuid', async () => {
		const users = (await get('/api/v3/users')).body;
		expect(users.totalElements).toBe(clara.data.users.length);
		const user = users.content[0];
		for (const field of ['uuid', 'email', 'fullName', 'status', 'role']) expect(user).toHaveProperty(field);
		expect((await get('/api/v3/users?status=LOCKED')).body.content.every((u: Json) => u.status === 'LOCKED')).toBe(true);
		expect((await get('/api/v3/users?role=MANAGER')).body.content.every((u: Json) => u.role === 'MANAGER')).toBe(true);
		expect((await get(`/api/v3/users?email=${encodeURIComponent(user.email)}`)).body.content).toEqual([user]);
		// name is the first name, lastName the rest, fullName the whole (case-insensitive, contained).
		const [first, last] = user.fullName.split(' ');
		const byName = (await get(`/api/v3/users?name=${encodeURIComponent(first.toUpperCase())}&size=100`)).body.content;
		expect(byName).toContainEqual(user);
		expect(byName.every((u: Json) => u.fullName.startsWith(first))).toBe(true);
		expect((await get(`/api/v3/users?lastName=${encodeURIComponent(last)}&size=100`)).body.content.every((u: Json) => u.fullName.endsWith(last))).toBe(true);
		expect((await get(`/api/v3/users?fullName=${encodeURIComponent(user.fullName)}&size=100`)).body.content).toContainEqual(user);
		for (const f of ['uuid', 'mobilePhone', 'taxIdentifier', 'erpId', 'managerUuid']) {
			if (!user[f]) continue;
			expect((await get(`/api/v3/users?${f}=${encodeURIComponent(user[f])}&size=100`)).body.content).toContainEqual(user);
		}
		const location = clara.data.locations[2];
		const here = (await get(`/api/v3/users?locationName=${encodeURIComponent(location.name)}&size=100`)).body.content;
		expect(here.map((u: Json) => u.uuid).sort()).toEqual(clara.data.users.filter((u) => u.locationUuid === location.uuid).map((u) => u.uuid).sort());
		const created = (await get('/api/v3/users?createdAtStart=2024-06-01&createdAtEnd=2024-08-31&size=100')).body.content;
		expect(created.length).toBeGreaterThan(0);
		expect(created.every((u: Json) => u.createdAt.slice(0, 10) >= '2024-06-01' && u.createdAt.slice(0, 10) <= '2024-08-31')).toBe(true);
		expect((await get(`/api/v3/users/${user.uuid}`)).body).toEqual(user);
	});

	test('groups and locations (v2): plain JSON arrays of the whole list, and by uuid', async () => {
		const groups = (await get('/api/v2/groups?page=0&size=2')).body;
		expect(Array.isArray(groups)).toBe(true);
		expect(groups).toHaveLength(clara.data.groups.length);
		expect(groups[0]).toEqual({ uuid: expect.any(String), name: expect.any(String), description: expect.any(String), status: expect.any(String) });
		expect((await get(`/api/v2/groups/${groups[1].uuid}`)).body).toEqual(groups[1]);
		const locations = (await get('/api/v2/locations')).body;
		expect(Array.isArray(locations)).toBe(true);
		expect(locations[0]).toEqual({ uuid: expect.any(String), name: expect.any(String), code: expect.any(String), status: expect.any(String), createdAt: expect.any(String) });
		expect((await get(`/api/v2/locations/${locations[0].uuid}`)).body).toEqual(locations[0]);
	});

	test('billing statements (v3): a plain JSON array with the v3 fields, by uuid, and their transactions', async () => {
		const statements = (await get('/api/v3/billing-statements')).body;
		expect(Array.isArray(statements)).toBe(true);
		expect(statements).toHaveLength(6);
		for (const s of statements) {
			expect(Object.keys(s).sort()).toEqual(['currency', 'generatedAt', 'statementEndDate', 'statementStartDate', 'status', 'totalAmount', 'uuid']);
			expect(typeof s.totalAmount).toBe('number');
		}
		expect(statements.slice(0, 5).every((s: Json) => s.status === 'closed' && /T\d{2}:\d{2}:\d{2}Z$/.test(s.generatedAt))).toBe(true);
		expect(statements[5]).toMatchObject({ status: 'open', generatedAt: null });
		expect((await get('/api/v3/billing-statements?page=1&size=4')).body).toEqual(statements.slice(4));
		expect((await get(`/api/v3/billing-statements/${statements[2].uuid}`)).body).toEqual(statements[2]);
		let total = 0;
		for (const s of statements) {
			const txs = (await get(`/api/v3/billing-statements/${s.uuid}/transactions?size=100`)).body;
			expect(txs.content.every((t: Json) => t.billingStatement.uuid === s.uuid)).toBe(true);
			total += txs.totalElements;
		}
		expect(total).toBe(250);
		expect(statements.reduce((sum: number, st: Json) => sum + st.totalAmount, 0)).toBeCloseTo(clara.data.transactions.reduce((sum, t) => sum + t.amountValue.value, 0), 1);
	});

	test('billing statements (v2): current and by month/year, the v2 view; a bad period → 400, an unknown one → 404; no v3 current', async () => {
		const statements = clara.data.billingStatements;
		const current = (await get('/api/v2/billing-statements/current')).body;
		expect(current).toEqual({
			month: Number(statements[5].statementStartDate.slice(5, 7)),
			year: Number(statements[5].statementStartDate.slice(0, 4)),
			status: 'OPEN',
			statementUuid: statements[5].uuid,
			totalAmount: statements[5].totalAmount,
			currency: 'MXN',
			closingDate: statements[5].statementEndDate,
		});
		const [y, m] = statements[1].statementStartDate.split('-').map(Number);
		expect((await get(`/api/v2/billing-statements/${m}/${y}`)).body).toMatchObject({ month: m, year: y, status: 'CLOSED', statementUuid: statements[1].uuid });
		expect((await get(`/api/v2/billing-statements/0${m}/${y}`)).body.statementUuid).toBe(statements[1].uuid);
		for (const bad of ['13/2025', '0/2025', 'x/2025', '6/25']) expect((await get(`/api/v2/billing-statements/${bad}`)).status).toBe(400);
		expect((await get('/api/v2/billing-statements/1/2001')).status).toBe(404);
		expect((await get('/api/v3/billing-statements/current')).status).toBe(404);
	});

	test('reimbursements: Spring pages of 20 by default, five date ranges, list filters, digits-only categories', async () => {
		const all = clara.data.reimbursements;
		const first = (await get('/api/v3/reimbursements')).body;
		expect(first).toMatchObject({ size: 20, number: 0, totalElements: all.length, totalPages: Math.ceil(all.length / 20) });
		expect(first.content).toEqual(all.slice(0, 20));
		const r = all[0];
		for (const field of ['uuid', 'requester', 'status', 'categoryCode', 'amount', 'requestCreationDate', 'expenseDate', 'finalApprovalDate', 'paymentDate', 'lastUpdateDate']) expect(r).toHaveProperty(field);
		const paid = (await get('/api/v3/reimbursements?statuses=PAID,REJECTED&size=100')).body.content;
		expect(paid.map((x: Json) => x.uuid)).toEqual(all.filter((x) => ['PAID', 'REJECTED'].includes(x.status)).map((x) => x.uuid));
		const [from, to] = [all[30].expenseDate, all[10].expenseDate];
		const ranged = (await get(`/api/v3/reimbursements?expenseDateStart=${from}&expenseDateEnd=${to}&size=100`)).body.content;
		expect(ranged.map((x: Json) => x.uuid)).toEqual(all.filter((x) => x.expenseDate >= from && x.expenseDate <= to).map((x) => x.uuid));
		const approved = (await get(`/api/v3/reimbursements?finalApprovalDateStart=2000-01-01&size=100`)).body.content;
		expect(approved.every((x: Json) => x.finalApprovalDate !== null)).toBe(true);
		const mine = (await get(`/api/v3/reimbursements?requesterUuids=${r.requester.uuid}&categoryCodes=${r.categoryCode}&uuids=${r.uuid}`)).body.content;
		expect(mine).toEqual([r]);
		expect((await get(`/api/v3/reimbursements?requesterName=${encodeURIComponent(r.requester.fullName.toLowerCase())}&size=100`)).body.content).toContainEqual(r);
		for (const bad of ['categoryCodes=23,food', 'paymentDateStart=2025-02-30', 'lastUpdateDateEnd=2025/01/01', 'size=101']) {
			expect(await get(`/api/v3/reimbursements?${bad}`)).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
		}
	});

	test('digital accounts: Brazil only; a plain array, page and size required, dates, type and sort', async () => {
		expect((await get('/api/v3/digital-accounts?page=0&size=10')).status).toBe(404);
		const br = await startClara({ certs, country: 'br' });
		try {
			const issued = await request(`${br.url}/br/oauth/token`, { dispatcher: bare, method: 'POST', headers: { authorization: basic(br.clientId, br.clientSecret) } });
			const tok = ((await issued.body.json()) as Json).access_token;
			const da = (query: string) => request(`${br.url}/br/api/v3/digital-accounts${query}`, { dispatcher: good, headers: { authorization: `Bearer ${tok}` } }).then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as any }));
			const rows = br.data.digitalAccount;
			const p0 = await da('?page=0&size=50');
			expect(p0.status).toBe(200);
			expect(p0.body).toEqual(rows.slice(0, 50));
			expect((await da('?page=2&size=50')).body).toEqual(rows.slice(100));
			expect((await da('?page=9&size=50')).body).toEqual([]);
			expect(rows[0]).toEqual({ id: expect.any(Number), transactionDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00$/), amount: expect.any(Number), method: expect.any(String), type: expect.any(String), source: expect.any(Object), beneficiary: expect.any(Object) });
			const [start, end] = [rows[60].transactionDate.slice(0, 10), rows[30].transactionDate.slice(0, 10)];
			const ranged = (await da(`?page=0&size=100&startDate=${start}&endDate=${end}&transactionTypeName=TED`)).body;
			expect(ranged.map((r: Json) => r.id)).toEqual(rows.filter((r) => r.method === 'TED' && r.transactionDate.slice(0, 10) >= start && r.transactionDate.slice(0, 10) <= end).map((r) => r.id));
			expect((await da('?page=0&size=100&sort=transactionDate,ASC')).body[0]).toEqual(rows[99 + 30]);
			for (const bad of ['', '?page=0', '?size=10', `?page=0&size=10&startDate=${end}&endDate=${start}`, '?page=0&size=10&transactionTypeName=CASH', '?page=0&size=10&startDate=2025-02-30', '?page=0&size=10&sort=amount,ASC']) {
				expect([bad, (await da(bad)).status]).toEqual([bad, 400]);
			}
		} finally {
			await br.close();
		}
	});

	test('a transaction\'s documents (12-hour links) and its invoices (Mexico only)', async () => {
		const withDocs = clara.data.transactions.find((t) => t.hasAttachments.value)!;
		const docs = (await get(`/api/v3/transactions/${withDocs.uuid}/documents`)).body;
		expect(docs.transactionUuid).toBe(withDocs.uuid);
		expect(docs.attachments.length).toBeGreaterThan(0);
		for (const a of docs.attachments) {
			expect(a).toEqual({ uuid: expect.any(String), fileName: expect.any(String), updateAt: expect.any(String), format: expect.any(String), download: { urlExpiration: expect.any(String), url: expect.stringMatching(/^https:\/\//) } });
			expect(Math.round((Date.parse(a.download.urlExpiration) - Date.now()) / 3_600_000)).toBe(12);
		}
		const noDocs = clara.data.transactions.find((t) => !t.hasAttachments.value)!;
		expect((await get(`/api/v3/transactions/${noDocs.uuid}/documents`)).body).toEqual({ transactionUuid: noDocs.uuid, attachments: [] });
		const withInvoice = clara.data.transactions.find((t) => t.hasInvoice.value)!;
		const inv = (await get(`/api/v3/transactions/${withInvoice.uuid}/invoices`)).body;
		expect(inv.transactionUuid).toBe(withInvoice.uuid);
		expect(inv.invoices[0]).toMatchObject({ invoiceId: expect.any(String), issuer: { rfc: expect.any(String), businessName: expect.any(String) }, amount: { total: withInvoice.amountValue.value, currency: 'MXN' }, xmlStatus: 'Vigente' });
		expect((await get(`/api/v3/transactions/${clara.data.transactions.find((t) => !t.hasInvoice.value)!.uuid}/invoices`)).body.invoices).toEqual([]);
		expect((await get('/api/v3/transactions/nope/documents')).status).toBe(404);
		expect((await call(good, `/co/api/v3/transactions/${withInvoice.uuid}/invoices`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(404);
	});

	test('unknown uuids, unknown paths and /api-test/', async () => {
		for (const path of ['/api/v3/transactions/00000000-0000-4000-a000-000000000000', '/api/v3/cards/nope', '/api/v3/users/nope', '/api/v2/groups/nope', '/api/v2/locations/nope', '/api/v3/billing-statements/nope', '/api/v3/billing-statements/nope/transactions', '/api/v3/transactions/nope/invoices']) {
			const a = await get(path);
			expect(a.status).toBe(404);
			expect(a.body).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String), timestamp: expect.any(String) });
		}
		expect((await get('/api/v9/nothing')).status).toBe(404);
		expect((await call(good, '/xx/v2/health')).status).toBe(404);
		const test = (await get('/api-test/v3/transactions?size=5')).body;
		expect(test.content).toEqual((await get('/api/v3/transactions?size=5')).body.content);
	});

	test('X-Tax-Identifier: the first entity by default, the second has its own data, an unknown one → 403', async () => {
		const [first, second] = clara.entities;
		const byDefault = (await get('/api/v3/transactions?size=5')).body;
		expect((await get('/api/v3/transactions?size=5', { 'x-tax-identifier': first })).body).toEqual(byDefault);
		const other = (await get('/api/v3/transactions?size=5', { 'x-tax-identifier': second })).body;
		expect(other.totalElements).toBe(clara.dataFor(second)!.transactions.length);
		expect(other.content[0].uuid).not.toBe(byDefault.content[0].uuid);
		expect((await get(`/api/v3/transactions/${byDefault.content[0].uuid}`, { 'x-tax-identifier': second })).status).toBe(404);
		const unknown = await get('/api/v3/transactions', { 'x-tax-identifier': 'XAXX010101000' });
		expect(unknown.status).toBe(403);
		expect(unknown.body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/tax identifier/i) });
	});

	test('addTransaction: a purchase dated now, first in the default order', async () => {
		const before = (await get('/api/v3/transactions?size=1')).body.totalElements;
		const tx = clara.addTransaction({ transactionLabel: 'Coffee' });
		const after = (await get('/api/v3/transactions?size=1')).body;
		expect(after.totalElements).toBe(before + 1);
		expect(after.content[0]).toMatchObject({ uuid: tx.uuid, transactionLabel: 'Coffee', status: { code: 'AUTHORIZED' } });
		expect(Date.now() - Date.parse(tx.operationDate)).toBeLessThan(5_000);
		clara.data.transactions.shift();
	});
});

describe('framework', () => {
	test('keep-alive: 10 sequential requests on one connection cost 1 handshake', async () => {
		// One connection: undici opens a second one when a request is sent in the same tick as the previous answer ends.
		const a = agent(certs.client, { connections: 1 });
		for (let i = 0; i < 10; i++) expect((await get('/api/v3/cards?size=1', {}, a)).status).toBe(200);
		expect(clara.counters.handshakes).toBe(1);
		expect(clara.counters.requests).toBe(10);
	});

	test('requestLog keeps method, url and headers', async () => {
		await get('/api/v3/users?size=2');
		expect(clara.requestLog).toEqual([{ method: 'GET', url: '/mx/api/v3/users?size=2', headers: expect.objectContaining({ authorization: `Bearer ${bearer}` }) }]);
	});

	test('latencyMs, for every path or under a prefix', async () => {
		clara.faults.latencyMs = 150;
		let t = Date.now();
		await get('/api/v3/cards?size=1');
		expect(Date.now() - t).toBeGreaterThanOrEqual(140);
		clara.faults.latencyPathPrefix = '/mx/api/v3/users';
		t = Date.now();
		await get('/api/v3/cards?size=1');
		expect(Date.now() - t).toBeLessThan(140);
		t = Date.now();
		await get('/api/v3/users?size=1');
		expect(Date.now() - t).toBeGreaterThanOrEqual(140);
	});

	test('handshakeDelayMs holds new connections only', async () => {
		clara.faults.handshakeDelayMs = 200;
		const a = agent(certs.client, { connections: 1 });
		let t = Date.now();
		await get('/api/v3/cards?size=1', {}, a);
		expect(Date.now() - t).toBeGreaterThanOrEqual(190);
		t = Date.now();
		await get('/api/v3/cards?size=1', {}, a);
		expect(Date.now() - t).toBeLessThan(150);
		expect(clara.counters.handshakes).toBe(1);
	});

	test('fail(n, 429, retryAfterSec) then normal answers; a path prefix limits it', async () => {
		clara.faults.fail(2, 429, { retryAfterSec: 7 });
		const first = await get('/api/v3/cards');
		expect(first.status).toBe(429);
		expect(first.headers['retry-after']).toBe('7');
		expect((await get('/api/v3/cards')).status).toBe(429);
		expect((await get('/api/v3/cards')).status).toBe(200);
		expect(clara.counters.custom.http429).toBe(2);

		clara.faults.fail(1, 503, { pathPrefix: '/mx/api/v3/users', body: { code: 'UNAVAILABLE' } });
		expect((await get('/api/v3/cards')).status).toBe(200);
		expect(await get('/api/v3/users')).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
		expect((await get('/api/v3/users')).status).toBe(200);
	});

	test('reset(n) drops the connection without an answer', async () => {
		clara.faults.reset(1);
		await expect(get('/api/v3/cards')).rejects.toThrow();
		expect((await get('/api/v3/cards')).status).toBe(200);
	});

	test('malformed(n) answers 200 with a body that is not JSON', async () => {
		clara.faults.malformed(1);
		const bad = await get('/api/v3/cards');
		expect(bad.status).toBe(200);
		expect(() => JSON.parse(bad.text)).toThrow();
		expect(JSON.parse((await get('/api/v3/cards')).text).content).toHaveLength(30);
	});

	test('counters: in flight and its peak', async () => {
		clara.faults.latencyMs = 100;
		await Promise.all(Array.from({ length: 4 }, () => get('/api/v3/cards?size=1')));
		expect(clara.counters).toMatchObject({ requests: 4, inFlight: 0, peakInFlight: 4 });
	});

	test('a handler exception is a 500 with a JSON body, and is recorded', async () => {
		const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
		const service = await startService({
			name: 'broken',
			certs,
			handler: () => {
				throw new Error('boom');
			},
		});
		try {
			const res = await request(`${service.url}/x`, { dispatcher: bare });
			expect(res.statusCode).toBe(500);
			expect(await res.body.json()).toMatchObject({ message: expect.stringContaining('boom') });
			expect(service.errors).toHaveLength(1);
		} finally {
			quiet.mockRestore();
			await service.close();
		}
	});

	test('close() is prompt with keep-alive connections open', async () => {
		const service = await startService({ name: 'short', certs, handler: () => ({ status: 200, json: {} }) });
		const a = agent();
		await (await request(`${service.url}/`, { dispatcher: a })).body.text();
		const t = Date.now();
		await service.close();
		expect(Date.now() - t).toBeLessThan(1_000);
	});
});

describe('50,000 transactions', () => {
	let big: ClaraSandbox;
	afterAll(async () => big?.close());

	test('deep pages come from one filtered, sorted list: 51 pages, 1 scan', async () => {
		big = await startClara({ certs, transactions: 50_000 });
		const a = agent(certs.client);
		const issued = await request(`${big.url}/mx/oauth/token`, { dispatcher: bare, method: 'POST', headers: { authorization: basic(big.clientId, big.clientSecret) } });
		const tok = ((await issued.body.json()) as Json).access_token;
		const page = async (n: number) => {
			const res = await request(`${big.url}/mx/api/v3/transactions?page=${n}&size=100`, { dispatcher: a, headers: { authorization: `Bearer ${tok}` } });
			return (await res.body.json()) as Json;
		};
		expect((await page(0)).totalElements).toBe(50_000);
		for (let n = 1; n <= 50; n++) await page(n * 9);
		// 51 pages from the cached, sorted list: the rows were filtered and sorted once, not once per request.
		expect(big.counters.custom.listScans).toBe(1);
		expect((await page(499)).last).toBe(true);
	});
});

describe('startSandbox', () => {
	test('starts only the services asked for, with their options, on fixed ports when free', async () => {
		const probe = await startService({ name: 'probe', certs, handler: () => ({ status: 200 }) });
		const basePort = probe.port;
		await probe.close();
		const sandbox = await startSandbox({ services: ['clara'], basePort, clara: { country: 'co', transactions: 10 } });
		try {
			expect(Object.keys(sandbox).sort()).toEqual(['certs', 'clara', 'close']);
			expect(sandbox.clara.port).toBe(basePort);
			expect(sandbox.certs).toBe(certs);
			const res = await request(`${sandbox.clara.url}/co/oauth/token`, { dispatcher: bare, method: 'POST', headers: { authorization: basic(sandbox.clara.clientId, sandbox.clara.clientSecret) } });
			expect(res.statusCode).toBe(200);
			await res.body.dump();
			expect(sandbox.clara.data.transactions).toHaveLength(10);
			// The same fixed port again: taken, so another one is used.
			const quiet = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
			const second = await startSandbox({ services: ['clara'], basePort });
			quiet.mockRestore();
			expect(second.clara.port).not.toBe(basePort);
			await second.close();
		} finally {
			await sandbox.close();
		}
	});
});
