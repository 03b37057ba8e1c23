import { randomBytes } from 'crypto';
import { json, seeded, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * CleverTap's server API. Every behaviour is a row of `sandbox/contracts/clevertap.md` with its source; the code
 * names the row (`// contract: <id>`). One server stands for every regional host: the region is the first path
 * segment (`/in1/1/profiles.json`), so a credential's base-URL override is `https://127.0.0.1:PORT/{region}`; a
 * path without a region segment is Europe (the bare `api.clevertap.com`).
 */

type Obj = Record<string, any>;

// contract: region-hosts
export const CLEVERTAP_REGIONS = ['eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1'] as const;
export type CleverTapRegion = (typeof CLEVERTAP_REGIONS)[number];

export interface CleverTapOptions {
	certs: SandboxCerts;
	accountId?: string;
	passcode?: string;
	/** A second passcode of the same account that has expired. */
	expiredPasscode?: string;
	/** Where the account lives. */
	region?: CleverTapRegion;
	/** Partner names allowed to use `/v1/connect`. */
	partners?: string[];
	profiles?: number;
	/**
	 * Keep the events on the days written here (1 January to 28 March 2026), which tests pin. By default they are
	 * moved, whole days at a time, to end yesterday, so "the last 7 days" finds events whenever the sandbox runs.
	 */
	fixedDates?: boolean;
	port?: number;
	/** Where to listen (default 127.0.0.1). */
	host?: string;
}

type Bucket = 'read' | 'write' | 'upload';

export interface CleverTapSandbox extends Service {
	accountId: string;
	passcode: string;
	expiredPasscode: string;
	region: CleverTapRegion;
	partners: string[];
	/** Concurrent requests allowed per account; over it → 429 (contract: limits). */
	limits: Record<Bucket, number>;
	/** Create Campaign requests (estimates too) allowed in any one second; one more → 429 (contract: create-rate). */
	createsPerSecond: number;
	/** Added inside the concurrency window of every request, so that requests overlap as they do over a WAN. */
	workMs: number;
	/** "Still in progress" answers each cursor page gives before it is ready. */
	pendingPolls: number;
	/** Empty pages (with a next_cursor) served before every page of records. */
	emptyPages: number;
	/** `partial` answers a count, top or trend query gives before its result; 0 = the result at once. */
	countPolls: number;
	/** Identities whose upload records are refused with code 555 (a refusal without a data reason). */
	rejectIdentities: Set<string>;
	/** Event names the account discards (code 528). */
	discardedEvents: Set<string>;
	profiles: Map<string, Obj>;
	events: Obj[];
	/** Campaigns as Get Campaigns lists them: those made through the API and those made in the dashboard alike. */
	campaigns: Obj[];
	/** What `/1/targets/list.json` answers: its documented list, or (a test knob) an answer a client cannot read. */
	campaignList: 'ok' | 'noTargets' | 'statusFail' | 'notAList' | 'nameless';
	/** The `{from, to}` of every campaign list asked for, in order. */
	campaignListQueries: Array<{ from: number; to: number }>;
	/** Status per `phone:+1…` / `email:a@b` set through /1/subscribe. */
	subscriptions: Map<string, 'Unsubscribe' | 'Resubscribe'>;
	/** Identities lists demerged, in order. */
	demerges: string[][];
	/** Identities and guids whose deletion was requested, in order. */
	deletions: string[];
	/** Users active in the last five minutes, for /1/now.json. */
	activeNow: number;
	/** Live requests in flight for the account, and their peaks since the last resetCounters(). */
	inFlight: Record<Bucket, number>;
	peak: Record<Bucket, number>;
	/** The most requests that asked at once, the ones refused with 429 included: what the clients together tried. */
	peakAsked: Record<Bucket, number>;
	/** Records of the cursor flow / counts, for tests: profiles or events matching a query. */
	matching(kind: 'profiles' | 'events', eventName: string, from: number, to: number): Obj[];
}

/**
 * Counters this emulator adds to `counters.custom`: `reads`, `actions`, `uploadCalls`, `uploadedRecords`,
 * `rejectedRecords`, `maxRecordsPerCall`, `cursorPolls`, `pendingAnswers`, `countPolls`, `campaignsCreated`,
 * `subscribePeak` (Subscribe calls in flight at once),
 * `http401` / `http429` (by the framework).
 */
export const CLEVERTAP_COUNTERS = ['reads', 'actions', 'uploadCalls', 'uploadedRecords', 'rejectedRecords', 'cursorPolls', 'pendingAnswers', 'countPolls', 'campaignsCreated'] as const;

const EVENT_NAMES = ['App Launched', 'Charged', 'Product Viewed'];
const CITIES = ['Mumbai', 'Lisbon', 'Singapore', 'Dubai', 'Seoul', 'Jakarta', 'Austin'];
const MAX_BATCH = 5000;
const MAX_UPLOAD = 1000;
const MAX_IDS = 100;
// [doc: dev:docs/upload-events-api] "For each event type, the maximum number of properties is 256".
const MAX_EVENT_PROPS = 256;
// contract: upload-triggers — the names the SDKs refuse to raise (CleverTap raises them itself).
const SYSTEM_EVENTS = new Set([
	'Stayed',
	'Notification Clicked',
	'Notification Viewed',
	'UTM Visited',
	'Notification Sent',
	'App Launched',
	'wzrk_d',
	'App Uninstalled',
	'Notification Bounced',
	'Geofence Entered',
	'Geofence Exited',
]);
const TARGET_MODES = new Set(['push', 'email', 'sms', 'webpush', 'webhook', 'whatsapp', 'notificationinbox']);
const PROPERTY_TYPES = new Set(['event_properties', 'session_properties', 'profile_fields', 'app_fields', 'demographics', 'technographics', 'reachability', 'geo_fields']);

const fail = (status: number, error: string, code: number = status): SandboxReply => json(status, { status: 'fail', error, code });
const header = (req: SandboxRequest, name: string) => {
	const v = req.headers[name];
	return String(Array.isArray(v) ? v[0] : v ?? '');
};
/** YYYYMMDD as CleverTap takes it: a number or a string of 8 digits. */
const yyyymmdd = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && /^\d{8}$/.test(v)) ? Number(v) : undefined);
const dayOf = (d: number) => new Date(Date.UTC(Math.floor(d / 10000), Math.floor(d / 100) % 100 - 1, d % 100));
const toDay = (date: Date) => Number(date.toISOString().slice(0, 10).replace(/-/g, ''));
const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isObject = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The last day of the events as written; `generate` moves them by whole days from there. */
const LAST_EVENT_DAY = 20260328;

/** Days from LAST_EVENT_DAY to yesterday (UTC). */
function daysToYesterday(now = Date.now()) {
	return Math.floor(now / DAY_MS) - 1 - Math.floor(dayOf(LAST_EVENT_DAY).getTime() / DAY_MS);
}

function generate(count: number, shiftDays: number) {
	const rand = seeded(2025_04_02);
	const shift = (d: number) => toDay(new Date(dayOf(d).getTime() + shiftDays * DAY_MS));
	const profiles = new Map<string, Obj>();
	const events: Obj[] = [];
	for (let i = 1; i <= count; i++) {
		const identity = `user-${String(i).padStart(4, '0')}`;
		const objectId = `__${randomHex(rand, 32)}`;
		const profile: Obj = {
			identity,
			objectId,
			email: `${identity}@example.com`,
			name: `User ${i}`,
			profileData: { city: CITIES[i % CITIES.length], plan: i % 4 === 0 ? 'gold' : 'free', signup: shift(20250101 + (i % 28)) },
			events: {},
			platformInfo: [{ platform: i % 2 ? 'Android' : 'iOS', os_version: i % 2 ? '14' : '17.4', app_version: '3.2.1' }],
		};
		const n = 1 + Math.floor(rand() * 8);
		for (let e = 0; e < n; e++) {
			const day = shift(20260101 + Math.floor(rand() * 28) + 100 * Math.floor(rand() * 3));
			const evtName = EVENT_NAMES[Math.floor(rand() * EVENT_NAMES.length)];
			const ts = day * 1_000_000 + Math.floor(rand() * 24) * 10_000 + Math.floor(rand() * 60) * 100;
			events.push({
				profile: { identity, objectId, email: profile.email, platform: profile.platformInfo[0].platform },
				event_name: evtName,
				ts,
				event_props: evtName === 'Charged' ? { Amount: Math.round(rand() * 50_000) / 100, Currency: 'USD' } : { Screen: 'home' },
				session_props: { session_source: rand() < 0.5 ? 'push' : 'direct' },
			});
			const seen = (profile.events[evtName] ??= { count: 0, first_seen: ts, last_seen: ts });
			seen.count++;
			seen.first_seen = Math.min(seen.first_seen, ts);
			seen.last_seen = Math.max(seen.last_seen, ts);
		}
		profiles.set(identity, profile);
	}
	events.sort((a, b) => a.ts - b.ts);
	// Campaigns made in the dashboard: Get Campaigns lists them with those made through the API (campaign-list).
	const campaigns = Array.from({ length: 12 }, (_, i) => ({
		id: 1_700_000_000 + i * 7919,
		name: `Campaign ${i + 1}`,
		channel: ['push', 'email', 'sms'][i % 3],
		status: i % 5 === 4 ? 'stopped' : 'completed',
		scheduled_on: (20260105 + i * 5 + (i > 5 ? 70 : 0)) * 10_000 + 930,
	}));
	return { profiles, events, campaigns };
}

function randomHex(rand: () => number, n: number) {
	return Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
}

export async function startCleverTap(options: CleverTapOptions): Promise<CleverTapSandbox> {
	const accountId = options.accountId ?? 'TEST-R78-ZZ4-8W7Z';
	const passcode = options.passcode ?? `ctp-${randomBytes(12).toString('hex')}`;
	const expiredPasscode = options.expiredPasscode ?? `ctx-${randomBytes(12).toString('hex')}`;
	const data = generate(options.profiles ?? 150, options.fixedDates ? 0 : daysToYesterday());
	/** Cursor (as sent back, decoded) → what it reads. */
	const cursors = new Map<string, { records: Obj[]; offset: number; batchSize: number; pendingLeft: number; emptyLeft: number }>();
	/** req_id → the answer it will give once done. */
	const jobs = new Map<string, { result: Obj; pollsLeft: number; path: string }>();
	let jobSeq = 0;
	const createStarts: number[] = [];
	let subscribing = 0;

	const handler = async (req: SandboxRequest, ctx: ServiceContext): Promise<SandboxReply> => {
		const segments = req.path.split('/').filter(Boolean);
		const region = (CLEVERTAP_REGIONS as readonly string[]).includes(segments[0]) ? (segments.shift() as CleverTapRegion) : 'eu1';
		const path = `/${segments.join('/')}`;
		const isConnect = path === '/v1/connect';
		// contract: auth-headers, region-wrong — the account exists only in its region: elsewhere the id/passcode
		// pair is unknown, as a wrong passcode is.
		const id = header(req, 'x-clevertap-account-id');
		const code = header(req, 'x-clevertap-passcode');
		if (region !== sandbox.region || id !== sandbox.accountId || (code !== sandbox.passcode && code !== sandbox.expiredPasscode)) {
			// contract: connect (400 there), auth-refused (401 elsewhere)
			return isConnect ? fail(400, 'Invalid Credentials') : fail(401, 'Invalid credentials or URL');
		}
		// contract: passcode-expired
		if (code === sandbox.expiredPasscode) return fail(401, 'Passcode has expired');
		// contract: content-type
		if (req.method === 'POST' && !header(req, 'content-type').startsWith('application/json')) {
			return fail(400, 'Content-Type must be application/json');
		}
		// contract: subscribe-unlimited
		if (path === '/1/subscribe') {
			ctx.counters.custom.subscribePeak = Math.max(ctx.counters.custom.subscribePeak ?? 0, ++subscribing);
			try {
				if (sandbox.workMs > 0) await sleep(sandbox.workMs);
				ctx.count('actions');
				return route(req, path, ctx);
			} finally {
				subscribing--;
			}
		}
		const bucket = bucketOf(path);
		// contract: create-rate
		if (path === '/1/targets/create.json') {
			const now = Date.now();
			while (createStarts.length && now - createStarts[0] >= 1000) createStarts.shift();
			if (createStarts.length >= sandbox.createsPerSecond) return fail(429, 'Too many concurrent requests');
			createStarts.push(now);
		}
		// contract: limits
		sandbox.peakAsked[bucket] = Math.max(sandbox.peakAsked[bucket], sandbox.inFlight[bucket] + 1);
		if (sandbox.inFlight[bucket] >= sandbox.limits[bucket]) return fail(429, 'Too many concurrent requests');
		sandbox.inFlight[bucket]++;
		sandbox.peak[bucket] = Math.max(sandbox.peak[bucket], sandbox.inFlight[bucket]);
		try {
			if (sandbox.workMs > 0) await sleep(sandbox.workMs);
			if (bucket === 'upload') return upload(req, ctx);
			ctx.count(bucket === 'write' ? 'actions' : 'reads');
			return route(req, path, ctx);
		} finally {
			sandbox.inFlight[bucket]--;
		}
	};

	function bucketOf(path: string): Bucket {
		if (path === '/1/upload') return 'upload';
		if (['/1/delete/profiles.json', '/1/demerge/profiles.json', '/1/targets/create.json', '/1/targets/stop.json'].includes(path)) return 'write';
		return 'read';
	}

	function route(req: SandboxRequest, path: string, ctx: ServiceContext): SandboxReply {
		const body = (req.json() ?? {}) as Obj;
		switch (`${req.method} ${path}`) {
			case 'GET /v1/connect': {
				// contract: connect
				const partner = req.query.get('partner') ?? '';
				if (!sandbox.partners.includes(partner)) return fail(403, `Partner not whitelisted: ${partner}`);
				return json(200, { message: 'Authorised Successfully.', status: 'success' });
			}
			case 'GET /1/profile.json':
				return profileById(req);
			case 'POST /1/profiles.json':
			case 'POST /1/events.json':
				// contract: cursor-open
				return openCursor(req, path === '/1/profiles.json' ? 'profiles' : 'events', body);
			case 'GET /1/profiles.json':
			case 'GET /1/events.json': {
				const kind = path === '/1/profiles.json' ? 'profiles' : 'events';
				// contract: cursor-open-get — the SDK's form: the query as JSON in the URL.
				if (req.query.has('query') && !req.query.has('cursor')) {
					let query: unknown;
					try {
						query = JSON.parse(req.query.get('query') ?? '');
					} catch {
						return fail(400, 'query must be JSON');
					}
					return openCursor(req, kind, isObject(query) ? query : {});
				}
				return page(req, ctx);
			}
			case 'POST /1/counts/profiles.json':
			case 'POST /1/counts/events.json': {
				// contract: count-async
				const query = rangeQuery(body);
				if ('status' in query) return query;
				const count = sandbox.matching(path.includes('profiles') ? 'profiles' : 'events', query.eventName, query.from, query.to).length;
				return startJob(path, { status: 'success', count });
			}
			case 'GET /1/counts/profiles.json':
			case 'GET /1/counts/events.json':
			case 'GET /1/counts/top.json':
			case 'GET /1/counts/trends.json':
				return pollJob(req, path, ctx);
			case 'POST /1/counts/top.json':
				return topCounts(path, body);
			case 'POST /1/counts/trends.json':
				return trends(path, body);
			case 'POST /1/now.json':
				return realTime(body);
			case 'POST /1/targets/list.json':
				return listCampaigns(body);
			case 'POST /1/targets/result.json': {
				// contract: campaign-result
				const campaign = sandbox.campaigns.find((c) => String(c.id) === String(body.id));
				if (!campaign) return fail(400, `Campaign not found: ${String(body.id ?? '')}`);
				const sent = 1000 + (campaign.id % 900);
				return json(200, {
					status: 'success',
					result: { id: campaign.id, name: campaign.name, status: campaign.status, channel: campaign.channel, sent, viewed: Math.floor(sent * 0.41), clicked: Math.floor(sent * 0.07), errors: campaign.id % 13 },
				});
			}
			case 'POST /1/message/report.json': {
				// contract: message-report
				const from = yyyymmdd(body.from);
				const to = yyyymmdd(body.to);
				if (from === undefined || to === undefined || from > to) return fail(400, 'from and to must be dates as YYYYMMDD, from not after to');
				const messages = sandbox.campaigns
					.filter((c) => Math.floor(c.scheduled_on / 10_000) >= from && Math.floor(c.scheduled_on / 10_000) <= to)
					.map((c) => ({ campaign_id: c.id, campaign_name: c.name, channel: c.channel, date: Math.floor(c.scheduled_on / 10_000), sent: 1000 + (c.id % 900), delivered: 950 + (c.id % 800) }));
				return json(200, { status: 'success', messages });
			}
			case 'POST /1/delete/profiles.json':
				return deleteProfiles(body);
			case 'POST /1/demerge/profiles.json':
				return demerge(body);
			case 'POST /1/subscribe':
				return subscribe(body);
			case 'POST /1/targets/create.json':
				return createCampaign(body, ctx, body.estimate_only === true);
			case 'POST /1/targets/stop.json':
				return stopCampaign(body);
			default:
				return fail(404, `No such API: ${req.method} ${path}`);
		}
	}

	// contract: campaign-list, campaign-list-unreadable
	function listCampaigns(body: Obj): SandboxReply {
		const from = yyyymmdd(body.from);
		const to = yyyymmdd(body.to);
		if (from === undefined || to === undefined || from > to) return fail(400, 'from and to must be dates as YYYYMMDD, from not after to');
		sandbox.campaignListQueries.push({ from, to });
		// [doc: dev:docs/get-campaigns-api] campaigns made in the dashboard or through the API "whose scheduled start
		// time falls between (and including) the provided dates": by the day they are scheduled to start, not made.
		const targets = sandbox.campaigns.filter((c) => Math.floor(c.scheduled_on / 10_000) >= from && Math.floor(c.scheduled_on / 10_000) <= to);
		// [guess] test knob: answers a client cannot read, for guards that must fail closed.
		switch (sandbox.campaignList) {
			case 'noTargets':
				return json(200, { status: 'success' });
			case 'statusFail':
				return json(200, { status: 'fail', error: 'Internal error', code: 500 });
			case 'notAList':
				return json(200, { status: 'success', targets: { count: targets.length } });
			case 'nameless':
				return json(200, { status: 'success', targets: targets.map(({ name: _name, ...rest }) => rest) });
			default:
				return json(200, { status: 'success', targets });
		}
	}

	// contract: profile-get, profile-not-found
	function profileById(req: SandboxRequest): SandboxReply {
		const keys = ['identity', 'email', 'objectId'].filter((k) => req.query.has(k));
		if (keys.length !== 1) return fail(400, 'Give exactly one of identity, email or objectId');
		const value = req.query.get(keys[0])!;
		const found = [...sandbox.profiles.values()].find((p) => String(p[keys[0]]) === value);
		if (!found) return fail(200, 'Profile not found', 404);
		return json(200, { status: 'success', record: found });
	}

	// contract: range-rules
	function rangeQuery(body: Obj): { eventName: string; from: number; to: number } | SandboxReply {
		const from = yyyymmdd(body.from);
		const to = yyyymmdd(body.to);
		if (typeof body.event_name !== 'string' || !body.event_name) return fail(400, 'event_name is mandatory');
		if (from === undefined || to === undefined) return fail(400, 'from and to are mandatory, as YYYYMMDD');
		if (from > to) return fail(400, 'from must not be after to');
		return { eventName: body.event_name, from, to };
	}

	function openCursor(req: SandboxRequest, kind: 'profiles' | 'events', body: Obj): SandboxReply {
		const batchSize = Number(req.query.get('batch_size') ?? 10);
		if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) return fail(400, `batch_size must be 1 to ${MAX_BATCH}`);
		const query = rangeQuery(body);
		if ('status' in query) return query;
		return json(200, { status: 'success', cursor: newCursor(sandbox.matching(kind, query.eventName, query.from, query.to), 0, batchSize) });
	}

	// contract: cursor-encoded — standard base64 (+, /, =), sent percent-encoded.
	function newCursor(records: Obj[], offset: number, batchSize: number, emptyLeft = sandbox.emptyPages) {
		const cursor = randomBytes(24).toString('base64').replace(/^(.{6})/, '$1+/') + '==';
		cursors.set(cursor, { records, offset, batchSize, pendingLeft: sandbox.pendingPolls, emptyLeft });
		return encodeURIComponent(cursor);
	}

	function page(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('cursorPolls');
		const cursor = req.query.get('cursor') ?? '';
		const state = cursors.get(cursor);
		if (!state) return fail(400, 'Incorrect Usage');
		// contract: cursor-in-progress
		if (state.pendingLeft > 0) {
			state.pendingLeft--;
			ctx.count('pendingAnswers');
			return fail(200, 'Request for this cursor is still in progress, please retry after some time', 2);
		}
		// contract: cursor-no-records
		if (state.records.length === 0) return json(200, { status: 'success' });
		// contract: cursor-empty-page
		if (state.emptyLeft > 0) return json(200, { status: 'success', records: [], next_cursor: newCursor(state.records, state.offset, state.batchSize, state.emptyLeft - 1) });
		// contract: cursor-page
		const end = state.offset + state.batchSize;
		const reply: Obj = { status: 'success', records: state.records.slice(state.offset, end) };
		if (end < state.records.length) reply.next_cursor = newCursor(state.records, end, state.batchSize);
		return json(200, reply);
	}

	// contract: count-async (also top and trends) — a req_id is a long integer below 2^53.
	function startJob(path: string, result: Obj): SandboxReply {
		if (sandbox.countPolls <= 0) return json(200, result);
		const reqId = Date.now() * 1000 + (++jobSeq % 1000);
		jobs.set(String(reqId), { result, pollsLeft: sandbox.countPolls - 1, path });
		return json(200, { status: 'partial', req_id: reqId });
	}

	function pollJob(req: SandboxRequest, path: string, ctx: ServiceContext): SandboxReply {
		ctx.count('countPolls');
		const reqId = req.query.get('req_id') ?? '';
		const job = jobs.get(reqId);
		// contract: count-unknown
		if (!job || job.path !== path) return fail(400, `Invalid req_id: ${reqId}`);
		if (job.pollsLeft > 0) {
			job.pollsLeft--;
			return json(200, { status: 'partial', req_id: Number(reqId) });
		}
		return json(200, job.result);
	}

	// contract: top
	function topCounts(path: string, body: Obj): SandboxReply {
		const query = rangeQuery(body);
		if ('status' in query) return query;
		if (!isObject(body.groups) || Object.keys(body.groups).length === 0) return fail(400, 'groups is mandatory');
		const hits = sandbox.matching('events', query.eventName, query.from, query.to);
		const result: Obj = { status: 'success' };
		for (const [key, group] of Object.entries(body.groups as Obj)) {
			if (!isObject(group) || !PROPERTY_TYPES.has(group.property_type) || typeof group.name !== 'string' || !group.name) return fail(400, `Invalid group: ${key}`);
			const topN = group.top_n ?? 10;
			if (!Number.isInteger(topN) || topN < 1 || topN > 100) return fail(400, `Invalid group: ${key} (top_n must be 1 to 100)`);
			const counts = new Map<string, number>();
			for (const e of hits) {
				const source =
					group.property_type === 'event_properties' ? e.event_props : group.property_type === 'session_properties' ? e.session_props : group.property_type === 'profile_fields' ? sandbox.profiles.get(e.profile.identity)?.profileData : undefined;
				const value = source?.[group.name];
				if (value !== undefined) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
			}
			const sign = group.order === 'asc' ? 1 : -1;
			result[key] = [...counts.entries()]
				.sort((a, b) => sign * (a[1] - b[1]) || a[0].localeCompare(b[0]))
				.slice(0, topN)
				.map(([value, count]) => ({ value, count }));
		}
		return startJob(path, result);
	}

	// contract: trends
	function trends(path: string, body: Obj): SandboxReply {
		const query = rangeQuery(body);
		if ('status' in query) return query;
		if (!isObject(body.groups) || Object.keys(body.groups).length === 0) return fail(400, 'groups is mandatory');
		if (Object.keys(body.groups).length > 5) return fail(400, 'At most 5 groups');
		if ((dayOf(query.to).getTime() - dayOf(query.from).getTime()) / 86_400_000 > 366) return fail(400, 'The range may span at most one year');
		const hits = sandbox.matching('events', query.eventName, query.from, query.to);
		const result: Obj = { status: 'success' };
		for (const [key, group] of Object.entries(body.groups as Obj)) {
			if (!isObject(group) || !['daily', 'weekly', 'monthly'].includes(group.trend_type)) return fail(400, `Invalid group: ${key} (trend_type must be daily, weekly or monthly)`);
			const buckets = new Map<number, { n: number; who: Set<string> }>();
			for (const e of hits) {
				const day = dayOf(Math.floor(e.ts / 1_000_000));
				if (group.trend_type === 'weekly') day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
				if (group.trend_type === 'monthly') day.setUTCDate(1);
				const b = buckets.get(toDay(day)) ?? { n: 0, who: new Set<string>() };
				b.n += typeof body.sum_event_prop === 'string' ? Number(e.event_props?.[body.sum_event_prop]) || 0 : 1;
				b.who.add(e.profile.identity);
				buckets.set(toDay(day), b);
			}
			result[key] = Object.fromEntries([...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([d, b]) => [String(d), body.unique === true ? b.who.size : Math.round(b.n * 100) / 100]));
		}
		return startJob(path, result);
	}

	// contract: now
	function realTime(body: Obj): SandboxReply {
		const users = sandbox.activeNow;
		const fresh = Math.floor(users / 3);
		const reply: Obj = { status: 'success', users };
		if (body.user_type === true) reply.user_type = { new: fresh, returning: users - fresh };
		if (body.session_source === true) reply.session_source = { direct: users - fresh, push: fresh };
		if (body.os === true) reply.os = { Android: Math.ceil(users / 2), iOS: Math.floor(users / 2) };
		if (body.device === true) reply.device = { Mobile: users };
		if (body.browser === true) reply.browser = {};
		return json(200, reply);
	}

	const idsOf = (v: unknown) => (typeof v === 'string' && v ? [v] : Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' && x) ? (v as string[]) : undefined);

	// contract: delete
	function deleteProfiles(body: Obj): SandboxReply {
		const identities = body.identity !== undefined ? idsOf(body.identity) : undefined;
		const guids = body.guid !== undefined ? idsOf(body.guid) : undefined;
		if (!identities && !guids) return fail(400, 'Either identity or guid is mandatory, as a string or a list of strings');
		if ((identities?.length ?? 0) > MAX_IDS || (guids?.length ?? 0) > MAX_IDS) return fail(400, `At most ${MAX_IDS} values per identity or guid list`);
		for (const value of [...(identities ?? []), ...(guids ?? [])]) {
			sandbox.deletions.push(value);
			const profile = identities?.includes(value) ? sandbox.profiles.get(value) : [...sandbox.profiles.values()].find((p) => p.objectId === value);
			if (!profile) continue;
			sandbox.profiles.delete(profile.identity);
			sandbox.events = sandbox.events.filter((e) => e.profile.identity !== profile.identity);
		}
		return json(200, { status: 'success' });
	}

	// contract: demerge
	function demerge(body: Obj): SandboxReply {
		const identities = idsOf(body.identities);
		if (!identities) return fail(400, 'identities is mandatory, as a list of strings');
		if (identities.length > MAX_IDS) return fail(400, `At most ${MAX_IDS} identities per request`);
		sandbox.demerges.push(identities);
		return json(200, { status: 'success' });
	}

	// contract: subscribe
	function subscribe(body: Obj): SandboxReply {
		if (!Array.isArray(body.d) || body.d.length === 0) return fail(400, 'The payload must be {"d": [entries]}');
		if (body.d.length > MAX_UPLOAD) return fail(400, `At most ${MAX_UPLOAD} entries per call, got ${body.d.length}`);
		const unprocessed: Obj[] = [];
		for (const entry of body.d as Obj[]) {
			const problem = !isObject(entry)
				? 'Entry is not an object'
				: !['phone', 'email'].includes(entry.type)
					? 'type must be phone or email'
					: typeof entry.value !== 'string' || !entry.value
						? 'value is mandatory'
						: !['Unsubscribe', 'Resubscribe'].includes(entry.status)
							? 'status must be Unsubscribe or Resubscribe'
							: undefined;
			if (problem) {
				unprocessed.push({ status: 'fail', code: 400, error: problem, record: entry });
				continue;
			}
			sandbox.subscriptions.set(`${entry.type}:${entry.value}`, entry.status);
		}
		const processed = body.d.length - unprocessed.length;
		return json(200, { status: unprocessed.length === 0 ? 'success' : processed > 0 ? 'partial' : 'fail', processed, unprocessed });
	}

	// contract: campaign-create, campaign-estimate
	function createCampaign(body: Obj, ctx: ServiceContext, estimateOnly: boolean): SandboxReply {
		if (typeof body.name !== 'string' || !body.name.trim()) return fail(400, 'name is mandatory');
		if (!TARGET_MODES.has(body.target_mode)) return fail(400, `target_mode must be one of ${[...TARGET_MODES].join(', ')}`);
		if (!isObject(body.content)) return fail(400, 'content is mandatory, as an object');
		if (typeof body.when !== 'string' || !(body.when === 'now' || /^\d{8} \d{2}:\d{2}$/.test(body.when))) return fail(400, 'when must be "now" or "YYYYMMDD HH:MM"');
		if (body.where !== undefined && !isObject(body.where)) return fail(400, 'where must be an object');
		let audience = sandbox.profiles.size;
		if (isObject(body.where) && typeof body.where.event_name === 'string') {
			const from = yyyymmdd(body.where.from) ?? 19700101;
			const to = yyyymmdd(body.where.to) ?? 29991231;
			audience = sandbox.matching('profiles', body.where.event_name, from, to).length;
		}
		const estimates = { [body.target_mode === 'push' ? 'android' : body.target_mode]: audience };
		if (estimateOnly) return json(200, { status: 'success', estimates });
		const today = toDay(new Date());
		const hhmm = body.when === 'now' ? Number(new Date().toISOString().slice(11, 16).replace(':', '')) : Number(body.when.slice(9).replace(':', ''));
		const campaign = { id: Math.floor(Date.now() / 1000), name: body.name, channel: body.target_mode, status: body.when === 'now' ? 'running' : 'scheduled', scheduled_on: (body.when === 'now' ? today : Number(body.when.slice(0, 8))) * 10_000 + hhmm };
		// CleverTap's campaign ids are 10-digit, epoch-based (dev:docs/stop-campaign-api).
		while (sandbox.campaigns.some((c) => c.id === campaign.id)) campaign.id++;
		sandbox.campaigns.push(campaign);
		ctx.count('campaignsCreated');
		return json(200, { status: 'success', id: campaign.id, estimates });
	}

	// contract: campaign-stop
	function stopCampaign(body: Obj): SandboxReply {
		if (!Number.isInteger(body.id) || body.id <= 0) return fail(400, 'id must be a positive integer');
		const campaign = sandbox.campaigns.find((c) => c.id === body.id);
		if (!campaign) return fail(400, `Campaign not found: ${body.id}`);
		if (campaign.status === 'running' || campaign.status === 'scheduled') campaign.status = 'stopped';
		return json(200, { status: 'success' });
	}

	// contract: upload
	function upload(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		if (req.method !== 'POST') return fail(405, 'Use POST');
		const body = req.json() as Obj | undefined;
		if (!body || !Array.isArray(body.d)) return fail(400, 'The payload must be {"d": [records]}');
		if (body.d.length > MAX_UPLOAD) return fail(400, `At most ${MAX_UPLOAD} records per call, got ${body.d.length}`);
		ctx.count('uploadCalls');
		ctx.counters.custom.maxRecordsPerCall = Math.max(ctx.counters.custom.maxRecordsPerCall ?? 0, body.d.length);
		const unprocessed: Obj[] = [];
		for (const record of body.d as Obj[]) {
			const problem = uploadProblem(record);
			if (problem) {
				unprocessed.push({ status: 'fail', code: problem.code, error: problem.error, record });
				continue;
			}
			apply(record);
		}
		ctx.count('uploadedRecords', body.d.length - unprocessed.length);
		ctx.count('rejectedRecords', unprocessed.length);
		const processed = body.d.length - unprocessed.length;
		return json(200, { status: unprocessed.length === 0 ? 'success' : processed > 0 ? 'partial' : 'fail', processed, unprocessed });
	}

	// contract: upload-codes, upload-triggers
	function uploadProblem(r: Obj): { code: number; error: string } | undefined {
		if (!isObject(r) || (r.type !== 'profile' && r.type !== 'event')) return { code: 524, error: 'Data neither event nor profile' };
		const ids = ['identity', 'objectId', 'FBID', 'GPID'].filter((k) => r[k] !== undefined && r[k] !== null && r[k] !== '');
		if (ids.length === 0) return { code: 523, error: 'Missing identity' };
		if (r.objectId !== undefined && !/^[_-]{0,2}[A-Za-z0-9]{8,64}$/.test(String(r.objectId))) return { code: 526, error: 'objectId invalid' };
		if (r.ts !== undefined && (typeof r.ts !== 'number' || !Number.isInteger(r.ts) || r.ts < 0 || r.ts > 99_999_999_999)) return { code: 525, error: 'Timestamp not in UNIX epoch format' };
		if (sandbox.rejectIdentities.has(String(r.identity ?? r.objectId))) return { code: 555, error: 'Miscellaneous server error' };
		if (r.type === 'event') {
			if (typeof r.evtName !== 'string' || !r.evtName) return { code: 509, error: 'Event name mandatory' };
			if (r.evtData !== undefined && !isObject(r.evtData)) return { code: 512, error: 'Invalid event structure' };
			if (SYSTEM_EVENTS.has(r.evtName)) return { code: 513, error: 'Raised a restricted system event' };
			if (sandbox.discardedEvents.has(r.evtName)) return { code: 528, error: 'Discarded event is raised' };
			if (Object.keys(r.evtData ?? {}).length > MAX_EVENT_PROPS) return { code: 522, error: 'Event properties limit exceeded' };
			return undefined;
		}
		const p = r.profileData;
		if (!isObject(p)) return { code: 524, error: 'Data neither event nor profile' };
		const has = (k: string) => p[k] !== undefined && p[k] !== null;
		if (has('Gender') && !['M', 'F'].includes(p.Gender)) return { code: 514, error: 'Gender invalid' };
		if (has('Email') && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(String(p.Email))) return { code: 515, error: 'Email invalid' };
		if (has('Phone') && !/^\+\d{7,15}$/.test(String(p.Phone))) return { code: 516, error: 'Phone number invalid' };
		if (has('Employed') && !['Y', 'N'].includes(p.Employed)) return { code: 517, error: 'Employment status invalid' };
		if (has('Education') && !['School', 'College', 'Graduate'].includes(p.Education)) return { code: 518, error: 'Education status invalid' };
		if (has('Married') && !['Y', 'N'].includes(p.Married)) return { code: 519, error: 'Marital status invalid' };
		if (has('Age') && !(Number.isInteger(p.Age) && p.Age >= 0 && p.Age <= 150)) return { code: 520, error: 'Age invalid' };
		return undefined;
	}

	function apply(r: Obj) {
		const identity = String(r.identity ?? r.objectId ?? r.FBID ?? r.GPID);
		const existing = sandbox.profiles.get(identity);
		if (r.type === 'profile') {
			const base = existing ?? { identity, objectId: r.objectId ?? `__${randomBytes(16).toString('hex')}`, profileData: {}, events: {}, platformInfo: [] };
			Object.assign(base.profileData, r.profileData);
			if (typeof r.profileData.Email === 'string') base.email = r.profileData.Email;
			if (typeof r.profileData.Name === 'string') base.name = r.profileData.Name;
			sandbox.profiles.set(identity, base);
		} else {
			const ts = typeof r.ts === 'number' ? r.ts : Math.floor(Date.now() / 1000);
			const stamp = Number(new Date(ts * 1000).toISOString().replace(/\D/g, '').slice(0, 14));
			sandbox.events.push({ profile: { identity }, event_name: r.evtName, ts: stamp, event_props: r.evtData ?? {}, session_props: {} });
		}
	}

	const service = await startService({ name: 'clevertap', handler, certs: options.certs, port: options.port, host: options.host });
	const resetCounters = service.resetCounters.bind(service);
	const sandbox: CleverTapSandbox = Object.assign(service, {
		accountId,
		passcode,
		expiredPasscode,
		region: options.region ?? 'eu1',
		partners: options.partners ?? ['n8n'],
		limits: { read: 3, write: 3, upload: 15 },
		createsPerSecond: 1,
		workMs: 0,
		pendingPolls: 1,
		emptyPages: 0,
		countPolls: 2,
		rejectIdentities: new Set<string>(),
		discardedEvents: new Set<string>(),
		profiles: data.profiles,
		events: data.events,
		campaigns: data.campaigns,
		campaignList: 'ok' as const,
		campaignListQueries: [] as Array<{ from: number; to: number }>,
		subscriptions: new Map<string, 'Unsubscribe' | 'Resubscribe'>(),
		demerges: [] as string[][],
		deletions: [] as string[],
		activeNow: 42,
		inFlight: { read: 0, write: 0, upload: 0 },
		peak: { read: 0, write: 0, upload: 0 },
		peakAsked: { read: 0, write: 0, upload: 0 },
		matching(kind: 'profiles' | 'events', eventName: string, from: number, to: number) {
			const hits = sandbox.events.filter((e) => e.event_name === eventName && Math.floor(e.ts / 1_000_000) >= from && Math.floor(e.ts / 1_000_000) <= to);
			if (kind === 'events') return hits;
			const who = new Set(hits.map((e) => e.profile.identity));
			return [...sandbox.profiles.values()].filter((p) => who.has(p.identity));
		},
		resetCounters() {
			resetCounters();
			sandbox.peak = { read: 0, write: 0, upload: 0 };
			sandbox.peakAsked = { read: 0, write: 0, upload: 0 };
		},
	});
	return sandbox;
}

/** The days the events span, as From Date and To Date take them. */
const eventDays = (events: Obj[]) => {
	const iso = (ts: number) => dayOf(Math.floor(ts / 1_000_000)).toISOString().slice(0, 10);
	return events.length ? `${iso(events[0].ts)} to ${iso(events[events.length - 1].ts)}` : 'none';
};

/** For `npm run sandbox` (sandbox/cli.ts): how to fill the n8n credential to use this emulator. */
export function printCleverTap(sandbox: { clevertap: CleverTapSandbox }, dir: string) {
	const c = sandbox.clevertap;
	console.log(`CleverTap  (credential "CleverTap API")
  Account ID: ${c.accountId}
  Passcode: ${c.passcode}   (an expired one: ${c.expiredPasscode})
  Region: ${c.region} (any other region answers 401, as CleverTap does)
  Base URL Override: ${c.url}/{region}
  CA Certificate: paste ${dir}/ca.crt
  Partner names whitelisted for Partner Connect: ${c.partners.join(', ')}
  Data: ${c.profiles.size} profiles, ${c.events.length} events (${eventDays(c.events)}: ${EVENT_NAMES.join(', ')}), ${c.campaigns.length} campaigns
  What it does and why: sandbox/contracts/clevertap.md
`);
}
