/**
 * The CleverTap node's reads, limits, upload and credential inside n8n's engine, against the emulator over real TLS.
 * Counts come from the emulator: `reads`, `cursorPolls`, `pendingAnswers`, `countPolls`, `uploadCalls`,
 * `uploadedRecords`, `rejectedRecords`, `maxRecordsPerCall`, `http<status>`, and `peak` (requests in flight).
 * Test names start with the contract row (sandbox/contracts/clevertap.md) they hold the node to.
 */
import type { IDataObject, INodeCredentialTestResult } from 'n8n-workflow';
import { capturedLogs } from '../harness/n8n';
import { json, paired, range, sleep, useCleverTap } from './setup';

const t = useCleverTap();
const custom = () => t.ct.counters.custom;

describe('reads', () => {
	test('connect: a whitelisted partner is authorised, with both headers on the account region host', async () => {
		const res = await t.run({ resource: 'partner', operation: 'checkConnection', partner: 'n8n' });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([{ authorised: true, partner: 'n8n', message: 'Authorised Successfully.' }]);
		expect(t.ct.requestLog).toHaveLength(1);
		expect(t.ct.requestLog[0].url).toBe('/in1/v1/connect?partner=n8n');
		expect(t.ct.requestLog[0].headers).toMatchObject({ 'x-clevertap-account-id': t.ct.accountId, 'x-clevertap-passcode': t.ct.passcode });
	});

	test("connect: a partner CleverTap has not whitelisted gets CleverTap's 403 and what to do", async () => {
		const res = await t.run({ resource: 'partner', operation: 'checkConnection', partner: 'someone' });
		expect(res.error?.message).toBe('CleverTap refused the partner (HTTP 403): Partner not whitelisted: someone');
		expect(res.error?.description).toMatch(/whitelisted.*write to CleverTap support/);
		const empty = await t.run({ resource: 'partner', operation: 'checkConnection', partner: '={{ $json.p }}' }, [{ p: ' ' }]);
		expect(empty.error?.message).toBe('Partner Name is empty');
		expect(t.ct.requestLog).toHaveLength(1);
	});

	test('profile-get: by identity, email and object ID, one output per item, paired', async () => {
		const p = t.ct.profiles.get('user-0003')!;
		const items = [
			{ by: 'identity', v: 'user-0003' },
			{ by: 'email', v: p.email },
			{ by: 'objectId', v: p.objectId },
		];
		const res = await t.run({ resource: 'profile', operation: 'get', findBy: '={{ $json.by }}', value: '={{ $json.v }}' }, items);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([p, p, p]);
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(t.ct.requestLog.map((r) => r.url).sort()).toEqual(
			[`/in1/1/profile.json?identity=user-0003`, `/in1/1/profile.json?email=${encodeURIComponent(p.email)}`, `/in1/1/profile.json?objectId=${p.objectId}`].sort(),
		);
	});

	test('profile-not-found: a fail body with HTTP 200 is an error; an empty value costs no call', async () => {
		const res = await t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.v }}' }, [{ v: 'nobody' }, { v: '' }, { v: 'user-0001' }], {
			continueOnFail: true,
		});
		expect(res.error).toBeUndefined();
		const out = json(res);
		expect(out[0]).toEqual({ error: 'CleverTap answered "fail": Profile not found (code 404)', description: expect.stringMatching(/another CleverTap account or region/) });
		expect(out[1]).toEqual({ error: 'Value is empty', description: expect.stringMatching(/Fill Value/) });
		expect(out[2].identity).toBe('user-0001');
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(custom().reads).toBe(2);
	});

	test('cursor-page, cursor-in-progress: profile Get Many reads every page, each "still in progress" once and waited for', async () => {
		const expected = t.ct.matching('profiles', 'Charged', 20260101, 20260331);
		const pages = Math.ceil(expected.length / 7);
		expect(pages).toBeGreaterThan(3);
		const res = await t.run({ resource: 'profile', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true, options: { batchSize: 7 } });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual(expected);
		expect(paired(res).every((p) => (p as { item: number }).item === 0)).toBe(true);
		expect(custom()).toMatchObject({ pendingAnswers: pages, cursorPolls: 2 * pages });
		expect(t.ct.requestLog[0]).toMatchObject({ method: 'POST', url: '/in1/1/profiles.json?batch_size=7' });
	});

	test('cursor-empty-page: empty pages that still give a next_cursor do not end the list (every record arrives)', async () => {
		// The old node stopped at the first page without records: here that would be the very first page.
		t.ct.emptyPages = 2;
		t.ct.pendingPolls = 0;
		const expected = t.ct.matching('events', 'Charged', 20260101, 20260331);
		const res = await t.run({ resource: 'event', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true, options: { batchSize: 20 } });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual(expected);
		expect(custom().cursorPolls).toBe(3 * Math.ceil(expected.length / 20));
	});

	test('cursor-no-records: a range with nothing in it is an empty list, not an error; an unreadable page is an error, not 0 items', async () => {
		t.ct.pendingPolls = 0;
		const none = await t.run({ resource: 'event', operation: 'getAll', eventName: 'Never Happened', ...range, returnAll: true });
		expect(none.error).toBeUndefined();
		expect(none.items).toHaveLength(0);
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/events.json', body: { status: 'success', cursor: 'abc' } });
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/events.json', body: { status: 'success', records: { a: 1 }, next_cursor: 'x' } });
		const odd = await t.run({ resource: 'event', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true });
		expect(odd.error?.message).toBe('CleverTap answered a list request with an object with keys status, records, next_cursor, which is not a list this node can read (a JSON array, or an object with "records")');
	});

	test('cursor-encoded: the cursor goes back exactly as CleverTap gave it (percent-encoded once, not twice)', async () => {
		t.ct.pendingPolls = 0;
		const res = await t.run({ resource: 'event', operation: 'getAll', eventName: 'App Launched', ...range, returnAll: false, limit: 5 });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(5);
		expect(t.ct.requestLog[1].url).toMatch(/^\/in1\/1\/events\.json\?cursor=[^&]*%2B[^&]*%3D%3D$/);
		expect(t.ct.requestLog[1].url).not.toMatch(/%25/);
	});

	test('a cursor that comes back again is an error (the list would never end), not an endless read', async () => {
		t.ct.pendingPolls = 0;
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/events.json', body: { status: 'success', cursor: 'same' } });
		t.ct.faults.fail(5, 200, { pathPrefix: '/in1/1/events.json', body: { status: 'success', records: [], next_cursor: 'same' } });
		const res = await t.run({ resource: 'event', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true });
		expect(res.error?.message).toBe('CleverTap gave a cursor it had already given, so the list would never end');
		expect(t.ct.requestLog).toHaveLength(2);
	});

	test('event get many with a limit: the batch size shrinks to the limit and reading stops once there are enough', async () => {
		const expected = t.ct.matching('events', 'App Launched', 20260101, 20260331);
		const ten = await t.run({ resource: 'event', operation: 'getAll', eventName: 'App Launched', ...range, returnAll: false, limit: 10 });
		expect(json(ten)).toEqual(expected.slice(0, 10));
		expect(t.ct.requestLog[0].url).toBe('/in1/1/events.json?batch_size=10');
		expect(custom().cursorPolls).toBe(2);
		t.ct.resetCounters();
		const some = await t.run({ resource: 'event', operation: 'getAll', eventName: 'App Launched', ...range, returnAll: false, limit: 25, options: { batchSize: 10 } });
		expect(json(some)).toEqual(expected.slice(0, 25));
		expect(custom()).toMatchObject({ pendingAnswers: 3, cursorPolls: 6 });
	});

	test('range-rules: date-times, YYYY-MM-DD and YYYYMMDD are taken; a bad date or a reversed range fails its item before any call', async () => {
		const items = [
			{ from: '2026-02-01T10:00:00.000+01:00', to: '2026-02-28' },
			{ from: 20260201, to: '20260228' },
			{ from: '2026-02-30', to: '2026-03-01' },
			{ from: '2026-03-01', to: '2026-02-01' },
			{ from: 'yesterday', to: '2026-03-01' },
			{ from: '20261301', to: '2026-03-01' },
		];
		const res = await t.run({ resource: 'event', operation: 'count', eventName: 'Charged', from: '={{ $json.from }}', to: '={{ $json.to }}' }, items, { continueOnFail: true });
		const count = t.ct.matching('events', 'Charged', 20260201, 20260228).length;
		expect(json(res).map((j) => j.error ?? j)).toEqual([
			{ count, eventName: 'Charged', from: 20260201, to: 20260228 },
			{ count, eventName: 'Charged', from: 20260201, to: 20260228 },
			'From Date "2026-02-30" is not a real calendar date',
			'To Date (20260201) is before From Date (20260301)',
			'From Date must be a date like YYYY-MM-DD (2026-01-31), not "yesterday"',
			'From Date "2026-13-01" is not a real calendar date',
		]);
		expect(paired(res)).toEqual(items.map((_, item) => ({ item })));
		expect(t.ct.requestLog.filter((r) => r.method === 'POST')).toHaveLength(2);
	});

	test('a page that stays "in progress" is waited for a bounded time, then a clear error', async () => {
		t.ct.pendingPolls = 1_000;
		const res = await t.run({ resource: 'profile', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true, options: { maxWaitSeconds: 2 } });
		expect(res.error?.message).toMatch(/^CleverTap was still preparing the page after \d+ tries in \d+ s$/);
		expect(res.error?.description).toMatch(/Raise "Wait Up To"/);
		// Growing pauses from 250 ms: a handful of tries in 2 s, not hundreds.
		expect(custom().cursorPolls).toBeGreaterThanOrEqual(2);
		expect(custom().cursorPolls).toBeLessThanOrEqual(7);
	});

	test('count-async: the integer req_id is polled until the count is there, for events and for profiles', async () => {
		t.ct.countPolls = 3;
		const events = await t.run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range });
		expect(json(events)).toEqual([{ count: t.ct.matching('events', 'Charged', 20260101, 20260331).length, eventName: 'Charged', from: 20260101, to: 20260331 }]);
		const profiles = await t.run({ resource: 'profile', operation: 'count', eventName: 'Charged', ...range });
		expect(json(profiles)[0].count).toBe(t.ct.matching('profiles', 'Charged', 20260101, 20260331).length);
		expect(json(profiles)[0].count).toBeLessThan(json(events)[0].count as number);
		// Two "partial" answers and the result, for each count; the req_id went back as the integer's digits.
		expect(custom().countPolls).toBe(6);
		expect(t.ct.requestLog.find((r) => r.method === 'GET')?.url).toMatch(/^\/in1\/1\/counts\/events\.json\?req_id=\d{16}$/);
	});

	test('count-async: a count answered at once is taken without polling; an answer without a count is an error, not a 0', async () => {
		t.ct.countPolls = 0;
		expect(json(await t.run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range }))[0].count).toBe(t.ct.matching('events', 'Charged', 20260101, 20260331).length);
		expect(custom().countPolls ?? 0).toBe(0);
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/counts', body: { status: 'success' } });
		const res = await t.run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range });
		expect(res.error?.message).toBe('CleverTap answered the count without a count (an object with key status)');
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/counts', body: { status: 'partial', req_id: 12345678901234567890 } });
		const big = await t.run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range });
		expect(big.error?.message).toMatch(/^CleverTap answered with a req_id \(12345678901234567000\) too large to be read exactly/);
	});

	test('a count still running when the execution is cancelled: polling stops', async () => {
		t.ct.countPolls = 1_000;
		const stop = new AbortController();
		const running = t.run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range }, [{}], { signal: stop.signal });
		while ((custom().countPolls ?? 0) < 2) await sleep(20);
		stop.abort();
		const res = await running;
		expect(res.status).toBe('canceled');
		const polls = custom().countPolls;
		await sleep(1_500);
		expect(custom().countPolls).toBe(polls);
	});

	test('campaign-list, campaign-result, message-report: campaigns with a limit, a campaign report, a message report', async () => {
		const inJanuary = t.ct.campaigns.filter((c) => Math.floor(c.scheduled_on / 10_000) <= 20260131);
		expect(inJanuary.length).toBeGreaterThan(2);
		const jan = { from: '2026-01-01', to: '2026-01-31' };
		const all = await t.run({ resource: 'campaign', operation: 'getAll', ...jan, returnAll: true });
		expect(json(all)).toEqual(inJanuary);
		const two = await t.run({ resource: 'campaign', operation: 'getAll', ...jan, returnAll: false, limit: 2 });
		expect(json(two)).toEqual(inJanuary.slice(0, 2));
		const report = await t.run({ resource: 'campaign', operation: 'getReport', campaignId: '={{ $json.id }}' }, [{ id: inJanuary[1].id }]);
		expect(json(report)).toEqual([expect.objectContaining({ id: inJanuary[1].id, name: inJanuary[1].name, sent: expect.any(Number), clicked: expect.any(Number) })]);
		const messages = await t.run({ resource: 'message', operation: 'getReport', ...jan, returnAll: true });
		expect(json(messages).map((m) => m.campaign_id)).toEqual(inJanuary.map((c) => c.id));
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/targets/list.json', body: { status: 'success', campaigns: [] } });
		const odd = await t.run({ resource: 'campaign', operation: 'getAll', ...jan, returnAll: true });
		expect(odd.error?.message).toBe('CleverTap answered with an object with keys status, campaigns, not a list under "targets"');
	});

	test("campaign-result: an unknown id is CleverTap's 400; a non-numeric, negative or fractional one is refused before any call", async () => {
		const res = await t.run({ resource: 'campaign', operation: 'getReport', campaignId: '={{ $json.id }}' }, [{ id: 42 }, { id: 'abc' }, { id: -5 }, { id: 1.5 }], { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual([
			'CleverTap rejected the request (HTTP 400): Campaign not found: 42',
			'Campaign ID must be a whole number of at least 1, not "abc"',
			'Campaign ID must be a whole number of at least 1, not "-5"',
			'Campaign ID must be a whole number of at least 1, not "1.5"',
		]);
		expect(custom().reads).toBe(1);
	});
});

describe("limits: the account's concurrency budget", () => {
	test('five executions at once, each reading 20 items: at most 3 requests in flight, no 429', async () => {
		// Each request takes a while, so that requests from different executions really overlap.
		t.ct.workMs = 25;
		const identities = [...t.ct.profiles.keys()].slice(0, 20);
		const runs = await Promise.all(
			Array.from({ length: 5 }, () => t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, identities.map((id) => ({ id })))),
		);
		for (const res of runs) {
			expect(res.error).toBeUndefined();
			expect(json(res).map((p) => p.identity)).toEqual(identities);
		}
		expect(custom().reads).toBe(100);
		expect(t.ct.peak.read).toBe(3);
		expect(t.ct.counters.peakInFlight).toBeLessThanOrEqual(3);
		expect(custom().http429 ?? 0).toBe(0);
	});

	test('a 429 that still comes (another client holds one of the slots) is retried and never reaches the user', async () => {
		t.ct.workMs = 25;
		t.ct.limits.read = 2;
		const identities = [...t.ct.profiles.keys()].slice(0, 10);
		const runs = await Promise.all(
			Array.from({ length: 3 }, () => t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, identities.map((id) => ({ id })))),
		);
		for (const res of runs) expect(json(res).map((p) => p.identity)).toEqual(identities);
		expect(custom().http429).toBeGreaterThan(0);
		expect(custom().reads).toBe(30);
		expect(runs.flatMap((r) => r.logs).some((l) => /CleverTap: retry 1 of GET \/in1\/1\/profile\.json after HTTP 429/.test(l))).toBe(true);
	});

	test('a 429 that does not stop: what to do, after a bounded number of attempts', async () => {
		t.ct.faults.fail(50, 429, { pathPrefix: '/in1/1/profile.json', body: { status: 'fail', error: 'Too many concurrent requests', code: 429 } });
		const res = await t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' });
		expect(res.error?.message).toBe('CleverTap answered 429 "Too many concurrent requests", still after 4 retries');
		expect(res.error?.description).toMatch(/3 requests in flight per account.*another application/);
		expect(t.ct.counters.requests).toBe(5);
	});
});

describe('upload', () => {
	const profileUpload = { resource: 'profile', operation: 'upload', identifyBy: 'identity', identifier: '={{ $json.identity }}', profileData: '={{ $json.profile }}' };
	const eventUpload = (extra: IDataObject = {}) => ({ resource: 'event', operation: 'upload', identifyBy: 'identity', identifier: '={{ $json.who }}', eventName: 'Charged', eventData: '={{ $json.data }}', ...extra });

	test('upload-codes: 2,500 profiles with 7 bad emails: exactly those 7 items are errors saying code 515 and what to fix, in calls of at most 1000', async () => {
		const refused = [3, 999, 1000, 1500, 2001, 2498, 2499];
		const items = Array.from({ length: 2500 }, (_, i) => ({ identity: `bulk-${i}`, profile: { Plan: i % 2 ? 'gold' : 'free', Seq: i, Email: refused.includes(i) ? `bulk-${i}.example.com` : `bulk-${i}@example.com` } }));
		const res = await t.run(profileUpload, items, { continueOnFail: true });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(2500);
		expect(paired(res)).toEqual(items.map((_, item) => ({ item })));
		expect(json(res).flatMap((j, i) => (j.error ? [i] : []))).toEqual(refused);
		for (const i of refused) {
			expect(json(res)[i]).toEqual({
				error: 'CleverTap refused this record (code 515: email invalid): Email invalid',
				description: expect.stringMatching(/^Fix Email in Profile Data: it is not an email address\. The other records of this execution were sent/),
			});
		}
		json(res).forEach((j, i) => {
			if (!refused.includes(i)) expect(j).toEqual({ uploaded: true, type: 'profile', identity: `bulk-${i}` });
		});
		expect(custom()).toMatchObject({ uploadCalls: 3, maxRecordsPerCall: 1000, uploadedRecords: 2493, rejectedRecords: 7 });
		expect(t.ct.profiles.get('bulk-1')?.profileData).toEqual({ Plan: 'gold', Seq: 1, Email: 'bulk-1@example.com' });
		expect(t.ct.profiles.has('bulk-3')).toBe(false);
	});

	test('upload-codes: each documented code CleverTap sends back becomes a message with its meaning', async () => {
		t.ct.discardedEvents.add('Old Promo');
		t.ct.rejectIdentities.add('flaky');
		const items = [
			{ identity: 'g1', profile: { Gender: 'male' } },
			{ identity: 'p1', profile: { Phone: '555-1234' } },
			{ identity: 'a1', profile: { Age: 'old' } },
			{ identity: 'flaky', profile: {} },
			{ identity: 'fine', profile: { Name: 'Fine' } },
		];
		const res = await t.run(profileUpload, items, { continueOnFail: true });
		expect(json(res).map((j) => j.error ?? 'ok')).toEqual([
			'CleverTap refused this record (code 514: gender invalid): Gender invalid',
			'CleverTap refused this record (code 516: phone number invalid): Phone number invalid',
			'CleverTap refused this record (code 520: age invalid): Age invalid',
			'CleverTap refused this record (code 555: a server error on this record): Miscellaneous server error',
			'ok',
		]);
		expect(json(res)[1].description).toMatch(/^Write Phone in Profile Data with \+ and the country code/);
		const events = await t.run(eventUpload({ eventName: '={{ $json.name }}' }), [{ who: 'e1', name: 'Old Promo', data: {} }, { who: 'e2', name: 'Fine', data: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`p${i}`, i])) }], {
			continueOnFail: true,
		});
		expect(json(events).map((j) => j.error)).toEqual([
			'CleverTap refused this record (code 528: a discarded event): Discarded event is raised',
			'CleverTap refused this record (code 522: too many event properties): Event properties limit exceeded',
		]);
		expect(json(events)[1].description).toMatch(/^Send fewer properties in Event Data \(CleverTap allows at most 256 per event\)/);
	});

	test('events: identical refused records are attributed in order; an invalid item is its own error and is never sent', async () => {
		t.ct.rejectIdentities.add('blocked');
		const items = [
			{ who: 'e-1', data: { Amount: 10 } },
			{ who: 'blocked', data: { Amount: 1 } },
			{ who: '', data: { Amount: 2 } },
			{ who: 'blocked', data: { Amount: 1 } },
			{ who: 'e-2', data: '[1, 2]' },
			{ who: 'e-3', data: '{"Amount": 3}' },
			{ who: 'e-4', data: '{not json' },
		];
		const res = await t.run(eventUpload({ options: { timestamp: '2026-02-01T00:00:00Z' } }), items, { continueOnFail: true });
		expect(json(res)).toEqual([
			{ uploaded: true, type: 'event', identity: 'e-1', evtName: 'Charged' },
			{ error: 'CleverTap refused this record (code 555: a server error on this record): Miscellaneous server error', description: expect.stringMatching(/other records of this execution were sent/) },
			{ error: 'Identifier is empty', description: expect.stringMatching(/Fill Identifier/) },
			{ error: 'CleverTap refused this record (code 555: a server error on this record): Miscellaneous server error', description: expect.any(String) },
			{ error: 'Event Data must be an object of properties, not a list', description: expect.any(String) },
			{ uploaded: true, type: 'event', identity: 'e-3', evtName: 'Charged' },
			{ error: 'Event Data is not valid JSON', description: expect.any(String) },
		]);
		expect(custom()).toMatchObject({ uploadCalls: 1, maxRecordsPerCall: 4, uploadedRecords: 2, rejectedRecords: 2 });
		expect(t.ct.events.filter((e) => e.profile.identity === 'e-3')).toEqual([expect.objectContaining({ event_name: 'Charged', ts: 20260201000000, event_props: { Amount: 3 } })]);
	});

	test('Using Fields Below: each property a name and a value; a mapped value keeps its type, a typed one is text', async () => {
		const fields = (property: IDataObject[]) => ({ specifyData: 'fields', properties: { property }, eventData: '{"ignored": true}' });
		const items = [
			{ who: 'f-1', order: { amount: 10.5, lines: ['a', 'b'] }, paid: true },
			{ who: 'f-2', order: { amount: 3, lines: [] }, paid: false },
		];
		const properties = [
			{ name: 'Amount', value: '={{ $json.order.amount }}' },
			{ name: 'Lines', value: '={{ $json.order.lines.length }}' },
			{ name: 'Paid', value: '={{ $json.paid }}' },
			{ name: 'Channel', value: 'web' },
			{ name: 'Label', value: "={{ $json.who.toUpperCase() + '!' }}" },
		];
		const res = await t.run(eventUpload(fields(properties)), items);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([
			{ uploaded: true, type: 'event', identity: 'f-1', evtName: 'Charged' },
			{ uploaded: true, type: 'event', identity: 'f-2', evtName: 'Charged' },
		]);
		const props = (who: string) => t.ct.events.filter((e) => e.profile.identity === who).map((e) => e.event_props);
		expect(props('f-1')).toEqual([{ Amount: 10.5, Lines: 2, Paid: true, Channel: 'web', Label: 'F-1!' }]);
		expect(props('f-2')).toEqual([{ Amount: 3, Lines: 0, Paid: false, Channel: 'web', Label: 'F-2!' }]);

		const profiles = await t.run({ ...profileUpload, profileData: undefined, specifyData: 'fields', properties: { property: [{ name: 'Plan', value: '={{ $json.plan }}' }] } }, [{ identity: 'fp-1', plan: 'gold' }]);
		expect(json(profiles)).toEqual([{ uploaded: true, type: 'profile', identity: 'fp-1' }]);
		expect(t.ct.profiles.get('fp-1')?.profileData).toEqual({ Plan: 'gold' });
	});

	test('Using Fields Below: a property without a name, or given twice, is its own error and is never sent', async () => {
		const fields = (property: IDataObject[]) => eventUpload({ specifyData: 'fields', properties: { property } });
		const res = await t.run(fields([{ name: 'Amount', value: '1' }, { name: ' ', value: '={{ $json.who }}' }]), [{ who: 'n-1' }], { continueOnFail: true });
		expect(json(res)).toEqual([{ error: 'Event Property 2 has no name', description: expect.stringMatching(/^Give it the name CleverTap should store the value under/) }]);
		const twice = await t.run(fields([{ name: 'Amount', value: '1' }, { name: 'Amount', value: '2' }]), [{ who: 'n-2' }], { continueOnFail: true });
		expect(json(twice)).toEqual([{ error: 'Event Property 2: "Amount" is given twice', description: 'Give each property once.' }]);
		expect(custom().uploadCalls ?? 0).toBe(0);
	});

	test('upload-triggers: a system event, a bad character and a timestamp in milliseconds are refused before anything is sent', async () => {
		const items = [
			{ who: 'u', name: 'App Launched', ts: '' },
			{ who: 'u', name: 'Price.Drop', ts: '' },
			{ who: 'u', name: 'Ok', ts: 1767225600000 },
			{ who: 'u', name: 'Ok', ts: '2026-02-30T10:00:00Z' },
			{ who: 'u', name: 'Ok', ts: 'soon' },
		];
		const res = await t.run(eventUpload({ eventName: '={{ $json.name }}', eventData: '{}', options: { timestamp: '={{ $json.ts }}' } }), items, { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual([
			'Event Name "App Launched" is a system event CleverTap raises itself',
			'Event Name "Price.Drop" contains a character CleverTap does not take in event names',
			'Timestamp "1767225600000" looks like milliseconds',
			'Timestamp "2026-02-30T10:00:00Z" is not a real calendar date',
			'Timestamp must be a date like an ISO date-time (2026-01-31T09:30:00Z), not "soon"',
		]);
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('without continueOnFail, a bad item fails the run before anything is uploaded', async () => {
		const res = await t.run(profileUpload, [{ identity: 'ok-1', profile: {} }, { identity: '', profile: {} }]);
		expect(res.error?.message).toBe('Identifier is empty');
		expect(custom().uploadCalls ?? 0).toBe(0);
	});

	test('without continueOnFail, a refused record fails the run and says the other records were sent', async () => {
		const res = await t.run(profileUpload, [{ identity: 'fine-1', profile: { A: 1 } }, { identity: 'bad', profile: { Married: 'often' } }]);
		expect(res.error?.message).toBe('CleverTap refused this record (code 519: marital status invalid): Marital status invalid');
		expect(res.error?.description).toMatch(/other records of this execution were sent/);
		expect(t.ct.profiles.has('fine-1')).toBe(true);
	});

	test('every record of a call refused (status "fail" with unprocessed) is still one error per item', async () => {
		const res = await t.run(profileUpload, [{ identity: 'x1', profile: { Age: -1 } }, { identity: 'x2', profile: { Age: 999 } }], { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual(['CleverTap refused this record (code 520: age invalid): Age invalid', 'CleverTap refused this record (code 520: age invalid): Age invalid']);
	});

	test('refusals CleverTap does not tie to a record: every item of that call is an error saying it may not be stored', async () => {
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/upload', body: { status: 'partial', processed: 2, unprocessed: [{ status: 'fail', code: 555, error: 'Internal error' }] } });
		const res = await t.run(profileUpload, [1, 2, 3].map((n) => ({ identity: `u-${n}`, profile: {} })), { continueOnFail: true });
		expect(json(res)).toEqual(
			[0, 1, 2].map(() => ({ error: 'CleverTap refused 1 record(s) of this call without saying which: Internal error', description: expect.stringMatching(/may or may not have been stored/) })),
		);
	});

	test('upload-ambiguous: after the call was sent, 5xx, 504, a timeout, a reset or an unreadable body: sent once, each item says it may be stored and how to check', async () => {
		const faults: Array<[string, () => void, RegExp]> = [
			['500', () => t.ct.faults.fail(1, 500, { pathPrefix: '/in1/1/upload' }), /\(HTTP 500: "sandbox fault: HTTP 500"\)/],
			['503', () => t.ct.faults.fail(1, 503, { pathPrefix: '/in1/1/upload' }), /\(HTTP 503/],
			['504', () => t.ct.faults.fail(1, 504, { pathPrefix: '/in1/1/upload' }), /\(HTTP 504/],
			['reset', () => t.ct.faults.reset(1, '/in1/1/upload'), /\(the connection (was dropped|was closed by the other side)\)/],
			['malformed', () => t.ct.faults.malformed(1, '/in1/1/upload'), /\(The server answered HTTP 200 with a body that is not valid JSON\)/],
			['not a batch', () => t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/upload', body: { ok: true } }), /\(CleverTap answered with an object with key ok, not a batch result\)/],
		];
		for (const [name, arm, what] of faults) {
			t.ct.resetCounters();
			arm();
			const events = await t.run(eventUpload(), [{ who: 'a', data: {} }, { who: 'b', data: {} }], { continueOnFail: true });
			expect([name, json(events).length]).toEqual([name, 2]);
			for (const j of json(events)) {
				expect(j.error).toMatch(/^CleverTap gave no clear answer to the Upload Events call /);
				expect(j.error).toMatch(what);
				expect(j.error).toMatch(/It was sent once and not again, so it may have taken effect$/);
				expect(j.description).toMatch(/^Do not simply run it again: events CleverTap stored would be counted twice/);
			}
			expect([name, t.ct.requestLog.filter((r) => r.url === '/in1/1/upload').length]).toEqual([name, 1]);
		}
		t.ct.resetCounters();
		t.ct.faults.fail(1, 503, { pathPrefix: '/in1/1/upload' });
		const profiles = await t.run(profileUpload, Array.from({ length: 300 }, (_, i) => ({ identity: `s-${i}`, profile: {} })), { continueOnFail: true });
		expect(profiles.items).toHaveLength(300);
		expect(new Set(json(profiles).map((j) => j.description))).toEqual(new Set([expect.stringMatching(/^Profile uploads are safe to repeat/)]));
		expect(t.ct.requestLog.filter((r) => r.url === '/in1/1/upload')).toHaveLength(1);
	});

	test('a timeout after the upload was sent is ambiguous too, and not sent again', async () => {
		t.ct.faults.latencyMs = 35_000;
		t.ct.faults.latencyPathPrefix = '/in1/1/upload';
		const res = await t.run(eventUpload(), [{ who: 'slow', data: {} }], { continueOnFail: true });
		expect(json(res)[0].error).toBe('CleverTap gave no clear answer to the Upload Events call (The server timed out while waiting for an answer). It was sent once and not again, so it may have taken effect');
		expect(t.ct.requestLog.filter((r) => r.url === '/in1/1/upload')).toHaveLength(1);
	}, 60_000);

	test('a 429 on upload is retried: CleverTap did nothing with it', async () => {
		t.ct.faults.fail(2, 429, { pathPrefix: '/in1/1/upload', body: { status: 'fail', error: 'Too many concurrent requests', code: 429 } });
		const res = await t.run(profileUpload, [{ identity: 'r-1', profile: { A: 1 } }]);
		expect(json(res)).toEqual([{ uploaded: true, type: 'profile', identity: 'r-1' }]);
		expect(custom()).toMatchObject({ http429: 2, uploadCalls: 1 });
	});
});

describe('credential errors in the node', () => {
	const get = { resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' };

	test('region-wrong: a wrong passcode and the wrong region get the same 401 from CleverTap; the message says how to tell them apart', async () => {
		const passcode = await t.run(get, [{}], { creds: t.credentials({ passcode: 'not-the-passcode' }) });
		expect(passcode.error?.message).toBe('CleverTap refused the account id, passcode or region (HTTP 401: Invalid credentials or URL)');
		expect(passcode.error?.description).toMatch(/click "Test": it tells which one is wrong/);
		const region = await t.run(get, [{}], { creds: t.credentials({ region: 'eu1' }) });
		expect(region.error?.message).toBe(passcode.error?.message);
		expect(region.error?.description).toMatch(/this credential uses https:\/\/127\.0\.0\.1:\d+\/eu1/);
		expect(t.ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/profile.json?identity=user-0001', '/eu1/1/profile.json?identity=user-0001']);
	});

	test('passcode-expired: an expired passcode has its own message', async () => {
		const res = await t.run(get, [{}], { creds: t.credentials({ passcode: t.ct.expiredPasscode }) });
		expect(res.error?.message).toBe('The CleverTap passcode has expired (HTTP 401)');
		expect(res.error?.description).toMatch(/Settings > Passcodes/);
	});

	test('fail-200: a "fail" body with HTTP 200 on any read is an error, with CleverTap\'s words', async () => {
		t.ct.faults.fail(1, 200, { pathPrefix: '/in1/1/targets', body: { status: 'fail', error: 'Account suspended', code: 99 } });
		const res = await t.run({ resource: 'campaign', operation: 'getAll', from: '2026-01-01', to: '2026-01-31', returnAll: true });
		expect(res.error?.message).toBe('CleverTap answered "fail": Account suspended (code 99)');
	});
});

describe('credential test', () => {
	const testCredential = async (data: IDataObject): Promise<INodeCredentialTestResult> => {
		const result = await t.node.methods.credentialTest.cleverTapApiTest.call({} as never, { id: 'c', name: 'CleverTap', type: 'cleverTapApi', data: data as never });
		t.leaks.collect(result.message);
		return result;
	};

	test('right account, passcode and region: OK after one light read', async () => {
		expect(await testCredential(t.credentials())).toEqual({ status: 'OK', message: `Connection successful: CleverTap accepted account ${t.ct.accountId} in India (in1)` });
		expect(t.ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/targets/list.json']);
	});

	test('region-hosts: the wrong region: every other region (sk1 too) is asked at once and the one that knows the account is named', async () => {
		const res = await testCredential(t.credentials({ region: 'eu1' }));
		expect(res).toEqual({ status: 'Error', message: 'Your account is in India (in1), not Europe (eu1): set Region to India (in1)' });
		expect(t.ct.requestLog.map((r) => r.url.split('/')[1]).sort()).toEqual(['aps3', 'eu1', 'in1', 'mec1', 'sg1', 'sk1', 'us1']);
	});

	test('a wrong passcode or account id: refused everywhere, said so', async () => {
		const res = await testCredential(t.credentials({ passcode: 'wrong-passcode' }));
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/^The passcode \(or the account id\) is wrong: CleverTap refused it in India \(in1\) and in every other region\./);
		const account = await testCredential(t.credentials({ accountId: 'NOT-MY-ACCOUNT' }));
		expect(account.message).toMatch(/^The passcode \(or the account id\) is wrong/);
		expect(t.ct.requestLog).toHaveLength(14);
	});

	test('an expired passcode, in the right region and in the wrong one', async () => {
		expect((await testCredential(t.credentials({ passcode: t.ct.expiredPasscode }))).message).toMatch(/^The passcode has expired: create a new passcode/);
		expect((await testCredential(t.credentials({ passcode: t.ct.expiredPasscode, region: 'us1' }))).message).toBe(
			'Your account is in India (in1), not United States (us1): set Region to India (in1), and this passcode has expired there: create a new passcode in CleverTap (Settings > Passcodes), or ask an admin to renew your user passcode, and paste it here',
		);
	});

	test('an override without {region} cannot try the other regions, and says so', async () => {
		const res = await testCredential(t.credentials({ baseUrl: `${t.ct.url}/eu1` }));
		expect(res.message).toMatch(/^CleverTap refused the account id or passcode at https:\/\/127\.0\.0\.1:\d+\/eu1 \(HTTP 401\)\. The other regions cannot be tried/);
		expect(t.ct.requestLog).toHaveLength(1);
	});

	test('an unreachable host, an untrusted one, a missing field', async () => {
		expect((await testCredential(t.credentials({ baseUrl: 'https://127.0.0.1:1/{region}' }))).message).toMatch(/^The host is wrong or unreachable \(https:\/\/127\.0\.0\.1:1\/in1\)/);
		expect((await testCredential(t.credentials({ caCertificate: '' }))).message).toMatch(/^The host is wrong or unreachable .*not trusted/);
		expect((await testCredential(t.credentials({ passcode: '' }))).message).toMatch(/^Fill both Account ID and Passcode/);
	});
});

test('the node retried through its own log line (the leak check of this file covers the logs)', () => {
	expect(capturedLogs.some((l) => /CleverTap: retry 1 of GET/.test(l))).toBe(true);
});
