/**
 * The Clara emulator's writes and webhook subscribers, seen by a raw undici client over real HTTPS and mTLS: each
 * row of sandbox/contracts/clara.md "## Writes" and "## Webhook subscribers" behaves as the row says. (The node's
 * side of the same rows: test/clara/clara.writes.test.ts and clara.webhook-trigger.test.ts.)
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Agent, request } from 'undici';
import { generateCertificates } from '../../sandbox/certs';
import { startClara, type ClaraSandbox } from '../../sandbox/clara';
import { ALL_GRANTS, defaultWriteQuirks } from '../../sandbox/clara-writes';
import type { SandboxCerts } from '../../sandbox/types';

type Json = Record<string, any>;

let certs: SandboxCerts;
let clara: ClaraSandbox;
let agent: Agent;
let bearer: string;

async function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, prefix = '/mx/api') {
	const res = await request(`${clara.url}${prefix}${path}`, {
		dispatcher: agent,
		method,
		headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.body.text();
	return { status: res.statusCode, text, body: (text ? JSON.parse(text) : {}) as Json };
}

const activeUser = (n = 0) => clara.data.users.filter((u) => u.status === 'ACTIVE')[n];
const card = (extra: Json = {}) => ({ type: 2, alias: 'Sandbox card', userUUID: activeUser().uuid, threshold: 1000, periodicityType: 1, ...extra });

beforeAll(async () => {
	certs = await generateCertificates();
	clara = await startClara({ certs });
	agent = new Agent({ connect: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } });
	const res = await request(`${clara.url}/mx/oauth/token`, {
		dispatcher: agent,
		method: 'POST',
		headers: { authorization: `Basic ${Buffer.from(`${clara.clientId}:${clara.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
		body: 'grant_type=client_credentials',
	});
	bearer = ((await res.body.json()) as Json).access_token;
});
afterAll(async () => {
	await agent.close();
	await clara.close();
});
beforeEach(() => {
	clara.asyncWrites = false;
	Object.assign(clara.writeQuirks, defaultWriteQuirks());
	for (const g of ALL_GRANTS) clara.grants.add(g);
});

describe('writes', () => {
	test('w-permission: without the grant an endpoint needs, 403 FORBIDDEN naming it; reads still work', async () => {
		clara.grants.delete('cards');
		expect(await call('POST', '/v3/cards', card())).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', message: expect.stringMatching(/Write cards/) } });
		expect((await call('GET', '/v3/cards')).status).toBe(200);
		clara.grants.delete('users');
		expect((await call('POST', '/v2/groups', { name: 'G' })).body.message).toMatch(/Write users/);
		clara.grants.delete('webhooks');
		expect((await call('POST', '/v1/subscribers', { name: 'n', callbackUrl: 'https://x.example/h', events: ['PAYMENT_PAID'] })).status).toBe(403);
	});

	test('w-validation + w-card-create + w-threshold-minimum: Clara\'s error body with details; the documented codes; words for the type', async () => {
		const bad = await call('POST', '/v3/cards', { type: 3, alias: '', threshold: 10, periodicityType: 7 });
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.any(String), timestamp: expect.any(String) });
		expect(bad.body.details).toEqual(expect.arrayContaining([expect.stringMatching(/^type:/), expect.stringMatching(/^alias:/), expect.stringMatching(/^periodicityType:/), 'threshold: must be at least 500', expect.stringMatching(/^userUUID:/)]));
		const made = await call('POST', '/v3/cards', card({ type: 1, periodicityType: 2 }));
		expect(made).toMatchObject({ status: 201, body: { uuid: expect.any(String), type: 'MASTER_PHYSICAL', periodicity: 'DAILY', status: 'ACTIVE', claraStatus: 'ACTIVE', lockCode: 'UNLOCKED' } });
		expect((await call('POST', '/v3/cards', card({ type: 'virtual' }))).body.type).toBe('MASTER_VIRTUAL');
		expect((await call('GET', `/v3/cards/${made.body.uuid}`)).body.alias).toBe('Sandbox card');
	});

	test('w-card-rules: an inactive user or a threshold over the credit line is 422; an unknown user 404', async () => {
		const locked = clara.data.users.find((u) => u.status === 'LOCKED')!;
		expect((await call('POST', '/v3/cards', card({ userUUID: locked.uuid }))).body.code).toBe('USER_NOT_ACTIVE');
		expect(await call('POST', '/v3/cards', card({ threshold: 1_000_001 }))).toMatchObject({ status: 422, body: { code: 'THRESHOLD_EXCEEDS_CREDIT_LINE' } });
		expect((await call('POST', '/v3/cards', card({ userUUID: 'no-such-user' }))).status).toBe(404);
	});

	test('w-card-bulk: 204 and no body as documented (the cards are made); list answers by knob; at most 100; one bad card refuses all', async () => {
		const before = clara.data.cards.length;
		expect(await call('POST', '/v3/cards/bulk-create', { cardsRequests: [card({ alias: 'B0' })] })).toMatchObject({ status: 204, text: '' });
		expect(clara.data.cards).toHaveLength(before + 1);
		clara.writeQuirks.bulkAnswer = 'list';
		const two = await call('POST', '/v3/cards/bulk-create', { cardsRequests: [card({ alias: 'B1' }), card({ alias: 'B2' })] });
		expect(two.status).toBe(200);
		expect(two.body.map((c: Json) => c.alias)).toEqual(['B1', 'B2']);
		clara.writeQuirks.bulkAnswer = 'partial';
		const partial = await call('POST', '/v3/cards/bulk-create', { cardsRequests: [card({ alias: 'P1' }), card({ alias: 'P2' })] });
		expect(partial.body.map((c: Json) => c.alias)).toEqual(['P1']);
		expect(clara.data.cards.some((c) => c.alias === 'P2')).toBe(true);
		const count = clara.data.cards.length;
		const oneBad = await call('POST', '/v3/cards/bulk-create', { cardsRequests: [card({ alias: 'B3' }), card({ threshold: 1 })] });
		expect(oneBad).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^cardsRequests\[1\]/) } });
		expect(clara.data.cards).toHaveLength(count);
		expect((await call('POST', '/v3/cards/bulk-create', { cardsRequests: Array.from({ length: 101 }, () => card()) })).status).toBe(400);
		clara.asyncWrites = true;
		expect(await call('POST', '/v3/cards/bulk-create', { cardsRequests: [card({ alias: 'B4' })] })).toMatchObject({ status: 204, text: '' });
	});

	test('w-quirks: an inverted lock flag and an ignored threshold field are still answered UPDATED', async () => {
		const c = (await call('POST', '/v3/cards', card({ alias: 'Quirky' }))).body;
		clara.writeQuirks.invertLock = true;
		expect(await call('PATCH', `/v3/cards/${c.uuid}/lock`, 'true')).toMatchObject({ status: 200, body: { status: 'UPDATED' } });
		expect((await call('GET', `/v3/cards/${c.uuid}`)).body.lockCode).toBe('UNLOCKED');
		await call('PATCH', `/v3/cards/${c.uuid}/lock`, 'false');
		expect((await call('GET', `/v3/cards/${c.uuid}`)).body.lockCode).toBe('LOCKED');
		clara.writeQuirks.ignoreThreshold = true;
		expect(await call('PATCH', `/v3/cards/${c.uuid}/threshold`, { threshold: 3000 })).toMatchObject({ status: 200, body: { status: 'UPDATED' } });
		expect((await call('GET', `/v3/cards/${c.uuid}`)).body.threshold).toBe(1000);
	});

	test('w-card-threshold, w-card-lock, w-card-delete, w-async', async () => {
		const c = (await call('POST', '/v3/cards', card({ alias: 'Life' }))).body;
		expect(await call('PATCH', `/v3/cards/${c.uuid}/threshold`, { threshold: 2000 })).toMatchObject({ status: 200, body: { status: 'UPDATED' } });
		expect((await call('PATCH', `/v3/cards/${c.uuid}/threshold`, { threshold: 499 })).status).toBe(400);
		expect((await call('PATCH', `/v3/cards/${c.uuid}/lock`, { lock: true })).status).toBe(400);
		expect(await call('PATCH', `/v3/cards/${c.uuid}/lock`, 'true')).toMatchObject({ status: 200, body: { status: 'UPDATED' } });
		expect((await call('GET', `/v3/cards/${c.uuid}`)).body).toMatchObject({ lockCode: 'LOCKED', threshold: 2000 });
		clara.asyncWrites = true;
		expect(await call('PATCH', `/v3/cards/${c.uuid}/lock`, 'false')).toMatchObject({ status: 202, body: { status: 'IN_PROGRESS', requestId: expect.any(String) } });
		expect((await call('GET', `/v3/cards/${c.uuid}`)).body.lockCode).toBe('UNLOCKED');
		clara.asyncWrites = false;
		expect(await call('DELETE', `/v3/cards/${c.uuid}`)).toMatchObject({ status: 200, body: { status: 'DELETED' } });
		const listed = (await call('GET', `/v3/cards?userUuid=${activeUser().uuid}&size=100`)).body.content.find((x: Json) => x.uuid === c.uuid);
		expect(listed.status).toBe('CANCELLED');
		expect((await call('DELETE', `/v3/cards/${c.uuid}`)).status).toBe(422);
		expect((await call('PATCH', `/v3/cards/${c.uuid}/lock`, 'true')).status).toBe(422);
		expect((await call('DELETE', '/v3/cards/no-such-card')).status).toBe(404);
	});

	test('w-user-create, w-user-update, w-user-delete', async () => {
		const u = await call('POST', '/v2/users', { fullName: 'Jane Smith', email: 'jane.smith@example.com', phoneNumber: '+5215512345678', jobTitle: 'Operations Manager', department: 'Operations' });
		expect(u).toMatchObject({ status: 201, body: { uuid: expect.any(String), email: 'jane.smith@example.com', fullName: 'Jane Smith', status: 'ACTIVE', role: 'EMPLOYEE' } });
		expect((await call('POST', '/v2/users', { fullName: 'Jane Again', email: 'JANE.SMITH@example.com' })).status).toBe(409);
		expect((await call('POST', '/v2/users', { email: 'x@example.com' })).body.details).toContain('fullName: must not be blank');
		expect(await call('PATCH', `/v3/users/${u.body.uuid}`, { role: 'MANAGER', erpId: 'ERP-9' })).toMatchObject({ status: 200, body: { role: 'MANAGER', erpId: 'ERP-9' } });
		expect((await call('PATCH', `/v3/users/${u.body.uuid}`, { role: 'ADMIN', shoeSize: 42 })).body.details).toEqual(['shoeSize: unknown field', expect.stringMatching(/^role:/)]);
		expect((await call('PATCH', `/v3/users/${u.body.uuid}`, {})).status).toBe(400);
		expect((await call('DELETE', `/v3/users/${u.body.uuid}`)).status).toBe(204);
		expect((await call('GET', `/v3/users/${u.body.uuid}`)).status).toBe(404);
	});

	test('w-group-create, w-group-update, w-group-delete, w-not-found', async () => {
		const g = await call('POST', '/v2/groups', { name: 'Operations', description: 'Logistics and supply chain team' });
		expect(g).toMatchObject({ status: 201, body: { uuid: expect.any(String), name: 'Operations', status: 'ACTIVE' } });
		expect((await call('PATCH', `/v2/groups/${g.body.uuid}`, { description: 'Logistics' })).body).toMatchObject({ name: 'Operations', description: 'Logistics' });
		expect((await call('PUT', `/v2/groups/${g.body.uuid}`, { name: 'Ops' })).status).toBe(405);
		clara.writeQuirks.groupUpdate = 'PUT';
		expect((await call('PATCH', `/v2/groups/${g.body.uuid}`, { name: 'Ops' })).status).toBe(405);
		expect((await call('PUT', `/v2/groups/${g.body.uuid}`, { description: 'no name' })).status).toBe(400);
		// A PUT replaces: the description not sent is blanked.
		expect((await call('PUT', `/v2/groups/${g.body.uuid}`, { name: 'Ops' })).body).toMatchObject({ name: 'Ops', description: '' });
		expect((await call('DELETE', `/v2/groups/${g.body.uuid}`)).status).toBe(204);
		expect((await call('GET', `/v2/groups/${g.body.uuid}`)).status).toBe(404);
		expect((await call('PUT', `/v2/groups/${g.body.uuid}`, { name: 'x' })).body.code).toBe('NOT_FOUND');
	});
});

describe('webhook subscribers', () => {
	let receiver: Server;
	let url = '';
	const received: Json[] = [];
	beforeAll(async () => {
		receiver = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
				res.end('{}');
			});
		});
		await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
		url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
	});
	afterAll(() => new Promise((r) => receiver.close(r)));

	test('s-create, s-update, s-add-event, s-delete-event, s-events', async () => {
		const bad = await call('POST', '/v1/subscribers', { name: '', callbackUrl: 'not a url', events: ['payment paid'] });
		expect(bad.status).toBe(400);
		expect(bad.body.details).toHaveLength(3);
		const s = await call('POST', '/v1/subscribers', { name: 'My Webhook', callbackUrl: url, events: ['PAYMENT_PAID', 'CARD_CREATION_REQUEST_CREATED'], enabled: true, companyUuid: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' });
		expect(s).toMatchObject({ status: 201, body: { uuid: expect.any(String), name: 'My Webhook', callbackUrl: url, enabled: true } });
		expect(await call('PATCH', `/v1/subscribers/${s.body.uuid}`, { name: 'Updated Webhook', events: ['CARD_CREATION_REQUEST_ERROR'] })).toMatchObject({ status: 200, body: { name: 'Updated Webhook', events: ['CARD_CREATION_REQUEST_ERROR'] } });
		expect(await call('POST', '/v1/subscribers/add-event', { callbackUrl: url, event: 'PAYMENT_PAID' })).toMatchObject({ status: 200, body: { events: ['CARD_CREATION_REQUEST_ERROR', 'PAYMENT_PAID'] } });
		expect((await call('POST', '/v1/subscribers/add-event', { callbackUrl: 'https://elsewhere.example/h', event: 'PAYMENT_PAID' })).status).toBe(404);
		expect(await call('DELETE', '/v1/subscribers/delete-event', { callbackUrl: url, event: 'CARD_CREATION_REQUEST_ERROR' })).toMatchObject({ status: 200, body: { events: ['PAYMENT_PAID'] } });
		expect((await call('PATCH', '/v1/subscribers/no-such-uuid', { enabled: false })).status).toBe(404);
		await call('DELETE', `/v1/subscribers/${s.body.uuid}`);
	});

	test('s-list (paged, each documented filter), s-delete', async () => {
		const made: Json[] = [];
		for (const [i, events] of [['PAYMENT_PAID'], ['CARD_CREATION_REQUEST_CREATED'], ['PAYMENT_PAID', 'CARD_LOCKED']].entries()) {
			made.push((await call('POST', '/v1/subscribers', { name: `List ${i}`, callbackUrl: `${url}?list=${i}`, events, enabled: i !== 1 })).body);
		}
		const uuids = (body: Json) => (body.content as Json[]).map((s) => s.uuid).filter((u) => made.some((m) => m.uuid === u));
		const list = (query: string) => call('GET', `/v1/subscribers?${query}`);
		expect(uuids((await list(`callbackUrl=${encodeURIComponent(`${url}?list=1`)}`)).body)).toEqual([made[1].uuid]);
		expect(uuids((await list('name=List%202')).body)).toEqual([made[2].uuid]);
		expect(uuids((await list(`uuid=${made[0].uuid}`)).body)).toEqual([made[0].uuid]);
		expect(uuids((await list('enabled=false&size=100')).body)).toEqual([made[1].uuid]);
		expect(uuids((await list('events=CARD_LOCKED,CARD_CREATION_REQUEST_CREATED&size=100')).body)).toEqual([made[1].uuid, made[2].uuid]);
		const first = await list('size=1&page=0');
		expect(first).toMatchObject({ status: 200, body: { size: 1, number: 0, totalPages: first.body.totalElements, last: false } });
		expect((await list('size=101')).status).toBe(400);
		expect((await call('DELETE', `/v1/subscribers/${made[0].uuid}`)).status).toBe(204);
		expect(uuids((await list(`uuid=${made[0].uuid}`)).body)).toEqual([]);
		expect((await call('DELETE', `/v1/subscribers/${made[0].uuid}`)).status).toBe(404);
		for (const m of made.slice(1)) await call('DELETE', `/v1/subscribers/${m.uuid}`);
	});

	test('s-deliver, s-signature: enabled subscribers of the event get a JSON POST with no signature header', async () => {
		const s = (await call('POST', '/v1/subscribers', { name: 'Deliveries', callbackUrl: `${url}?n=2`, events: ['PAYMENT_PAID'] })).body;
		received.length = 0;
		const results = await clara.deliver('PAYMENT_PAID', { paymentUuid: 'p-1' });
		const mine = results.filter((r) => r.callbackUrl === s.callbackUrl);
		expect(mine).toEqual([{ callbackUrl: s.callbackUrl, event: 'PAYMENT_PAID', eventId: expect.any(String), status: 200, body: '{}', contentType: '' }]);
		const got = received.find((r) => r.body.data?.paymentUuid === 'p-1')!;
		expect(got.body).toEqual({ event: 'PAYMENT_PAID', eventId: expect.any(String), createdAt: expect.any(String), data: { paymentUuid: 'p-1' } });
		expect(got.headers['content-type']).toBe('application/json');
		expect(Object.keys(got.headers).filter((h) => /signature|secret|hmac/i.test(h))).toEqual([]);
		await call('PATCH', `/v1/subscribers/${s.uuid}`, { enabled: false });
		expect((await clara.deliver('PAYMENT_PAID')).filter((r) => r.callbackUrl === s.callbackUrl)).toEqual([]);
	});
});
