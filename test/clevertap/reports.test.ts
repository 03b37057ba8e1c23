/**
 * Report → Get Real-Time Counts, Get Top Property Counts, Get Trends inside n8n's engine against the emulator.
 */
import { json, paired, range, useCleverTap } from './setup';

const t = useCleverTap();
const custom = () => t.ct.counters.custom;

test('now: the active users, split only as asked', async () => {
	t.ct.activeNow = 12;
	const plain = await t.run({ resource: 'report', operation: 'getRealTimeCounts' }, [{}, {}]);
	expect(json(plain)).toEqual([{ users: 12 }, { users: 12 }]);
	expect(paired(plain)).toEqual([{ item: 0 }, { item: 1 }]);
	const res = await t.run({ resource: 'report', operation: 'getRealTimeCounts', split: { user_type: true, os: true, device: false } });
	expect(res.error).toBeUndefined();
	expect(json(res)).toEqual([{ users: 12, user_type: { new: 4, returning: 8 }, os: { Android: 6, iOS: 6 } }]);
	expect(t.ct.requestLog.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /in1/1/now.json', 'POST /in1/1/now.json', 'POST /in1/1/now.json']);
});

describe('top property counts', () => {
	const top = (groups: unknown, extra = {}) => ({ resource: 'report', operation: 'getTopCounts', eventName: 'Charged', ...range, groups: { group: groups }, ...extra });

	test('top: two properties, polled through the req_id to the result, with the query beside it', async () => {
		t.ct.countPolls = 2;
		const res = await t.run(top([{ propertyType: 'event_properties', name: 'Currency', topN: 5, order: 'desc' }, { propertyType: 'session_properties', name: 'session_source', topN: 1, order: 'asc' }]));
		expect(res.error).toBeUndefined();
		const hits = t.ct.matching('events', 'Charged', 20260101, 20260331);
		const pushes = hits.filter((e) => e.session_props.session_source === 'push').length;
		expect(json(res)).toEqual([
			{
				Currency: [{ value: 'USD', count: hits.length }],
				session_source: [{ value: pushes <= hits.length - pushes ? 'push' : 'direct', count: Math.min(pushes, hits.length - pushes) }],
				eventName: 'Charged',
				from: 20260101,
				to: 20260331,
			},
		]);
		expect(custom().countPolls).toBe(2);
	});

	test('no property, one twice, Top N out of 1–100: refused before any request; CleverTap\'s "Invalid group" shown when it says so', async () => {
		const cases = [[], [{ propertyType: 'event_properties', name: 'A' }, { propertyType: 'profile_fields', name: 'A' }], [{ propertyType: 'event_properties', name: 'A', topN: 0 }], [{ propertyType: 'event_properties', name: 'A', topN: 2.5 }], [{ propertyType: 'event_properties', name: '' }]];
		const errors = [];
		for (const groups of cases) errors.push(json(await t.run(top(groups), [{}], { continueOnFail: true }))[0].error);
		expect(errors).toEqual([
			'Properties is empty',
			'Property A is listed twice',
			'Top N must be a whole number from 1 to 100, not "0"',
			'Top N must be a whole number from 1 to 100, not "2.5"',
			'Property Name is empty',
		]);
		expect(t.ct.requestLog).toHaveLength(0);
		const invalid = await t.run(top([{ propertyType: 'galaxy_fields', name: 'A' }]));
		expect(invalid.error?.message).toBe('CleverTap rejected the request (HTTP 400): Invalid group: A');
	});
});

describe('trends', () => {
	const trends = (extra = {}) => ({ resource: 'report', operation: 'getTrends', eventName: 'Charged', from: '2026-01-01', to: '2026-01-31', trendTypes: ['daily', 'weekly', 'monthly'], ...extra });

	test('trends: daily, weekly and monthly series of one event, counted once and for people', async () => {
		const hits = t.ct.matching('events', 'Charged', 20260101, 20260131);
		const res = await t.run(trends());
		expect(res.error).toBeUndefined();
		const [out] = json(res) as Array<Record<string, Record<string, number>>>;
		const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
		expect(total(out.daily)).toBe(hits.length);
		expect(total(out.weekly)).toBe(hits.length);
		expect(out.monthly).toEqual({ 20260101: hits.length });
		const people = await t.run(trends({ trendTypes: ['monthly'], options: { unique: true } }));
		expect(json(people)[0].monthly).toEqual({ 20260101: new Set(hits.map((e) => e.profile.identity)).size });
		const sum = await t.run(trends({ trendTypes: ['monthly'], options: { sumEventProp: 'Amount' } }));
		expect(json(sum)[0].monthly).toEqual({ 20260101: Math.round(hits.reduce((a, e) => a + e.event_props.Amount, 0) * 100) / 100 });
	});

	test('trends: answered at once is taken without polling', async () => {
		t.ct.countPolls = 0;
		const res = await t.run(trends({ trendTypes: ['monthly'] }));
		expect(json(res)[0]).toMatchObject({ monthly: expect.any(Object), eventName: 'Charged' });
		expect(custom().countPolls ?? 0).toBe(0);
	});

	test('more than a year, no trend type, a reversed range: refused before any request', async () => {
		const res = await t.run(trends({ from: '={{ $json.from }}', to: '={{ $json.to }}', trendTypes: '={{ $json.types }}' }), [
			{ from: '2025-01-01', to: '2026-01-31', types: ['daily'] },
			{ from: '2026-01-01', to: '2026-01-31', types: [] },
			{ from: '2026-02-01', to: '2026-01-31', types: ['daily'] },
		], { continueOnFail: true });
		expect(json(res).map((j) => j.error)).toEqual([
			'From Date (20250101) to To Date (20260131) is more than 366 days',
			'Trend Types is empty',
			'To Date (20260131) is before From Date (20260201)',
		]);
		expect(t.ct.requestLog).toHaveLength(0);
	});
});
