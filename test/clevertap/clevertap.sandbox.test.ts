/**
 * The CleverTap emulator itself, over real HTTPS, as a raw client sees it: the node tests rely on these behaviours.
 */
import { closeAllAgents, send, type HttpRequest } from '../../nodes/transport';
import { generateCertificates } from '../../sandbox/certs';
import { startCleverTap, type CleverTapSandbox } from '../../sandbox/clevertap';
import type { SandboxCerts } from '../../sandbox/types';

let certs: SandboxCerts;
let ct: CleverTapSandbox;

beforeAll(async () => {
	certs = await generateCertificates();
	ct = await startCleverTap({ certs, region: 'in1' });
});
afterAll(async () => {
	await closeAllAgents();
	await ct.close();
});
beforeEach(() => {
	ct.resetCounters();
	ct.faults.clear();
	ct.workMs = 0;
	ct.pendingPolls = 1;
	ct.countPolls = 2;
});

type Body = Record<string, any>;
const call = async (req: Omit<HttpRequest, 'url'> & { path: string; region?: string; passcode?: string; accountId?: string }) => {
	const headers = { 'x-clevertap-account-id': req.accountId ?? ct.accountId, 'x-clevertap-passcode': req.passcode ?? ct.passcode, ...req.headers };
	const res = await send({ ...req, headers, url: `${ct.url}/${req.region ?? 'in1'}${req.path}` }, { tls: { ca: certs.ca.cert }, retry: { retries: 0 } });
	return { status: res.status, body: res.body as Body };
};

test('auth: the right region answers; every other region, a wrong passcode and a wrong account id answer the same 401', async () => {
	const ok = await call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 } });
	expect(ok.status).toBe(200);
	const refusals = await Promise.all([
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, region: 'eu1' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, region: 'sg1' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, passcode: 'wrong-passcode' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, accountId: 'OTHER-ACCOUNT' }),
	]);
	for (const r of refusals) expect(r).toEqual({ status: 401, body: { status: 'fail', error: 'Invalid credentials or URL', code: 401 } });
	// No region segment is Europe (the bare api.clevertap.com host): this account is not there.
	const bare = await send(
		{ method: 'GET', url: `${ct.url}/1/profile.json?identity=user-0001`, headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode } },
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	expect(bare.status).toBe(401);
	expect((await call({ method: 'GET', path: '/1/profile.json?identity=user-0001', passcode: ct.expiredPasscode })).body).toEqual({ status: 'fail', error: 'Passcode has expired', code: 401 });
	expect(ct.counters.custom.http401).toBe(6);
});

test('partner connect: whitelisted partner, unknown partner (403), invalid credentials (400 as the seed says)', async () => {
	expect(await call({ method: 'GET', path: '/v1/connect?partner=n8n' })).toEqual({ status: 200, body: { message: 'Authorised Successfully.', status: 'success' } });
	expect(await call({ method: 'GET', path: '/v1/connect?partner=patnername' })).toEqual({ status: 403, body: { status: 'fail', error: 'Partner not whitelisted: patnername', code: 403 } });
	expect((await call({ method: 'GET', path: '/v1/connect?partner=n8n', passcode: 'nope-nope' })).status).toBe(400);
});

test('profile by identity, email, objectId; nobody found is a fail body with HTTP 200', async () => {
	const p = ct.profiles.get('user-0007')!;
	for (const q of [`identity=user-0007`, `email=${encodeURIComponent(p.email)}`, `objectId=${p.objectId}`]) {
		expect(await call({ method: 'GET', path: `/1/profile.json?${q}` })).toEqual({ status: 200, body: { status: 'success', record: p } });
	}
	expect(await call({ method: 'GET', path: '/1/profile.json?identity=nobody' })).toEqual({ status: 200, body: { status: 'fail', error: 'Profile not found', code: 404 } });
	expect((await call({ method: 'GET', path: '/1/profile.json' })).status).toBe(400);
});

test('cursor flow: cursor, a page still in progress (code 2), pages of batch_size, no next_cursor at the end', async () => {
	const expected = ct.matching('events', 'Charged', 20260101, 20260331);
	expect(expected.length).toBeGreaterThan(25);
	const open = await call({ method: 'POST', path: '/1/events.json?batch_size=25', json: { event_name: 'Charged', from: 20260101, to: 20260331 } });
	expect(open.body).toEqual({ status: 'success', cursor: expect.any(String) });
	let cursor: string | undefined = open.body.cursor;
	const records: Body[] = [];
	let pending = 0;
	while (cursor) {
		const page = await call({ method: 'GET', path: `/1/events.json?cursor=${cursor}` });
		if (page.body.status === 'fail') {
			expect(page).toEqual({ status: 200, body: { status: 'fail', error: expect.stringMatching(/still in progress/), code: 2 } });
			pending++;
			continue;
		}
		expect(page.body.records.length).toBeLessThanOrEqual(25);
		records.push(...page.body.records);
		cursor = page.body.next_cursor;
	}
	expect(records).toEqual(expected);
	expect(pending).toBe(Math.ceil(expected.length / 25));
	expect(ct.counters.custom.pendingAnswers).toBe(pending);
	expect((await call({ method: 'POST', path: '/1/profiles.json?batch_size=9000', json: { event_name: 'Charged', from: 20260101, to: 20260331 } })).status).toBe(400);
	expect((await call({ method: 'POST', path: '/1/profiles.json', json: { from: 20260101, to: 20260331 } })).body.error).toBe('event_name is mandatory');
	expect((await call({ method: 'POST', path: '/1/profiles.json', json: { event_name: 'Charged', from: 20260331, to: 20260101 } })).status).toBe(400);
});

test('counts are asynchronous: partial with req_id, polled to success', async () => {
	const open = await call({ method: 'POST', path: '/1/counts/profiles.json', json: { event_name: 'App Launched', from: 20260101, to: 20260331 } });
	expect(open.body).toEqual({ status: 'partial', req_id: expect.any(String) });
	const poll = () => call({ method: 'GET', path: `/1/counts/profiles.json?req_id=${open.body.req_id}` });
	expect((await poll()).body.status).toBe('partial');
	expect((await poll()).body.status).toBe('partial');
	expect((await poll()).body).toEqual({ status: 'success', count: ct.matching('profiles', 'App Launched', 20260101, 20260331).length });
});

test('campaigns, campaign report, message report', async () => {
	const list = await call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 } });
	expect(list.body.targets.length).toBeGreaterThan(2);
	const report = await call({ method: 'POST', path: '/1/targets/result.json', json: { id: list.body.targets[0].id } });
	expect(report.body).toMatchObject({ status: 'success', result: { id: list.body.targets[0].id, sent: expect.any(Number) } });
	expect((await call({ method: 'POST', path: '/1/targets/result.json', json: { id: 1 } })).status).toBe(400);
	const messages = await call({ method: 'POST', path: '/1/message/report.json', json: { from: 20260101, to: 20260131 } });
	expect(messages.body.messages).toHaveLength(list.body.targets.length);
});

test('upload: at most 1000 records a call; rejected records are echoed in unprocessed', async () => {
	ct.rejectIdentities.add('bad-1');
	const d = [
		{ type: 'profile', identity: 'new-1', profileData: { Name: 'New' } },
		{ type: 'profile', identity: 'bad-1', profileData: { Name: 'Bad' } },
		{ type: 'event', identity: 'new-1', evtName: 'Charged', evtData: { Amount: 3 }, ts: 1767225600 },
		{ type: 'event', identity: 'new-1' },
	];
	const res = await call({ method: 'POST', path: '/1/upload', json: { d } });
	expect(res.body).toEqual({
		status: 'partial',
		processed: 2,
		unprocessed: [
			{ status: 'fail', code: 513, error: 'Invalid identity', record: d[1] },
			{ status: 'fail', code: 515, error: 'evtName is mandatory for events', record: d[3] },
		],
	});
	expect(ct.profiles.get('new-1')?.name).toBe('New');
	const tooMany = await call({ method: 'POST', path: '/1/upload', json: { d: Array.from({ length: 1001 }, (_, i) => ({ type: 'profile', identity: `x${i}`, profileData: {} })) } });
	expect(tooMany.status).toBe(400);
	expect(ct.counters.custom).toMatchObject({ uploadCalls: 1, uploadedRecords: 2, rejectedRecords: 2, maxRecordsPerCall: 4 });
});

test('concurrency: 3 reads and 15 uploads in flight per account; beyond that 429 without Retry-After', async () => {
	ct.workMs = 150;
	const reads = await Promise.all(Array.from({ length: 5 }, () => call({ method: 'GET', path: '/1/profile.json?identity=user-0001' })));
	expect(reads.filter((r) => r.status === 200)).toHaveLength(3);
	expect(reads.filter((r) => r.status === 429).map((r) => r.body)).toEqual([
		{ status: 'fail', error: 'Too many concurrent requests', code: 429 },
		{ status: 'fail', error: 'Too many concurrent requests', code: 429 },
	]);
	const uploads = await Promise.all(
		Array.from({ length: 17 }, (_, i) => call({ method: 'POST', path: '/1/upload', json: { d: [{ type: 'profile', identity: `c${i}`, profileData: {} }] } })),
	);
	expect(uploads.filter((r) => r.status === 200)).toHaveLength(15);
	expect(uploads.filter((r) => r.status === 429)).toHaveLength(2);
	expect(ct.peak).toEqual({ read: 3, upload: 15 });
	expect(ct.counters.custom.http429).toBe(4);
});

test('POST without a JSON content type is refused', async () => {
	const res = await send(
		{ method: 'POST', url: `${ct.url}/in1/1/targets/list.json`, headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode }, form: { from: '20260101' } },
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	expect(res.status).toBe(400);
});
