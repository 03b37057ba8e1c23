/**
 * The CleverTap actions inside n8n's engine against the emulator: Profile → Delete, Demerge, Subscribe,
 * Unsubscribe; Campaign → Create, Estimate, Stop. Each: success, CleverTap's refusals, bad input refused before any
 * request, and every ambiguous outcome sent exactly once with a message saying how to check.
 */
import type { IDataObject } from 'n8n-workflow';
import { json, paired, useCleverTap } from './setup';

const t = useCleverTap();
const custom = () => t.ct.counters.custom;
const TOOL = 'n8n-nodes-fintech-identity.cleverTapTool';
const sent = (path: string) => t.ct.requestLog.filter((r) => r.url === `/in1${path}`).length;

/** Every fault after a request was sent, armed for `path`. (A timeout is tested once, below: it takes 30 s.) */
const AMBIGUOUS: Array<[string, (path: string) => void, RegExp]> = [
	['500', (p) => t.ct.faults.fail(1, 500, { pathPrefix: `/in1${p}` }), /\(HTTP 500: "sandbox fault: HTTP 500"\)/],
	['504', (p) => t.ct.faults.fail(1, 504, { pathPrefix: `/in1${p}` }), /\(HTTP 504: "sandbox fault: HTTP 504"\)/],
	['reset', (p) => t.ct.faults.reset(1, `/in1${p}`), /\(the connection (was dropped|was closed by the other side)\)/],
	['malformed', (p) => t.ct.faults.malformed(1, `/in1${p}`), /\(The server answered HTTP 200 with a body that is not valid JSON\)/],
];

async function expectAmbiguous(path: string, parameters: IDataObject, action: string, howToCheck: RegExp) {
	for (const [name, arm, what] of AMBIGUOUS) {
		t.ct.resetCounters();
		arm(path);
		const res = await t.run(parameters, [{}], { continueOnFail: true });
		const [item] = json(res);
		expect([name, item.error]).toEqual([name, expect.stringMatching(new RegExp(`^CleverTap gave no clear answer to ${action} `))]);
		expect(item.error).toMatch(what);
		expect(item.error).toMatch(/It was sent once and not again, so it may have taken effect$/);
		expect(item.description).toMatch(howToCheck);
		expect([name, sent(path)]).toEqual([name, 1]);
	}
}

describe('Profile → Delete', () => {
	const del = (by: string, identifier: string) => ({ resource: 'profile', operation: 'delete', deleteBy: by, identifier });

	test('delete: by identity and by object ID, one item each, paired; the profiles and their events are gone', async () => {
		const other = t.ct.profiles.get('user-0012')!;
		const res = await t.run(del('={{ $json.by }}', '={{ $json.id }}'), [{ by: 'identity', id: 'user-0011' }, { by: 'guid', id: other.objectId }]);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([
			{ deleted: true, identity: 'user-0011', status: 'success' },
			{ deleted: true, objectId: other.objectId, status: 'success' },
		]);
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(t.ct.profiles.has('user-0011') || t.ct.profiles.has('user-0012')).toBe(false);
		expect(t.ct.deletions.slice(-2)).toEqual(['user-0011', other.objectId]);
		expect(custom().actions).toBe(2);
		const after = await t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0011' });
		expect(after.error?.message).toBe('CleverTap answered "fail": Profile not found (code 404)');
	});

	test('an empty identifier, or an expression that gives the whole item, is refused before any request', async () => {
		const res = await t.run(del('identity', '={{ $json.id }}'), [{ id: '' }, { id: { nested: true } }, { id: 'user-0013' }], { continueOnFail: true });
		expect(json(res).map((j) => j.error ?? j.deleted)).toEqual(['Identifier is empty', 'Identifier must be text, not object "{"nested":true}"', true]);
		expect(sent('/1/delete/profiles.json')).toBe(1);
	});

	test('delete: an ambiguous outcome is sent once and says to look the profile up', async () => {
		await expectAmbiguous('/1/delete/profiles.json', del('identity', 'user-0014'), 'the Delete Profile request', /^Look the profile up with Profile → Get \(Find By: Identity\): if CleverTap no longer finds it, it was deleted/);
	});

	test('limits: a 429 is retried (CleverTap did nothing)', async () => {
		t.ct.faults.fail(1, 429, { pathPrefix: '/in1/1/delete', body: { status: 'fail', error: 'Too many concurrent requests', code: 429 } });
		const res = await t.run(del('identity', 'user-0021'));
		expect(json(res)).toEqual([{ deleted: true, identity: 'user-0021', status: 'success' }]);
		expect(sent('/1/delete/profiles.json')).toBe(2);
	});

	test('limits: three executions erasing at once, with reads going on: at most 3 actions in flight, no 429', async () => {
		t.ct.workMs = 20;
		const ids = (from: number) => Array.from({ length: 5 }, (_, i) => ({ id: `user-${String(from + i).padStart(4, '0')}` }));
		const runs = await Promise.all([
			t.run(del('identity', '={{ $json.id }}'), ids(31)),
			t.run(del('identity', '={{ $json.id }}'), ids(36)),
			t.run(del('identity', '={{ $json.id }}'), ids(41)),
			t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, ids(61)),
		]);
		for (const res of runs) expect(res.error).toBeUndefined();
		expect(t.ct.peak.write).toBe(3);
		expect(t.ct.peak.read).toBeLessThanOrEqual(3);
		expect(custom().http429 ?? 0).toBe(0);
		expect(sent('/1/delete/profiles.json')).toBe(15);
	});

	test('as an AI agent tool, Delete is refused and nothing is sent, unless the workflow owner allowed it', async () => {
		const res = await t.run(del('identity', 'user-0030'), [{}], { type: TOOL, continueOnFail: true });
		expect(json(res)).toEqual([
			{ error: 'Not done: an AI agent may not erase a CleverTap profile with this tool, so nothing was sent', description: expect.stringMatching(/Allow AI Agent to Run This/) },
		]);
		expect(t.ct.requestLog).toHaveLength(0);
		expect(t.ct.profiles.has('user-0030')).toBe(true);
		const allowed = await t.run({ ...del('identity', 'user-0030'), agentMayRun: true }, [{}], { type: TOOL, continueOnFail: true });
		expect(json(allowed)[0]).toMatchObject({ deleted: true, identity: 'user-0030' });
		expect(t.ct.profiles.has('user-0030')).toBe(false);
	});
});

describe('Profile → Demerge', () => {
	const demerge = (identities: string) => ({ resource: 'profile', operation: 'demerge', identities });

	test('demerge: identities separated by commas, or a list from an expression', async () => {
		const res = await t.run(demerge('={{ $json.ids }}'), [{ ids: 'client-1, ana@example.com' }, { ids: ['client-2', 'bo@example.com'] }]);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([
			{ demerged: true, identities: ['client-1', 'ana@example.com'], status: 'success' },
			{ demerged: true, identities: ['client-2', 'bo@example.com'], status: 'success' },
		]);
		expect(t.ct.demerges.slice(-2)).toEqual([['client-1', 'ana@example.com'], ['client-2', 'bo@example.com']]);
	});

	test('none, more than 100, or one twice: refused before any request', async () => {
		const many = Array.from({ length: 101 }, (_, i) => `id-${i}`);
		const res = await t.run(demerge('={{ $json.ids }}'), [{ ids: ' , ' }, { ids: many }, { ids: 'a, b, a' }], { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual([
			'Identities is empty',
			'Identities has 101 values; CleverTap takes at most 100 in one demerge',
			'Identities names "a" twice',
		]);
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('demerge: an ambiguous outcome is sent once and says to check before sending again', async () => {
		await expectAmbiguous('/1/demerge/profiles.json', demerge('x1, x2'), 'the Demerge Profiles request', /^Look each identity up with Profile → Get/);
	});

	test('as an AI agent tool, Demerge is refused', async () => {
		const res = await t.run(demerge('x1, x2'), [{}], { type: TOOL, continueOnFail: true });
		expect(json(res)[0].error).toBe('Not done: an AI agent may not demerge CleverTap profiles with this tool, so nothing was sent');
		expect(t.ct.requestLog).toHaveLength(0);
	});
});

describe('Profile → Subscribe / Unsubscribe', () => {
	const op = (operation: string) => ({ resource: 'profile', operation, channel: '={{ $json.channel }}', value: '={{ $json.value }}' });

	test('subscribe: emails and phones in one call; phones written with spaces are sent compact; each item paired', async () => {
		const items = [
			{ channel: 'email', value: 'ana@example.com' },
			{ channel: 'phone', value: '+91 92132 31415' },
			{ channel: 'phone', value: '+1 (415) 555-1234' },
		];
		const un = await t.run(op('unsubscribe'), items);
		expect(un.error).toBeUndefined();
		expect(json(un)).toEqual([
			{ updated: true, channel: 'email', value: 'ana@example.com', status: 'Unsubscribe' },
			{ updated: true, channel: 'phone', value: '+919213231415', status: 'Unsubscribe' },
			{ updated: true, channel: 'phone', value: '+14155551234', status: 'Unsubscribe' },
		]);
		expect(t.ct.subscriptions.get('phone:+919213231415')).toBe('Unsubscribe');
		const re = await t.run(op('subscribe'), items.slice(0, 1));
		expect(json(re)).toEqual([{ updated: true, channel: 'email', value: 'ana@example.com', status: 'Resubscribe' }]);
		expect(t.ct.subscriptions.get('email:ana@example.com')).toBe('Resubscribe');
		expect(sent('/1/subscribe')).toBe(2);
	});

	test('an email that is not one, a phone without its country code: refused before any request; the others are sent', async () => {
		const items = [
			{ channel: 'email', value: 'ana.example.com' },
			{ channel: 'phone', value: '4155551234' },
			{ channel: 'phone', value: '' },
			{ channel: 'email', value: 'ok@example.com' },
		];
		const res = await t.run(op('unsubscribe'), items, { continueOnFail: true });
		expect(json(res).map((j) => j.error ?? j.updated)).toEqual(['Value "ana.example.com" is not an email address', 'Value "4155551234" is not a phone number with its country code', 'Value is empty', true]);
		expect(sent('/1/subscribe')).toBe(1);
	});

	test('subscribe: an entry CleverTap leaves unprocessed becomes that item\'s error', async () => {
		t.ct.faults.fail(1, 200, {
			pathPrefix: '/in1/1/subscribe',
			body: { status: 'partial', processed: 1, unprocessed: [{ status: 'fail', code: 400, error: 'Invalid value', record: { type: 'email', value: 'b@example.com', status: 'Unsubscribe' } }] },
		});
		const res = await t.run(op('unsubscribe'), [{ channel: 'email', value: 'a@example.com' }, { channel: 'email', value: 'b@example.com' }], { continueOnFail: true });
		expect(json(res).map((j) => j.error ?? j.updated)).toEqual([true, 'CleverTap refused this entry (code 400): Invalid value']);
	});

	test('subscribe has no request limit: four calls of 1000 in flight at once, more than the 3 actions may have', async () => {
		t.ct.workMs = 300;
		const items = Array.from({ length: 3001 }, (_, i) => ({ channel: 'email', value: `bulk-${i}@example.com` }));
		const res = await t.run(op('subscribe'), items);
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(3001);
		expect(sent('/1/subscribe')).toBe(4);
		expect(custom().subscribePeak).toBe(4);
		expect(custom().http429 ?? 0).toBe(0);
	});

	test('unsubscribe: an ambiguous outcome is sent once and says repeating is harmless', async () => {
		await expectAmbiguous('/1/subscribe', { resource: 'profile', operation: 'unsubscribe', channel: 'email', value: 'c@example.com' }, 'the Unsubscribe call', /^Setting the same status again is harmless/);
	});
});

describe('Campaign → Create, Estimate, Stop', () => {
	const content = '{"title": "Hi", "body": "Prices dropped"}';
	const create = (extra: IDataObject = {}) => ({ resource: 'campaign', operation: 'create', name: '={{ $json.name }}', targetMode: 'push', when: 'now', where: '{"event_name": "Charged", "from": 20260101, "to": 20260331}', content, ...extra });
	const audience = () => t.ct.matching('profiles', 'Charged', 20260101, 20260331).length;

	test('campaign-create: creates, answers the id and estimates; listed by Get Many today', async () => {
		const res = await t.run(create(), [{ name: 'Price drop A' }]);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([{ id: expect.any(Number), estimates: { android: audience() }, name: 'Price drop A', alreadyExisted: false }]);
		const today = new Date().toISOString().slice(0, 10);
		const listed = await t.run({ resource: 'campaign', operation: 'getAll', from: today, to: today, returnAll: true });
		expect(json(listed)).toEqual([expect.objectContaining({ id: json(res)[0].id, name: 'Price drop A', status: 'running' })]);
	});

	test('a scheduled one goes as "YYYYMMDD HH:MM", as written; more fields through Additional Fields', async () => {
		const res = await t.run(create({ when: 'later', sendAt: '2030-05-01T09:30:00', options: { additional: '{"respect_frequency_caps": false, "labels": ["n8n"]}' } }), [{ name: 'Later B' }]);
		expect(res.error).toBeUndefined();
		expect(t.ct.campaigns.find((c) => c.id === json(res)[0].id)).toMatchObject({ status: 'scheduled', scheduled_on: 203005010930 });
	});

	test('create-rate: five creates at once keep to the stricter published rate (one a second): no 429, five campaigns', async () => {
		const names = ['R1', 'R2', 'R3', 'R4', 'R5'].map((name) => ({ name }));
		const res = await t.run(create(), names);
		expect(res.error).toBeUndefined();
		expect(json(res).map((j) => j.name)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5']);
		expect(custom().http429 ?? 0).toBe(0);
		expect(custom().campaignsCreated).toBe(5);
	});

	test('Reuse Campaign With Same Name: a retry returns the campaign already created; items of one run create once', async () => {
		const reuse = create({ options: { reuseByName: true } });
		const first = await t.run(reuse, [{ name: 'Welcome C' }, { name: 'Welcome C' }, { name: 'Welcome D' }]);
		expect(first.error).toBeUndefined();
		const [c1, c2, d] = json(first);
		expect(c1).toMatchObject({ name: 'Welcome C', alreadyExisted: false });
		expect(c2).toMatchObject({ id: c1.id, alreadyExisted: true });
		expect(d).toMatchObject({ name: 'Welcome D', alreadyExisted: false });
		expect(custom().campaignsCreated).toBe(2);
		t.ct.resetCounters();
		const retry = await t.run(reuse, [{ name: 'Welcome C' }]);
		expect(json(retry)).toEqual([expect.objectContaining({ id: c1.id, name: 'Welcome C', alreadyExisted: true })]);
		expect(custom().campaignsCreated ?? 0).toBe(0);
		expect(t.ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/targets/list.json']);
	});

	/** YYYYMMDD `days` from today (UTC), and the same day as the node's Send At. */
	const day = (days: number) => Number(new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''));
	const sendAt = (d: number) => `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6)}T09:30:00`;
	const later = (d: number) => create({ when: 'later', sendAt: sendAt(d), options: { reuseByName: true } });

	test('Reuse Campaign With Same Name finds one scheduled for next week, made in the dashboard or by an earlier run, and creates nothing', async () => {
		const nextWeek = day(7);
		// Made in the dashboard: never through this node.
		t.ct.campaigns.push({ id: 1_799_000_001, name: 'Weekly digest', channel: 'push', status: 'scheduled', scheduled_on: nextWeek * 10_000 + 930 });
		const res = await t.run(later(nextWeek), [{ name: 'Weekly digest' }]);
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([expect.objectContaining({ id: 1_799_000_001, name: 'Weekly digest', alreadyExisted: true })]);
		expect(custom().campaignsCreated ?? 0).toBe(0);
		// From Look Back (1) days before today, a day to spare, through the campaign's own day and one more.
		expect(t.ct.campaignListQueries.at(-1)).toEqual({ from: day(-2), to: day(8) });

		// An earlier run scheduled it in 10 days; the re-run (the expression now says 12) still finds it.
		const first = await t.run(later(day(10)), [{ name: 'Reminder J' }]);
		expect(json(first)).toEqual([expect.objectContaining({ name: 'Reminder J', alreadyExisted: false })]);
		t.ct.resetCounters();
		const rerun = await t.run(later(day(12)), [{ name: 'Reminder J' }]);
		expect(json(rerun)).toEqual([expect.objectContaining({ id: json(first)[0].id, name: 'Reminder J', alreadyExisted: true })]);
		expect(custom().campaignsCreated ?? 0).toBe(0);
		expect(t.ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/targets/list.json']);
	});

	test('Reuse Campaign With Same Name: a campaign list that cannot be read is an error, and nothing is created', async () => {
		const said: Record<string, string> = {
			noTargets: 'CleverTap answered with an object with key status, not a list of campaigns with their names under "targets"',
			statusFail: 'CleverTap answered "fail": Internal error (code 500)',
			notAList: 'CleverTap answered with an object with keys status, targets, not a list of campaigns with their names under "targets"',
			nameless: 'CleverTap answered with an object with keys status, targets, not a list of campaigns with their names under "targets"',
		};
		t.ct.campaigns.push({ id: 1_799_000_002, name: 'Hidden K', channel: 'push', status: 'scheduled', scheduled_on: day(0) * 10_000 + 930 });
		for (const [knob, cause] of Object.entries(said)) {
			t.ct.resetCounters();
			t.ct.campaignList = knob as keyof typeof said;
			const res = await t.run(create({ options: { reuseByName: true } }), [{ name: 'Hidden K' }, { name: 'Other L' }], { continueOnFail: true });
			expect([knob, json(res).map((j) => j.error)]).toEqual([knob, [`Could not tell whether a campaign named "Hidden K" exists (${cause}), so none was created`, `Could not tell whether a campaign named "Other L" exists (${cause}), so none was created`]]);
			expect(json(res)[0].description).toMatch(/^"Reuse Campaign With Same Name" looks at the campaigns scheduled from \d{8} to \d{8} before creating one, and CleverTap's answer could not be read. Nothing was sent to create it/);
			expect([knob, sent('/1/targets/create.json'), custom().campaignsCreated ?? 0]).toEqual([knob, 0, 0]);
		}
		// Without "On Error: Continue" the run stops there, nothing created either.
		const stopped = await t.run(create({ options: { reuseByName: true } }), [{ name: 'Other L' }]);
		expect(stopped.error?.message).toMatch(/^Could not tell whether a campaign named "Other L" exists/);
		expect(sent('/1/targets/create.json')).toBe(0);
	});

	test('bad input is refused before any request: no name, content not JSON, an impossible send time, fields not an object', async () => {
		const items = [
			{ name: '', when: 'now', sendAt: '', content, additional: '{}' },
			{ name: 'X', when: 'now', sendAt: '', content: '{"title": ', additional: '{}' },
			{ name: 'X', when: 'later', sendAt: '2030-02-30T10:00:00', content, additional: '{}' },
			{ name: 'X', when: 'later', sendAt: '2030-02-01', content, additional: '{}' },
			{ name: 'X', when: 'now', sendAt: '', content, additional: '[1]' },
			{ name: 'X', when: 'now', sendAt: '', content: '', additional: '{}' },
		];
		const res = await t.run(
			create({ when: '={{ $json.when }}', sendAt: '={{ $json.sendAt }}', content: '={{ $json.content }}', options: { additional: '={{ $json.additional }}' } }),
			items,
			{ continueOnFail: true },
		);
		expect(json(res).map((j) => j.error)).toEqual([
			'Campaign Name is empty',
			'Content is not valid JSON',
			'Send At "2030-02-30T10:00:00" is not a real calendar date',
			'Send At "2030-02-01" has no time of day',
			'Additional Fields (JSON) must be an object of properties, not a list',
			'Content is empty',
		]);
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('campaign-create: an ambiguous outcome is sent once, and says to look for the campaign by name before running it again', async () => {
		await expectAmbiguous('/1/targets/create.json', { ...create(), name: 'Flaky E' }, 'the Create Campaign request', /^Look for a campaign named "Flaky E" \(Campaign → Get Many for the day it is to start, or CleverTap's dashboard\) before running it again: a second Create would message the same users twice/);
		// The cut-off answer (the last fault) came after CleverTap had created it: that is why the message says "may".
		expect(custom().campaignsCreated).toBe(1);
	});

	test('campaign-create: a timeout after sending is ambiguous too, and not sent again', async () => {
		t.ct.faults.latencyMs = 35_000;
		t.ct.faults.latencyPathPrefix = '/in1/1/targets/create.json';
		const res = await t.run({ ...create(), name: 'Slow F' }, [{}], { continueOnFail: true });
		expect(json(res)[0].error).toBe('CleverTap gave no clear answer to the Create Campaign request (The server timed out while waiting for an answer). It was sent once and not again, so it may have taken effect');
		expect(sent('/1/targets/create.json')).toBe(1);
	}, 60_000);

	test('campaign-estimate: the reach, and nothing created; it may be sent again after a failure', async () => {
		const before = t.ct.campaigns.length;
		t.ct.faults.fail(1, 503, { pathPrefix: '/in1/1/targets/create.json' });
		const res = await t.run({ ...create(), operation: 'estimate', name: 'Estimate G' });
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([{ estimates: { android: audience() }, name: 'Estimate G' }]);
		expect(t.ct.campaigns).toHaveLength(before);
		expect(sent('/1/targets/create.json')).toBe(2);
	});

	test('campaign-stop: stops; stopping again is success; an unknown id is CleverTap\'s refusal; a bad id is refused before any request', async () => {
		const made = json(await t.run(create(), [{ name: 'To stop H' }]))[0];
		t.ct.resetCounters();
		const stop = { resource: 'campaign', operation: 'stop', campaignId: '={{ $json.id }}' };
		const res = await t.run(stop, [{ id: made.id }, { id: made.id }, { id: 42 }, { id: 'abc' }, { id: 0 }], { continueOnFail: true });
		expect(json(res).map((j) => j.error ?? j)).toEqual([
			{ stopped: true, id: made.id, status: 'success' },
			{ stopped: true, id: made.id, status: 'success' },
			'CleverTap rejected the request (HTTP 400): Campaign not found: 42',
			'Campaign ID must be a whole number of at least 1, not "abc"',
			'Campaign ID must be a whole number of at least 1, not "0"',
		]);
		expect(t.ct.campaigns.find((c) => c.id === made.id)?.status).toBe('stopped');
		expect(sent('/1/targets/stop.json')).toBe(3);
	});

	test('campaign-stop: an ambiguous outcome says running Stop again is safe; as an AI tool Stop is refused', async () => {
		await expectAmbiguous('/1/targets/stop.json', { resource: 'campaign', operation: 'stop', campaignId: '1700000000' }, 'the Stop Campaign request', /^Running Stop again is safe/);
		t.ct.resetCounters();
		const res = await t.run({ resource: 'campaign', operation: 'stop', campaignId: '1700000000' }, [{}], { type: TOOL, continueOnFail: true });
		expect(json(res)[0].error).toBe('Not done: an AI agent may not stop a CleverTap campaign with this tool, so nothing was sent');
		expect(t.ct.requestLog).toHaveLength(0);
	});
});
