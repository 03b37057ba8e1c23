/**
 * The CleverTap emulator itself, over real HTTPS, as a raw client sees it: one test (or more) per row of
 * sandbox/contracts/clevertap.md, named by the row id. The node tests rely on these behaviours.
 */
import { closeAllAgents, send, type HttpRequest } from '../../nodes/transport';
import { generateCertificates } from '../../sandbox/certs';
import { startCleverTap, type CleverTapSandbox } from '../../sandbox/clevertap';
import type { SandboxCerts } from '../../sandbox/types';

let certs: SandboxCerts;
let ct: CleverTapSandbox;

beforeAll(async () => {
	certs = await generateCertificates();
	ct = await startCleverTap({ certs, region: 'in1', fixedDates: true });
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
	ct.emptyPages = 0;
	ct.countPolls = 2;
	ct.rejectIdentities.clear();
	ct.discardedEvents.clear();
});

type Body = Record<string, any>;
const call = async (req: Omit<HttpRequest, 'url'> & { path: string; region?: string; passcode?: string; accountId?: string }) => {
	const headers = { 'x-clevertap-account-id': req.accountId ?? ct.accountId, 'x-clevertap-passcode': req.passcode ?? ct.passcode, ...req.headers };
	const res = await send({ ...req, headers, url: `${ct.url}/${req.region ?? 'in1'}${req.path}` }, { tls: { ca: certs.ca.cert }, retry: { retries: 0 } });
	return { status: res.status, body: res.body as Body };
};
const post = (path: string, json: unknown) => call({ method: 'POST', path, json });
const charged = { event_name: 'Charged', from: 20260101, to: 20260331 };

test('auth-headers, auth-refused, region-wrong, passcode-expired: the right region answers; everything else the same 401', async () => {
	expect((await post('/1/targets/list.json', { from: 20260101, to: 20260131 })).status).toBe(200);
	const refusals = await Promise.all([
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, region: 'eu1' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, region: 'sk1' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, passcode: 'wrong-passcode' }),
		call({ method: 'POST', path: '/1/targets/list.json', json: { from: 20260101, to: 20260131 }, accountId: 'OTHER-ACCOUNT' }),
	]);
	for (const r of refusals) expect(r).toEqual({ status: 401, body: { status: 'fail', error: 'Invalid credentials or URL', code: 401 } });
	// region-hosts: no region segment is Europe (the bare api.clevertap.com host): this account is not there.
	const bare = await send(
		{ method: 'GET', url: `${ct.url}/1/profile.json?identity=user-0001`, headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode } },
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	expect(bare.status).toBe(401);
	expect((await call({ method: 'GET', path: '/1/profile.json?identity=user-0001', passcode: ct.expiredPasscode })).body).toEqual({ status: 'fail', error: 'Passcode has expired', code: 401 });
	expect(ct.counters.custom.http401).toBe(6);
});

test('connect: whitelisted partner, unknown partner (403), invalid credentials (400 as the seed says)', async () => {
	expect(await call({ method: 'GET', path: '/v1/connect?partner=n8n' })).toEqual({ status: 200, body: { message: 'Authorised Successfully.', status: 'success' } });
	expect(await call({ method: 'GET', path: '/v1/connect?partner=patnername' })).toEqual({ status: 403, body: { status: 'fail', error: 'Partner not whitelisted: patnername', code: 403 } });
	expect((await call({ method: 'GET', path: '/v1/connect?partner=n8n', passcode: 'nope-nope' })).status).toBe(400);
});

test('content-type: a POST without a JSON content type is refused', async () => {
	const res = await send(
		{ method: 'POST', url: `${ct.url}/in1/1/targets/list.json`, headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode }, form: { from: '20260101' } },
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	expect(res.status).toBe(400);
});

test('profile-get, profile-not-found: by identity, email, objectId; nobody is a fail body with HTTP 200', async () => {
	const p = ct.profiles.get('user-0007')!;
	for (const q of [`identity=user-0007`, `email=${encodeURIComponent(p.email)}`, `objectId=${p.objectId}`]) {
		expect(await call({ method: 'GET', path: `/1/profile.json?${q}` })).toEqual({ status: 200, body: { status: 'success', record: p } });
	}
	expect(await call({ method: 'GET', path: '/1/profile.json?identity=nobody' })).toEqual({ status: 200, body: { status: 'fail', error: 'Profile not found', code: 404 } });
	expect((await call({ method: 'GET', path: '/1/profile.json' })).status).toBe(400);
});

/** Walks the cursor flow as the SDK does: while a cursor comes, ask for it (verbatim), whatever the page held. */
async function walk(cursor: string | undefined, path: string) {
	const records: Body[] = [];
	const answers: Body[] = [];
	while (cursor) {
		const page = await call({ method: 'GET', path: `${path}?cursor=${cursor}` });
		answers.push(page.body);
		if (page.body.status === 'fail') continue;
		records.push(...(page.body.records ?? []));
		cursor = page.body.next_cursor;
	}
	return { records, answers };
}

test('cursor-open, cursor-page, cursor-in-progress, cursor-encoded: pages of batch_size, each in progress once, no next_cursor at the end', async () => {
	const expected = ct.matching('events', 'Charged', 20260101, 20260331);
	expect(expected.length).toBeGreaterThan(25);
	const open = await post('/1/events.json?batch_size=25', charged);
	expect(open.body).toEqual({ status: 'success', cursor: expect.stringMatching(/%2B.*%3D%3D$/) });
	const { records, answers } = await walk(open.body.cursor, '/1/events.json');
	expect(records).toEqual(expected);
	const pending = answers.filter((a) => a.status === 'fail');
	expect(pending).toHaveLength(Math.ceil(expected.length / 25));
	for (const a of pending) expect(a).toEqual({ status: 'fail', error: expect.stringMatching(/still in progress/), code: 2 });
	expect(answers.filter((a) => a.status === 'success').every((a, i, all) => (i === all.length - 1 ? !('next_cursor' in a) : typeof a.next_cursor === 'string'))).toBe(true);
	// A cursor encoded a second time is not one CleverTap gave.
	const again = await post('/1/events.json?batch_size=25', charged);
	expect(await call({ method: 'GET', path: `/1/events.json?cursor=${encodeURIComponent(again.body.cursor)}` })).toEqual({ status: 400, body: { status: 'fail', error: 'Incorrect Usage', code: 400 } });
	expect((await post('/1/profiles.json?batch_size=9000', charged)).status).toBe(400);
});

test('range-rules: event_name, YYYYMMDD dates, from not after to', async () => {
	expect((await post('/1/profiles.json', { from: 20260101, to: 20260331 })).body.error).toBe('event_name is mandatory');
	expect((await post('/1/profiles.json', { event_name: 'Charged', from: '2026-01-01', to: 20260331 })).status).toBe(400);
	expect((await post('/1/profiles.json', { event_name: 'Charged', from: 20260331, to: 20260101 })).status).toBe(400);
	expect((await post('/1/counts/events.json', { event_name: 'Charged', from: 20260331, to: 20260101 })).status).toBe(400);
});

test('cursor-open-get: the SDK form, GET with batch_size and the query as JSON, opens the same cursor flow', async () => {
	ct.pendingPolls = 0;
	const query = encodeURIComponent(JSON.stringify({ event_name: 'App Launched', from: 20260101, to: 20260331 }));
	const open = await call({ method: 'GET', path: `/1/profiles.json?batch_size=40&query=${query}` });
	expect(open.body).toEqual({ status: 'success', cursor: expect.any(String) });
	const { records } = await walk(open.body.cursor, '/1/profiles.json');
	expect(records).toEqual(ct.matching('profiles', 'App Launched', 20260101, 20260331));
	expect((await call({ method: 'GET', path: '/1/profiles.json?batch_size=40&query=not-json' })).status).toBe(400);
});

test('cursor-empty-page: empty pages with a next_cursor come before each page of records; the records are all there', async () => {
	ct.pendingPolls = 0;
	ct.emptyPages = 2;
	const expected = ct.matching('events', 'Product Viewed', 20260101, 20260331);
	const open = await post('/1/events.json?batch_size=50', { event_name: 'Product Viewed', from: 20260101, to: 20260331 });
	const { records, answers } = await walk(open.body.cursor, '/1/events.json');
	expect(records).toEqual(expected);
	const pages = Math.ceil(expected.length / 50);
	expect(answers).toHaveLength(pages * 3);
	expect(answers.slice(0, 2)).toEqual([
		{ status: 'success', records: [], next_cursor: expect.any(String) },
		{ status: 'success', records: [], next_cursor: expect.any(String) },
	]);
});

test('cursor-no-records: a query that matches nothing answers a page with no records key and no next_cursor', async () => {
	ct.pendingPolls = 0;
	const open = await post('/1/events.json?batch_size=10', { event_name: 'Never Happened', from: 20260101, to: 20260331 });
	expect(await call({ method: 'GET', path: `/1/events.json?cursor=${open.body.cursor}` })).toEqual({ status: 200, body: { status: 'success' } });
});

test('count-async, count-unknown: partial with an integer req_id, polled to success; or success at once', async () => {
	const open = await post('/1/counts/profiles.json', { event_name: 'App Launched', from: 20260101, to: 20260331 });
	expect(open.body).toEqual({ status: 'partial', req_id: expect.any(Number) });
	expect(Number.isSafeInteger(open.body.req_id)).toBe(true);
	const poll = () => call({ method: 'GET', path: `/1/counts/profiles.json?req_id=${open.body.req_id}` });
	expect((await poll()).body).toEqual({ status: 'partial', req_id: open.body.req_id });
	expect((await poll()).body).toEqual({ status: 'success', count: ct.matching('profiles', 'App Launched', 20260101, 20260331).length });
	expect((await call({ method: 'GET', path: '/1/counts/profiles.json?req_id=123' })).status).toBe(400);
	ct.countPolls = 0;
	expect((await post('/1/counts/events.json', charged)).body).toEqual({ status: 'success', count: ct.matching('events', 'Charged', 20260101, 20260331).length });
});

test('now: the active users, split as asked', async () => {
	ct.activeNow = 30;
	expect((await post('/1/now.json', {})).body).toEqual({ status: 'success', users: 30 });
	expect((await post('/1/now.json', { user_type: true, os: true })).body).toEqual({ status: 'success', users: 30, user_type: { new: 10, returning: 20 }, os: { Android: 15, iOS: 15 } });
});

test('top: asynchronous, the top values per group in the order asked; an unknown property type is "Invalid group"', async () => {
	ct.countPolls = 1;
	const open = await post('/1/counts/top.json', { ...charged, groups: { cur: { property_type: 'event_properties', name: 'Currency' }, src: { property_type: 'session_properties', name: 'session_source', top_n: 1, order: 'asc' } } });
	expect(open.body).toEqual({ status: 'partial', req_id: expect.any(Number) });
	const done = await call({ method: 'GET', path: `/1/counts/top.json?req_id=${open.body.req_id}` });
	const hits = ct.matching('events', 'Charged', 20260101, 20260331);
	const pushes = hits.filter((e) => e.session_props.session_source === 'push').length;
	const least = Math.min(pushes, hits.length - pushes);
	expect(done.body).toEqual({ status: 'success', cur: [{ value: 'USD', count: hits.length }], src: [{ value: pushes === least ? 'push' : 'direct', count: least }] });
	expect((await post('/1/counts/top.json', { ...charged, groups: { x: { property_type: 'nonsense', name: 'a' } } })).body.error).toBe('Invalid group: x');
	expect((await post('/1/counts/top.json', { ...charged, groups: { x: { property_type: 'event_properties', name: 'a', top_n: 101 } } })).status).toBe(400);
});

test('trends: daily, weekly (Monday) and monthly series; unique counts people; at most a year and 5 groups', async () => {
	ct.countPolls = 0;
	const hits = ct.matching('events', 'Charged', 20260101, 20260131);
	const res = await post('/1/counts/trends.json', { event_name: 'Charged', from: 20260101, to: 20260131, groups: { d: { trend_type: 'daily' }, w: { trend_type: 'weekly' }, m: { trend_type: 'monthly' } } });
	expect(res.body.status).toBe('success');
	const total = (series: Record<string, number>) => Object.values(series).reduce((a, b) => a + b, 0);
	expect(total(res.body.d)).toBe(hits.length);
	expect(total(res.body.w)).toBe(hits.length);
	expect(res.body.m).toEqual({ 20260101: hits.length });
	expect(Object.keys(res.body.w)[0]).toBe('20251229');
	const unique = await post('/1/counts/trends.json', { event_name: 'Charged', from: 20260101, to: 20260131, unique: true, groups: { m: { trend_type: 'monthly' } } });
	expect(unique.body.m).toEqual({ 20260101: new Set(hits.map((e) => e.profile.identity)).size });
	expect((await post('/1/counts/trends.json', { event_name: 'Charged', from: 20250101, to: 20260131, groups: { m: { trend_type: 'monthly' } } })).status).toBe(400);
	const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`g${i}`, { trend_type: 'daily' }]));
	expect((await post('/1/counts/trends.json', { ...charged, groups: six })).status).toBe(400);
});

test('campaign-list: by scheduled start, both days included, dashboard and API campaigns alike; campaign-list-unreadable', async () => {
	ct.campaigns.push({ id: 1_799_100_001, name: 'Dashboard M', channel: 'email', status: 'scheduled', scheduled_on: 203001150930 });
	ct.campaigns.push({ id: 1_799_100_002, name: 'Dashboard N', channel: 'email', status: 'scheduled', scheduled_on: 203001172359 });
	const names = async (from: number, to: number) => (await post('/1/targets/list.json', { from, to })).body.targets.map((c: Body) => c.name);
	expect(await names(20300115, 20300117)).toEqual(['Dashboard M', 'Dashboard N']);
	expect(await names(20300116, 20300117)).toEqual(['Dashboard N']);
	expect(await names(20300101, 20300114)).toEqual([]);
	expect(ct.campaignListQueries.slice(-3)).toEqual([{ from: 20300115, to: 20300117 }, { from: 20300116, to: 20300117 }, { from: 20300101, to: 20300114 }]);
	const answers = [];
	for (const knob of ['noTargets', 'statusFail', 'notAList', 'nameless'] as const) {
		ct.campaignList = knob;
		answers.push((await post('/1/targets/list.json', { from: 20300115, to: 20300115 })).body);
	}
	ct.campaignList = 'ok';
	expect(answers).toEqual([
		{ status: 'success' },
		{ status: 'fail', error: 'Internal error', code: 500 },
		{ status: 'success', targets: { count: 1 } },
		{ status: 'success', targets: [{ id: 1_799_100_001, channel: 'email', status: 'scheduled', scheduled_on: 203001150930 }] },
	]);
});

test('campaign-list, campaign-result, message-report', async () => {
	const list = await post('/1/targets/list.json', { from: 20260101, to: 20260131 });
	expect(list.body.targets.length).toBeGreaterThan(2);
	const report = await post('/1/targets/result.json', { id: list.body.targets[0].id });
	expect(report.body).toMatchObject({ status: 'success', result: { id: list.body.targets[0].id, sent: expect.any(Number) } });
	expect((await post('/1/targets/result.json', { id: 1 })).status).toBe(400);
	const messages = await post('/1/message/report.json', { from: 20260101, to: 20260131 });
	expect(messages.body.messages).toHaveLength(list.body.targets.length);
});

test('upload, upload-codes, upload-triggers: every documented code for the record that causes it, the others stored', async () => {
	ct.discardedEvents.add('Old Event');
	ct.rejectIdentities.add('flaky');
	const ok = (r: Body) => ({ type: 'profile', identity: 'good', ...r });
	const ev = (r: Body) => ({ type: 'event', identity: 'good', evtName: 'Ordered', evtData: {}, ...r });
	const cases: Array<[number, Body]> = [
		[509, ev({ evtName: undefined })],
		[512, ev({ evtData: [1, 2] })],
		[513, ev({ evtName: 'App Launched' })],
		[514, ok({ profileData: { Gender: 'male' } })],
		[515, ok({ profileData: { Email: 'not-an-email' } })],
		[516, ok({ profileData: { Phone: '4155551234' } })],
		[517, ok({ profileData: { Employed: 'yes' } })],
		[518, ok({ profileData: { Education: 'PhD' } })],
		[519, ok({ profileData: { Married: 'maybe' } })],
		[520, ok({ profileData: { Age: 'thirty' } })],
		[522, ev({ evtData: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`p${i}`, i])) })],
		[523, { type: 'profile', profileData: {} }],
		[524, { type: 'device', identity: 'good' }],
		[525, ev({ ts: 1767225600000 })],
		[526, { type: 'profile', objectId: 'x', profileData: {} }],
		[528, ev({ evtName: 'Old Event' })],
		[555, ok({ identity: 'flaky', profileData: {} })],
	];
	const stored = [
		ok({ identity: 'new-1', profileData: { Name: 'New', Email: 'new@example.com', Phone: '+14155551234', Gender: 'F', Age: 30 } }),
		ev({ identity: 'new-1', ts: 1767225600, evtData: Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`p${i}`, i])) }),
	];
	const d = [...cases.map((c) => c[1]), ...stored];
	const res = await post('/1/upload', { d });
	expect(res.body).toEqual({
		status: 'partial',
		processed: 2,
		unprocessed: cases.map(([code, record]) => ({ status: 'fail', code, error: expect.any(String), record: JSON.parse(JSON.stringify(record)) })),
	});
	expect(res.body.unprocessed.map((u: Body) => u.error)).toEqual([
		'Event name mandatory',
		'Invalid event structure',
		'Raised a restricted system event',
		'Gender invalid',
		'Email invalid',
		'Phone number invalid',
		'Employment status invalid',
		'Education status invalid',
		'Marital status invalid',
		'Age invalid',
		'Event properties limit exceeded',
		'Missing identity',
		'Data neither event nor profile',
		'Timestamp not in UNIX epoch format',
		'objectId invalid',
		'Discarded event is raised',
		'Miscellaneous server error',
	]);
	expect(ct.profiles.get('new-1')?.name).toBe('New');
	expect(ct.events.filter((e) => e.profile.identity === 'new-1')).toEqual([expect.objectContaining({ event_name: 'Ordered', ts: 20260101000000 })]);
	const tooMany = await post('/1/upload', { d: Array.from({ length: 1001 }, (_, i) => ({ type: 'profile', identity: `x${i}`, profileData: {} })) });
	expect(tooMany.status).toBe(400);
	expect(ct.counters.custom).toMatchObject({ uploadCalls: 1, uploadedRecords: 2, rejectedRecords: cases.length, maxRecordsPerCall: d.length });
});

test('limits: 3 reads, 3 actions and 15 uploads in flight per account; beyond that 429 without Retry-After', async () => {
	// Long enough that all of them are in flight together, even on a loaded machine where connections open slowly.
	ct.workMs = 1000;
	const reads = await Promise.all(Array.from({ length: 5 }, () => call({ method: 'GET', path: '/1/profile.json?identity=user-0001' })));
	expect(reads.filter((r) => r.status === 200)).toHaveLength(3);
	expect(reads.filter((r) => r.status === 429).map((r) => r.body)).toEqual([
		{ status: 'fail', error: 'Too many concurrent requests', code: 429 },
		{ status: 'fail', error: 'Too many concurrent requests', code: 429 },
	]);
	const actions = await Promise.all(Array.from({ length: 4 }, (_, i) => post('/1/demerge/profiles.json', { identities: [`a${i}`, `b${i}`] })));
	expect(actions.filter((r) => r.status === 429)).toHaveLength(1);
	const uploads = await Promise.all(Array.from({ length: 17 }, (_, i) => post('/1/upload', { d: [{ type: 'profile', identity: `c${i}`, profileData: {} }] })));
	expect(uploads.filter((r) => r.status === 200)).toHaveLength(15);
	expect(uploads.filter((r) => r.status === 429)).toHaveLength(2);
	expect(ct.peak).toEqual({ read: 3, write: 3, upload: 15 });
	expect(ct.counters.custom.http429).toBe(5);
});

test('delete: by identity (a string or a list) or guid, at most 100; the profile and its events are gone', async () => {
	const target = ct.profiles.get('user-0101')!;
	expect(ct.events.some((e) => e.profile.identity === 'user-0101')).toBe(true);
	expect(await post('/1/delete/profiles.json', { identity: 'user-0101' })).toEqual({ status: 200, body: { status: 'success' } });
	expect(ct.profiles.has('user-0101')).toBe(false);
	expect(ct.events.some((e) => e.profile.identity === 'user-0101')).toBe(false);
	expect((await call({ method: 'GET', path: '/1/profile.json?identity=user-0101' })).body.error).toBe('Profile not found');
	const other = ct.profiles.get('user-0102')!;
	expect((await post('/1/delete/profiles.json', { guid: [other.objectId] })).body).toEqual({ status: 'success' });
	expect(ct.profiles.has('user-0102')).toBe(false);
	expect(ct.deletions.slice(-2)).toEqual(['user-0101', other.objectId]);
	expect((await post('/1/delete/profiles.json', {})).status).toBe(400);
	expect((await post('/1/delete/profiles.json', { identity: Array.from({ length: 101 }, (_, i) => `z${i}`) })).status).toBe(400);
	expect(target.identity).toBe('user-0101');
});

test('demerge: identities as a list, at most 100', async () => {
	expect(await post('/1/demerge/profiles.json', { identities: ['client-1', 'ana@example.com'] })).toEqual({ status: 200, body: { status: 'success' } });
	expect(ct.demerges.at(-1)).toEqual(['client-1', 'ana@example.com']);
	expect((await post('/1/demerge/profiles.json', { identities: [] })).status).toBe(400);
	expect((await post('/1/demerge/profiles.json', { identities: Array.from({ length: 101 }, (_, i) => `z${i}`) })).status).toBe(400);
});

test('subscribe-unlimited: more Subscribe calls in flight than any limit, none refused', async () => {
	ct.resetCounters();
	ct.workMs = 200;
	const calls = Array.from({ length: 6 }, (_, i) => post('/1/subscribe', { d: [{ type: 'email', value: `u${i}@example.com`, status: 'Unsubscribe' }] }));
	const statuses = (await Promise.all(calls)).map((r) => r.status);
	ct.workMs = 0;
	expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
	expect(ct.counters.custom.subscribePeak).toBe(6);
});

test('subscribe: statuses per phone or email; a bad entry is unprocessed, the others kept', async () => {
	const d = [
		{ type: 'phone', value: '+919213231415', status: 'Unsubscribe' },
		{ type: 'email', value: 'jane@abc.com', status: 'Resubscribe' },
		{ type: 'fax', value: '123', status: 'Unsubscribe' },
	];
	expect((await post('/1/subscribe', { d })).body).toEqual({ status: 'partial', processed: 2, unprocessed: [{ status: 'fail', code: 400, error: 'type must be phone or email', record: d[2] }] });
	expect(ct.subscriptions.get('phone:+919213231415')).toBe('Unsubscribe');
	expect(ct.subscriptions.get('email:jane@abc.com')).toBe('Resubscribe');
});

test('campaign-create, campaign-estimate, create-rate, campaign-stop', async () => {
	const payload = { name: 'Spring sale', target_mode: 'push', when: 'now', where: { event_name: 'Charged', from: 20260101, to: 20260331 }, content: { title: 'Hi', body: 'Sale' } };
	const audience = ct.matching('profiles', 'Charged', 20260101, 20260331).length;
	const before = ct.campaigns.length;
	expect((await post('/1/targets/create.json', { ...payload, estimate_only: true })).body).toEqual({ status: 'success', estimates: { android: audience } });
	// campaign-estimate: no separate endpoint.
	expect((await post('/1/targets/estimate.json', payload)).status).toBe(404);
	expect(ct.campaigns).toHaveLength(before);
	// create-rate: one Create Campaign request a second (estimates count), the second is refused.
	await new Promise((r) => setTimeout(r, 1000));
	const burst = [];
	for (let i = 0; i < 2; i++) burst.push((await post('/1/targets/create.json', { ...payload, estimate_only: true })).status);
	expect(burst).toEqual([200, 429]);
	await new Promise((r) => setTimeout(r, 1000));
	const created = await post('/1/targets/create.json', payload);
	expect(created.body).toEqual({ status: 'success', id: expect.any(Number), estimates: { android: audience } });
	expect(String(created.body.id)).toMatch(/^\d{10}$/);
	expect(ct.campaigns.find((c) => c.id === created.body.id)).toMatchObject({ name: 'Spring sale', status: 'running' });
	for (const bad of [{ when: 'tomorrow' }, { target_mode: 'pigeon' }, { content: undefined }]) {
		await new Promise((r) => setTimeout(r, 1000));
		expect((await post('/1/targets/create.json', { ...payload, ...bad })).status).toBe(400);
	}
	expect(await post('/1/targets/stop.json', { id: created.body.id })).toEqual({ status: 200, body: { status: 'success' } });
	expect(ct.campaigns.find((c) => c.id === created.body.id)?.status).toBe('stopped');
	expect((await post('/1/targets/stop.json', { id: created.body.id })).body).toEqual({ status: 'success' });
	expect((await post('/1/targets/stop.json', { id: 42 })).body).toEqual({ status: 'fail', error: 'Campaign not found: 42', code: 400 });
	expect((await post('/1/targets/stop.json', { id: -1 })).status).toBe(400);
	expect(ct.counters.custom.campaignsCreated).toBe(1);
});
