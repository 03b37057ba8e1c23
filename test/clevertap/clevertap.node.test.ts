/**
 * The CleverTap node inside n8n's engine, against the emulator over real TLS. The account lives in region in1; the
 * credential points at the one sandbox server with `/{region}` in its base URL. Counts come from the emulator:
 * `reads`, `cursorPolls`, `pendingAnswers`, `countPolls`, `uploadCalls`, `uploadedRecords`, `rejectedRecords`,
 * `maxRecordsPerCall`, `http<status>`, and `peak` (the account's requests in flight).
 */
import type { IDataObject, INodeCredentialTestResult } from 'n8n-workflow';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import type { CleverTapSandbox } from '../../sandbox/clevertap';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
let ct: CleverTapSandbox;
const leaks = new Leaks();
const node = new CleverTap();
const urlsSeen: string[] = [];

function credentials(overrides: IDataObject = {}) {
	return { accountId: ct.accountId, passcode: ct.passcode, region: 'in1', baseUrl: `${ct.url}/{region}`, caCertificate: sandbox.certs.ca.cert, ...overrides };
}

async function run(
	parameters: IDataObject,
	items: IDataObject[] = [{}],
	options: { continueOnFail?: boolean; creds?: IDataObject; signal?: AbortSignal } = {},
): Promise<RunNodeResult> {
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new CleverTapApi()],
		parameters,
		credentials: { cleverTapApi: options.creds ?? credentials() },
		items,
		continueOnFail: options.continueOnFail,
		signal: options.signal,
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

const json = (result: RunNodeResult) => result.items.map((i) => i.json);
const paired = (result: RunNodeResult) => result.items.map((i) => i.pairedItem);
const custom = () => ct.counters.custom;
const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	sandbox = await startSandbox({ clevertap: { region: 'in1' } });
	ct = sandbox.clevertap;
	leaks.watch(ct.passcode, ct.expiredPasscode);
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	ct.faults.clear();
	ct.workMs = 0;
	ct.pendingPolls = 1;
	ct.countPolls = 2;
	ct.limits = { read: 3, upload: 15 };
	ct.rejectIdentities.clear();
});
afterEach(() => {
	urlsSeen.push(...ct.requestLog.map((r) => r.url));
	ct.resetCounters();
});

describe('reads', () => {
	test('partner connect: a whitelisted partner is authorised, with both headers on the account region host', async () => {
		const res = await run({ resource: 'partner', operation: 'checkConnection', partner: 'n8n' });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([{ authorised: true, partner: 'n8n', message: 'Authorised Successfully.' }]);
		expect(ct.requestLog).toHaveLength(1);
		expect(ct.requestLog[0].url).toBe('/in1/v1/connect?partner=n8n');
		expect(ct.requestLog[0].headers).toMatchObject({ 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode });
	});

	test("partner connect: a partner CleverTap has not whitelisted gets CleverTap's 403 and what to do", async () => {
		const res = await run({ resource: 'partner', operation: 'checkConnection', partner: 'someone' });
		expect(res.error?.message).toBe('CleverTap refused the partner (HTTP 403): Partner not whitelisted: someone');
		expect(res.error?.description).toMatch(/whitelisted.*write to CleverTap support/);
		const empty = await run({ resource: 'partner', operation: 'checkConnection', partner: '={{ $json.p }}' }, [{ p: ' ' }]);
		expect(empty.error?.message).toBe('"Partner Name" is empty');
		expect(ct.requestLog).toHaveLength(1);
	});

	test('profile get by identity, email and object ID, one output per item, paired', async () => {
		const p = ct.profiles.get('user-0003')!;
		const items = [
			{ by: 'identity', v: 'user-0003' },
			{ by: 'email', v: p.email },
			{ by: 'objectId', v: p.objectId },
		];
		const res = await run({ resource: 'profile', operation: 'get', findBy: '={{ $json.by }}', value: '={{ $json.v }}' }, items);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([p, p, p]);
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(ct.requestLog.map((r) => r.url).sort()).toEqual(
			[`/in1/1/profile.json?identity=user-0003`, `/in1/1/profile.json?email=${encodeURIComponent(p.email)}`, `/in1/1/profile.json?objectId=${p.objectId}`].sort(),
		);
	});

	test('a profile CleverTap does not find (a fail body with HTTP 200) is an error; an empty value costs no call', async () => {
		const res = await run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.v }}' }, [{ v: 'nobody' }, { v: '' }, { v: 'user-0001' }], {
			continueOnFail: true,
		});
		expect(res.error).toBeUndefined();
		const out = json(res);
		expect(out[0]).toEqual({ error: 'CleverTap answered "fail": Profile not found (code 404)', description: expect.stringMatching(/another CleverTap account or region/) });
		expect(out[1].error).toBe('The identity to look up is empty');
		expect(out[2].identity).toBe('user-0001');
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(custom().reads).toBe(2);
	});

	test('profile get many: every page of the cursor flow, each page "still in progress" once and waited for', async () => {
		const expected = ct.matching('profiles', 'Charged', 20260101, 20260331);
		const pages = Math.ceil(expected.length / 7);
		expect(pages).toBeGreaterThan(3);
		const res = await run({ resource: 'profile', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true, options: { batchSize: 7 } });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual(expected);
		expect(paired(res).every((p) => (p as { item: number }).item === 0)).toBe(true);
		expect(custom()).toMatchObject({ pendingAnswers: pages, cursorPolls: 2 * pages });
		expect(ct.requestLog[0]).toMatchObject({ method: 'POST', url: '/in1/1/profiles.json?batch_size=7' });
	});

	test('event get many with a limit: the batch size shrinks to the limit and reading stops once there are enough', async () => {
		const expected = ct.matching('events', 'App Launched', 20260101, 20260331);
		const ten = await run({ resource: 'event', operation: 'getAll', eventName: 'App Launched', ...range, returnAll: false, limit: 10 });
		expect(json(ten)).toEqual(expected.slice(0, 10));
		expect(ct.requestLog[0].url).toBe('/in1/1/events.json?batch_size=10');
		expect(custom().cursorPolls).toBe(2);
		ct.resetCounters();
		const some = await run({ resource: 'event', operation: 'getAll', eventName: 'App Launched', ...range, returnAll: false, limit: 25, options: { batchSize: 10 } });
		expect(json(some)).toEqual(expected.slice(0, 25));
		expect(custom()).toMatchObject({ pendingAnswers: 3, cursorPolls: 6 });
	});

	test('dates: date-times, YYYY-MM-DD and YYYYMMDD are taken; a bad date or a reversed range fails its item before any call', async () => {
		const items = [
			{ from: '2026-02-01T10:00:00.000+01:00', to: '2026-02-28' },
			{ from: 20260201, to: '20260228' },
			{ from: '2026-02-30', to: '2026-03-01' },
			{ from: '2026-03-01', to: '2026-02-01' },
			{ from: 'yesterday', to: '2026-03-01' },
		];
		const res = await run({ resource: 'event', operation: 'count', eventName: 'Charged', from: '={{ $json.from }}', to: '={{ $json.to }}' }, items, { continueOnFail: true });
		const count = ct.matching('events', 'Charged', 20260201, 20260228).length;
		expect(json(res)).toEqual([
			{ count, eventName: 'Charged', from: 20260201, to: 20260228 },
			{ count, eventName: 'Charged', from: 20260201, to: 20260228 },
			{ error: '"From Date" must be a date like 2026-01-31 or 20260131, not "2026-02-30"' },
			{ error: '"From Date" (20260301) is after "To Date" (20260201)' },
			{ error: '"From Date" must be a date like 2026-01-31 or 20260131, not "yesterday"' },
		]);
		expect(ct.requestLog.filter((r) => r.method === 'POST')).toHaveLength(2);
	});

	test('a page that stays "in progress" is waited for a bounded time, then a clear error', async () => {
		ct.pendingPolls = 1_000;
		const res = await run({ resource: 'profile', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true, options: { maxWaitSeconds: 1 } });
		expect(res.error?.message).toMatch(/^CleverTap was still preparing the page after \d+ tries in \d+ s$/);
		expect(res.error?.description).toMatch(/Raise "Wait Up To"/);
		expect(custom().cursorPolls).toBeGreaterThanOrEqual(2);
		expect(custom().cursorPolls).toBeLessThanOrEqual(6);
	});

	test('counts of events and profiles: the req_id is polled until the count is there', async () => {
		ct.countPolls = 2;
		const events = await run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range });
		expect(json(events)).toEqual([{ count: ct.matching('events', 'Charged', 20260101, 20260331).length, eventName: 'Charged', from: 20260101, to: 20260331 }]);
		const profiles = await run({ resource: 'profile', operation: 'count', eventName: 'Charged', ...range });
		expect(json(profiles)[0].count).toBe(ct.matching('profiles', 'Charged', 20260101, 20260331).length);
		expect(json(profiles)[0].count).toBeLessThan(json(events)[0].count as number);
		// Two "partial" answers and the result, for each count.
		expect(custom().countPolls).toBe(6);
	});

	test('a count answered at once is taken without polling; an answer without a count is an error, not a 0', async () => {
		ct.faults.fail(1, 200, { pathPrefix: '/in1/1/counts', body: { status: 'success', count: 7 } });
		expect(json(await run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range }))[0].count).toBe(7);
		expect(custom().countPolls ?? 0).toBe(0);
		ct.faults.fail(1, 200, { pathPrefix: '/in1/1/counts', body: { status: 'success' } });
		const res = await run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range });
		expect(res.error?.message).toBe('CleverTap answered the count without a count');
	});

	test('a count still running when the execution is cancelled: polling stops', async () => {
		ct.countPolls = 1_000;
		const stop = new AbortController();
		const running = run({ resource: 'event', operation: 'count', eventName: 'Charged', ...range }, [{}], { signal: stop.signal });
		while ((custom().countPolls ?? 0) < 2) await sleep(20);
		stop.abort();
		const res = await running;
		expect(res.status).toBe('canceled');
		const polls = custom().countPolls;
		await sleep(1_500);
		expect(custom().countPolls).toBe(polls);
	});

	test('campaigns with a limit, a campaign report, a message report', async () => {
		const inJanuary = ct.campaigns.filter((c) => Math.floor(c.scheduled_on / 10_000) <= 20260131);
		expect(inJanuary.length).toBeGreaterThan(2);
		const jan = { from: '2026-01-01', to: '2026-01-31' };
		const all = await run({ resource: 'campaign', operation: 'getAll', ...jan, returnAll: true });
		expect(json(all)).toEqual(inJanuary);
		const two = await run({ resource: 'campaign', operation: 'getAll', ...jan, returnAll: false, limit: 2 });
		expect(json(two)).toEqual(inJanuary.slice(0, 2));
		const report = await run({ resource: 'campaign', operation: 'getReport', campaignId: '={{ $json.id }}' }, [{ id: inJanuary[1].id }]);
		expect(json(report)).toEqual([expect.objectContaining({ id: inJanuary[1].id, name: inJanuary[1].name, sent: expect.any(Number), clicked: expect.any(Number) })]);
		const messages = await run({ resource: 'message', operation: 'getReport', ...jan, returnAll: true });
		expect(json(messages).map((m) => m.campaign_id)).toEqual(inJanuary.map((c) => c.id));
	});

	test('campaign report: an unknown id is CleverTap\'s 400; a non-numeric one is refused before any call', async () => {
		const res = await run({ resource: 'campaign', operation: 'getReport', campaignId: '={{ $json.id }}' }, [{ id: 42 }, { id: 'abc' }], { continueOnFail: true });
		expect(json(res)).toEqual([
			{ error: 'CleverTap rejected the request (HTTP 400): Campaign not found: 42', description: expect.any(String) },
			{ error: 'Campaign ID must be a number, not "abc"', description: 'Nothing was sent to CleverTap.' },
		]);
		expect(custom().reads).toBe(1);
	});
});

describe("the account's concurrency limit", () => {
	test('five executions at once, each reading 20 items: at most 3 requests in flight, no 429', async () => {
		// Each request takes a while, so that requests from different executions really overlap.
		ct.workMs = 25;
		const identities = [...ct.profiles.keys()].slice(0, 20);
		const runs = await Promise.all(
			Array.from({ length: 5 }, () => run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, identities.map((id) => ({ id })))),
		);
		for (const res of runs) {
			expect(res.error).toBeUndefined();
			expect(json(res).map((p) => p.identity)).toEqual(identities);
		}
		expect(custom().reads).toBe(100);
		expect(ct.peak.read).toBe(3);
		expect(ct.counters.peakInFlight).toBeLessThanOrEqual(3);
		expect(custom().http429 ?? 0).toBe(0);
	});

	test('a 429 that still comes (another client holds one of the slots) is retried and never reaches the user', async () => {
		ct.workMs = 25;
		ct.limits.read = 2;
		const identities = [...ct.profiles.keys()].slice(0, 10);
		const runs = await Promise.all(
			Array.from({ length: 3 }, () => run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, identities.map((id) => ({ id })))),
		);
		for (const res of runs) expect(json(res).map((p) => p.identity)).toEqual(identities);
		expect(custom().http429).toBeGreaterThan(0);
		expect(custom().reads).toBe(30);
		expect(runs.flatMap((r) => r.logs).some((l) => /CleverTap: retry 1 of GET \/in1\/1\/profile\.json after HTTP 429/.test(l))).toBe(true);
	});

	test('a 429 that does not stop: what to do, after a bounded number of attempts', async () => {
		ct.faults.fail(50, 429, { pathPrefix: '/in1/1/profile.json', body: { status: 'fail', error: 'Too many concurrent requests', code: 429 } });
		const res = await run({ resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' });
		expect(res.error?.message).toBe('CleverTap answered 429 "Too many concurrent requests", still after retries');
		expect(res.error?.description).toMatch(/3 requests in flight per account.*another application/);
		expect(ct.counters.requests).toBe(5);
	});
});

describe('upload', () => {
	const profileUpload = { resource: 'profile', operation: 'upload', identifyBy: 'identity', identifier: '={{ $json.identity }}', profileData: '={{ $json.profile }}' };

	test('2,500 profiles with 7 refused: exactly those 7 items are errors, 2,493 successes, each paired to its input, in calls of at most 1000', async () => {
		const refused = [3, 999, 1000, 1500, 2001, 2498, 2499];
		const items = Array.from({ length: 2500 }, (_, i) => ({ identity: `bulk-${i}`, profile: { Plan: i % 2 ? 'gold' : 'free', Seq: i } }));
		for (const i of refused) ct.rejectIdentities.add(`bulk-${i}`);
		const res = await run(profileUpload, items, { continueOnFail: true });
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(2500);
		expect(paired(res)).toEqual(items.map((_, item) => ({ item })));
		const errors = json(res).flatMap((j, i) => (j.error ? [i] : []));
		expect(errors).toEqual(refused);
		for (const i of refused) expect(json(res)[i].error).toBe('CleverTap refused this record (code 513): Invalid identity');
		json(res).forEach((j, i) => {
			if (!refused.includes(i)) expect(j).toEqual({ uploaded: true, type: 'profile', identity: `bulk-${i}` });
		});
		expect(custom()).toMatchObject({ uploadCalls: 3, maxRecordsPerCall: 1000, uploadedRecords: 2493, rejectedRecords: 7 });
		expect(ct.profiles.get('bulk-1')?.profileData).toEqual({ Plan: 'gold', Seq: 1 });
		expect(ct.profiles.has('bulk-3')).toBe(false);
	});

	test('events: identical refused records are attributed in order; an invalid item is its own error and is never sent', async () => {
		ct.rejectIdentities.add('blocked');
		const items = [
			{ who: 'e-1', data: { Amount: 10 } },
			{ who: 'blocked', data: { Amount: 1 } },
			{ who: '', data: { Amount: 2 } },
			{ who: 'blocked', data: { Amount: 1 } },
			{ who: 'e-2', data: '[1, 2]' },
			{ who: 'e-3', data: '{"Amount": 3}' },
		];
		const res = await run(
			{ resource: 'event', operation: 'upload', identifyBy: 'identity', identifier: '={{ $json.who }}', eventName: 'Charged', eventData: '={{ $json.data }}', options: { timestamp: '2026-02-01T00:00:00Z' } },
			items,
			{ continueOnFail: true },
		);
		expect(json(res)).toEqual([
			{ uploaded: true, type: 'event', identity: 'e-1', evtName: 'Charged' },
			{ error: 'CleverTap refused this record (code 513): Invalid identity', description: expect.stringMatching(/other records of this execution were sent/) },
			{ error: '"Identifier" is empty', description: expect.stringMatching(/Nothing was sent/) },
			{ error: 'CleverTap refused this record (code 513): Invalid identity', description: expect.any(String) },
			{ error: '"Event Data" must be an object of properties', description: 'Nothing was sent for this item.' },
			{ uploaded: true, type: 'event', identity: 'e-3', evtName: 'Charged' },
		]);
		expect(custom()).toMatchObject({ uploadCalls: 1, maxRecordsPerCall: 4, uploadedRecords: 2, rejectedRecords: 2 });
		expect(ct.events.filter((e) => e.profile.identity === 'e-3')).toEqual([expect.objectContaining({ event_name: 'Charged', ts: 20260201000000, event_props: { Amount: 3 } })]);
	});

	test('without continueOnFail, a bad item fails the run before anything is uploaded', async () => {
		const res = await run(profileUpload, [{ identity: 'ok-1', profile: {} }, { identity: '', profile: {} }]);
		expect(res.error?.message).toBe('"Identifier" is empty');
		expect(custom().uploadCalls ?? 0).toBe(0);
	});

	test('without continueOnFail, a refused record fails the run and says the other records were sent', async () => {
		ct.rejectIdentities.add('bad');
		const res = await run(profileUpload, [{ identity: 'fine-1', profile: { A: 1 } }, { identity: 'bad', profile: {} }]);
		expect(res.error?.message).toBe('CleverTap refused this record (code 513): Invalid identity');
		expect(res.error?.description).toMatch(/other records of this execution were sent/);
		expect(ct.profiles.has('fine-1')).toBe(true);
	});

	test('every record of a call refused (status "fail" with unprocessed) is still one error per item', async () => {
		ct.rejectIdentities.add('x1').add('x2');
		const res = await run(profileUpload, [{ identity: 'x1', profile: {} }, { identity: 'x2', profile: {} }], { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual(['CleverTap refused this record (code 513): Invalid identity', 'CleverTap refused this record (code 513): Invalid identity']);
	});

	test('refusals CleverTap does not tie to a record: every item of that call is an error saying it may not be stored', async () => {
		ct.faults.fail(1, 200, { pathPrefix: '/in1/1/upload', body: { status: 'partial', processed: 2, unprocessed: [{ status: 'fail', code: 500, error: 'Internal error' }] } });
		const res = await run(profileUpload, [1, 2, 3].map((n) => ({ identity: `u-${n}`, profile: {} })), { continueOnFail: true });
		expect(json(res)).toEqual(
			[0, 1, 2].map(() => ({ error: 'CleverTap refused 1 record(s) of this call without saying which: Internal error', description: expect.stringMatching(/may or may not have been stored/) })),
		);
	});

	test('a failed upload call (503) is not sent again; every item of it gets the error', async () => {
		ct.faults.fail(1, 503, { pathPrefix: '/in1/1/upload' });
		const res = await run(profileUpload, Array.from({ length: 300 }, (_, i) => ({ identity: `s-${i}`, profile: {} })), { continueOnFail: true });
		expect(res.items).toHaveLength(300);
		expect(new Set(json(res).map((j) => j.error))).toEqual(new Set(['CleverTap had a server error (HTTP 503)']));
		expect(ct.requestLog.filter((r) => r.url === '/in1/1/upload')).toHaveLength(1);
		expect(custom().uploadCalls ?? 0).toBe(0);
	});

	test('a 429 on upload is retried: CleverTap did nothing with it', async () => {
		ct.faults.fail(2, 429, { pathPrefix: '/in1/1/upload', body: { status: 'fail', error: 'Too many concurrent requests', code: 429 } });
		const res = await run(profileUpload, [{ identity: 'r-1', profile: { A: 1 } }]);
		expect(json(res)).toEqual([{ uploaded: true, type: 'profile', identity: 'r-1' }]);
		expect(custom()).toMatchObject({ http429: 2, uploadCalls: 1 });
	});
});

describe('credential errors in the node', () => {
	const get = { resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' };

	test('a wrong passcode and the wrong region get the same 401 from CleverTap; the message says how to tell them apart', async () => {
		const passcode = await run(get, [{}], { creds: credentials({ passcode: 'not-the-passcode' }) });
		expect(passcode.error?.message).toBe('CleverTap refused the account id, passcode or region (HTTP 401: Invalid credentials or URL)');
		expect(passcode.error?.description).toMatch(/click "Test": it tells which one is wrong/);
		const region = await run(get, [{}], { creds: credentials({ region: 'eu1' }) });
		expect(region.error?.message).toBe(passcode.error?.message);
		expect(region.error?.description).toMatch(/this credential uses https:\/\/127\.0\.0\.1:\d+\/eu1/);
		expect(ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/profile.json?identity=user-0001', '/eu1/1/profile.json?identity=user-0001']);
	});

	test('an expired passcode has its own message', async () => {
		const res = await run(get, [{}], { creds: credentials({ passcode: ct.expiredPasscode }) });
		expect(res.error?.message).toBe('The CleverTap passcode has expired (HTTP 401)');
		expect(res.error?.description).toMatch(/Settings > Passcodes/);
	});

	test('a "fail" body with HTTP 200 on any read is an error, with CleverTap\'s words', async () => {
		ct.faults.fail(1, 200, { pathPrefix: '/in1/1/targets', body: { status: 'fail', error: 'Account suspended', code: 99 } });
		const res = await run({ resource: 'campaign', operation: 'getAll', from: '2026-01-01', to: '2026-01-31', returnAll: true });
		expect(res.error?.message).toBe('CleverTap answered "fail": Account suspended (code 99)');
	});
});

describe('credential test', () => {
	const testCredential = async (data: IDataObject): Promise<INodeCredentialTestResult> => {
		const result = await node.methods.credentialTest.cleverTapApiTest.call({} as never, { id: 'c', name: 'CleverTap', type: 'cleverTapApi', data: data as never });
		leaks.collect(result.message);
		return result;
	};

	test('right account, passcode and region: OK after one light read', async () => {
		expect(await testCredential(credentials())).toEqual({ status: 'OK', message: `Connection successful: CleverTap accepted account ${ct.accountId} in India (in1)` });
		expect(ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/targets/list.json']);
	});

	test('the wrong region: the other regions are asked at once and the one that knows the account is named', async () => {
		const res = await testCredential(credentials({ region: 'eu1' }));
		expect(res).toEqual({ status: 'Error', message: 'Your account is in India (in1), not Europe (eu1): set Region to India (in1)' });
		expect(ct.requestLog.map((r) => r.url.split('/')[1]).sort()).toEqual(['aps3', 'eu1', 'in1', 'mec1', 'sg1', 'sk1', 'us1']);
	});

	test('a wrong passcode or account id: refused everywhere, said so', async () => {
		const res = await testCredential(credentials({ passcode: 'wrong-passcode' }));
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/^The passcode \(or the account id\) is wrong: CleverTap refused it in India \(in1\) and in every other region\./);
		const account = await testCredential(credentials({ accountId: 'NOT-MY-ACCOUNT' }));
		expect(account.message).toMatch(/^The passcode \(or the account id\) is wrong/);
		expect(ct.requestLog).toHaveLength(14);
	});

	test('an expired passcode, in the right region and in the wrong one', async () => {
		expect((await testCredential(credentials({ passcode: ct.expiredPasscode }))).message).toMatch(/^The passcode has expired: create a new passcode/);
		expect((await testCredential(credentials({ passcode: ct.expiredPasscode, region: 'us1' }))).message).toBe(
			'Your account is in India (in1), not United States (us1): set Region to India (in1), and this passcode has expired there: create a new passcode in CleverTap (Settings > Passcodes), or ask an admin to renew your user passcode, and paste it here',
		);
	});

	test('an override without {region} cannot try the other regions, and says so', async () => {
		const res = await testCredential(credentials({ baseUrl: `${ct.url}/eu1` }));
		expect(res.message).toMatch(/^CleverTap refused the account id or passcode at https:\/\/127\.0\.0\.1:\d+\/eu1 \(HTTP 401\)\. The other regions cannot be tried/);
		expect(ct.requestLog).toHaveLength(1);
	});

	test('an unreachable host, an untrusted one, a missing field', async () => {
		expect((await testCredential(credentials({ baseUrl: 'https://127.0.0.1:1/{region}' }))).message).toMatch(/^The host is wrong or unreachable \(https:\/\/127\.0\.0\.1:1\/in1\)/);
		expect((await testCredential(credentials({ caCertificate: '' }))).message).toMatch(/^The host is wrong or unreachable .*not trusted/);
		expect((await testCredential(credentials({ passcode: '' }))).message).toMatch(/^Fill both Account ID and Passcode/);
	});
});

test('the passcode is in no URL CleverTap received', () => {
	expect(urlsSeen.length).toBeGreaterThan(100);
	for (const url of urlsSeen) {
		expect(url).not.toContain(ct.passcode);
		expect(url).not.toContain(ct.expiredPasscode);
	}
});

test('the passcode is in no output, error or log line of this file', () => {
	leaks.collect(capturedLogs.join('\n'));
	// The node's retry lines were among the logs looked at.
	expect(capturedLogs.some((l) => /CleverTap: retry 1 of GET/.test(l))).toBe(true);
	expect(leaks.assertNone()).toBeGreaterThan(1000);
});
