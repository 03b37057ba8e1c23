/**
 * The Conferma emulator seen by a raw undici client over real HTTPS: each published row of
 * sandbox/contracts/conferma.md, as the emulator answers it (the node tests show the node handles the same rows).
 */
import { Agent, request } from 'undici';
import { generateCertificates } from '../../sandbox/certs';
import { cardAuthorisation, startConferma, type ConfermaSandbox } from '../../sandbox/conferma';

type Json = Record<string, any>;
let conferma: ConfermaSandbox;
let agent: Agent;
let bearer: string;

async function call(path: string, init: { method?: 'GET' | 'POST' | 'PUT'; headers?: Record<string, string>; body?: unknown; form?: string } = {}) {
	const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, ...init.headers };
	let body: string | undefined;
	if (init.form !== undefined) {
		body = init.form;
		headers['content-type'] = 'application/x-www-form-urlencoded';
	} else if (init.body !== undefined) {
		body = JSON.stringify(init.body);
		headers['content-type'] = 'application/json';
	}
	const res = await request(`${conferma.url}${path}`, { dispatcher: agent, method: init.method ?? 'GET', headers, body });
	const text = await res.body.text();
	return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as Json };
}

const tokenRequest = () =>
	call('/token', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${conferma.clientId}:${conferma.clientSecret}`).toString('base64')}` }, form: `grant_type=client_credentials&scope=${conferma.platformKeyName}` });

const DEPLOYMENTS = '/deployments/v1/deployments';
const valid = () => ({
	clientAccountCode: { type: 'CLIENTID', value: '1234' },
	deploymentAmount: { amount: 120.5, currencyCode: 'GBP' },
	paymentRange: { startDate: '2026-05-01', endDate: '2026-05-03' },
	supplier: { name: 'Emulator Hotel' },
});

beforeAll(async () => {
	const certs = await generateCertificates();
	conferma = await startConferma({ certs });
	agent = new Agent({ connect: { ca: certs.ca.cert } });
	bearer = (await tokenRequest()).body.access_token;
});
afterAll(async () => {
	await agent.close();
	await conferma.close();
});

describe('token (seed 004)', () => {
	test('contract: token, token-revokes — {access_token, expires, issued}; a new token revokes the one before (401 ESEC001)', async () => {
		const first = await tokenRequest();
		expect(first).toMatchObject({ status: 200, body: { access_token: expect.any(String), expires: expect.any(String), issued: expect.any(String) } });
		bearer = first.body.access_token;
		expect((await call(`${DEPLOYMENTS}?PageSize=10`)).status).toBe(200);
		bearer = (await tokenRequest()).body.access_token;
		const old = await request(`${conferma.url}${DEPLOYMENTS}`, { dispatcher: agent, headers: { authorization: `Bearer ${first.body.access_token}` } });
		expect(old.statusCode).toBe(401);
		expect(await old.body.json()).toMatchObject({ errorCode: 'ESEC001' });
	});
	test('the counters tell a token revoked while it worked from one that had run out before the next was issued', async () => {
		const live = (await tokenRequest()).body.access_token;
		const useOf = (token: string) => request(`${conferma.url}${DEPLOYMENTS}`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } }).then((r) => r.body.dump());
		conferma.resetCounters();
		const stale = (await tokenRequest()).body.access_token;
		await useOf(live); // revoked while it still worked
		expect(conferma.counters.custom).toMatchObject({ revokedTokenUses: 1 });
		conferma.expireTokens();
		await useOf(stale);
		bearer = (await tokenRequest()).body.access_token;
		await useOf(stale); // the expired token, after the next one was issued: still the expiry
		expect(conferma.counters.custom).toMatchObject({ revokedTokenUses: 1, expiredTokenUses: 2 });
	});
});

describe('paging (confermapay.readme.io/reference/pagination)', () => {
	test('contract: paging — zero-based PageNumber (default 0), PageSize default 100, answer {totalItems, totalPages, pageNumber, pageSize, items}', async () => {
		const ids = [...conferma.deployments.values()].map((d) => d.deploymentId);
		const first = await call(DEPLOYMENTS);
		expect(Object.keys(first.body).sort()).toEqual(['items', 'pageNumber', 'pageSize', 'totalItems', 'totalPages']);
		expect(first.body).toMatchObject({ totalItems: ids.length, totalPages: Math.ceil(ids.length / 100), pageNumber: 0, pageSize: 100 });
		expect(first.body.items.map((d: Json) => d.deploymentId)).toEqual(ids.slice(0, 100));
		const second = await call(`${DEPLOYMENTS}?PageNumber=1&PageSize=100`);
		expect(second.body.items.map((d: Json) => d.deploymentId)).toEqual(ids.slice(100, 200));
	});

	test('contract: paging-range — PageSize under 10, over 1000 or not whole, and a negative PageNumber, are refused (400 EVAL000)', async () => {
		for (const q of ['PageSize=9', 'PageSize=1001', 'PageSize=10.5', 'PageNumber=-1']) {
			const res = await call(`${DEPLOYMENTS}?${q}`);
			expect(res).toMatchObject({ status: 400, body: { errorCode: 'EVAL000', details: [{ field: q.split('=')[0] }] } });
		}
		expect((await call(`${DEPLOYMENTS}?PageSize=10`)).body.items).toHaveLength(10);
		expect((await call(`${DEPLOYMENTS}?PageSize=1000`)).body.items).toHaveLength(conferma.deployments.size);
	});
});

describe('deployments', () => {
	test('contract: deployment-shape — numeric deploymentId, status Deployed, types from the report set', async () => {
		const items = (await call(`${DEPLOYMENTS}?PageSize=1000`)).body.items as Json[];
		expect(items.every((d) => Number.isInteger(d.deploymentId))).toBe(true);
		expect(new Set(items.map((d) => d.status))).toEqual(new Set(['Deployed', 'CancelledWithSupplier']));
		expect(items.every((d) => ['Air', 'Rail', 'Car', 'Hotel', 'Generic'].includes(d.spendType))).toBe(true);
	});

	test('contract: create-required — clientAccountCode, deploymentAmount, paymentRange and supplier are required', async () => {
		for (const field of ['clientAccountCode', 'deploymentAmount', 'paymentRange', 'supplier']) {
			const body: Json = valid();
			delete body[field];
			const res = await call(DEPLOYMENTS, { method: 'POST', body });
			expect(res).toMatchObject({ status: 400, body: { errorCode: 'EVAL000', details: [{ field, issue: 'is required' }] } });
		}
		const made = await call(DEPLOYMENTS, { method: 'POST', body: valid() });
		expect(made).toMatchObject({ status: 201, body: { deploymentId: expect.any(Number), status: 'Deployed', supplier: { name: 'Emulator Hotel' } } });
	});

	test('contract: client-account-code — CLIENTID (quick start) and CAC; another type is refused', async () => {
		const made = await call(DEPLOYMENTS, { method: 'POST', body: { ...valid(), clientAccountCode: { type: 'CAC', value: 'ACMEGBP' } } });
		expect(made.status).toBe(201);
		const bta = await call(DEPLOYMENTS, { method: 'POST', body: { ...valid(), clientAccountCode: { type: 'BTA', value: 'ACME-1' } } });
		expect(bta.body.details).toEqual([{ field: 'clientAccountCode.type', issue: 'must be one of CLIENTID, CAC' }]);
	});

	test('contract: amount, payment-range — an amount of 0, a currency that is not 3 letters, an impossible date and a range that ends first are refused', async () => {
		const res = await call(DEPLOYMENTS, {
			method: 'POST',
			body: { ...valid(), deploymentAmount: { amount: 0, currencyCode: 'pounds' }, paymentRange: { startDate: '2026-02-30', endDate: '2026-01-01' } },
		});
		expect(res.body.details.map((d: Json) => d.field).sort()).toEqual(['deploymentAmount.amount', 'deploymentAmount.currencyCode', 'paymentRange.startDate']);
		const backwards = await call(DEPLOYMENTS, { method: 'POST', body: { ...valid(), paymentRange: { startDate: '2026-05-03', endDate: '2026-05-01' } } });
		expect(backwards.body.details).toEqual([{ field: 'paymentRange.endDate', issue: 'must not be before startDate' }]);
	});

	test('contract: amend — PUT merges the given fields; the ones Conferma sets (deploymentId, status) are not changed by a body', async () => {
		const d = [...conferma.deployments.values()].find((x) => x.status === 'Deployed')!;
		const res = await call(`${DEPLOYMENTS}/${d.deploymentId}`, { method: 'PUT', body: { deploymentId: 1, status: 'CancelledWithSupplier', supplierReference: 'AMENDED-1' } });
		expect(res).toMatchObject({ status: 200, body: { deploymentId: d.deploymentId, status: 'Deployed', supplierReference: 'AMENDED-1', consumerReference: d.consumerReference } });
	});

	test('contract: invoices — a deployment\'s invoices are a paged list; an unknown deployment is 404', async () => {
		const [id, list] = [...conferma.invoices.entries()].find(([, l]) => l.length > 20)!;
		const page = await call(`${DEPLOYMENTS}/${id}/invoices?PageNumber=2&PageSize=10`);
		expect(page.body).toMatchObject({ totalItems: list.length, totalPages: 3, pageNumber: 2, pageSize: 10 });
		expect(page.body.items.map((v: Json) => v.invoiceId)).toEqual(list.slice(20).map((v) => v.invoiceId));
		expect((await call(`${DEPLOYMENTS}/999999999/invoices`)).status).toBe(404);
	});

	test('contract: cancel — no cancel endpoint (not in the published reference)', async () => {
		const id = [...conferma.deployments.keys()][0];
		expect((await call(`${DEPLOYMENTS}/${id}/cancel`, { method: 'POST' })).status).toBe(404);
	});
});

describe('webhook (confermapay.readme.io/reference/webhooks)', () => {
	test('contract: webhook-payload — version and notificationMessageID are integers, event 98 "Card Authorisation Activity"', () => {
		const a = cardAuthorisation(100001);
		const b = cardAuthorisation(100001);
		expect(a).toMatchObject({ version: 1, notificationEventType: { id: 98, name: 'Card Authorisation Activity' } });
		expect(Number.isInteger(a.notificationMessageID)).toBe(true);
		expect(b.notificationMessageID).not.toBe(a.notificationMessageID);
		expect(a.notificationCreationTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
	});
});
