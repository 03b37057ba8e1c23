import { randomBytes } from 'crypto';
import { json, seeded, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * CleverTap's server API as seed 002 and api-facts §2 describe it. One server stands for every regional host: the
 * region is the first path segment (`/in1/1/profiles.json`), so a credential's base-URL override is
 * `https://127.0.0.1:PORT/{region}`; a path without a region segment is Europe (the bare `api.clevertap.com`).
 * The account lives in ONE region: any other region answers 401 "Invalid credentials or URL", exactly as a wrong
 * passcode does.
 *
 * Guesses (not in the seed or the docs), chosen so the node can be held to a behaviour:
 *  - an expired passcode answers HTTP 401 `{status:"fail", error:"Passcode has expired", code:401}`;
 *  - a page of the cursor flow that is not ready answers HTTP 200 `{status:"fail", error:"…still in progress…", code:2}`;
 *  - a profile lookup that finds nobody answers HTTP 200 `{status:"fail", error:"Profile not found", code:404}`;
 *  - an unprocessed upload entry echoes the rejected `record` (public client code shows it) and carries no index.
 */

type Obj = Record<string, any>;

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
	port?: number;
}

export interface CleverTapSandbox extends Service {
	accountId: string;
	passcode: string;
	expiredPasscode: string;
	region: CleverTapRegion;
	partners: string[];
	/** Concurrent requests allowed per account (CleverTap: 3 for reads, 15 for upload); over it → 429. */
	limits: { read: number; upload: number };
	/** Added inside the concurrency window of every request, so that requests overlap as they do over a WAN. */
	workMs: number;
	/** "Still in progress" answers each cursor page gives before it is ready. */
	pendingPolls: number;
	/** `partial` answers a count gives before its result. */
	countPolls: number;
	/** Identities whose upload records are refused (code 513, "Invalid identity"). */
	rejectIdentities: Set<string>;
	profiles: Map<string, Obj>;
	events: Obj[];
	campaigns: Obj[];
	/** Live requests in flight for the account, and their peaks since the last resetCounters(). */
	inFlight: { read: number; upload: number };
	peak: { read: number; upload: number };
	/** Records of the cursor flow / counts, for tests: profiles or events matching a query. */
	matching(kind: 'profiles' | 'events', eventName: string, from: number, to: number): Obj[];
}

/**
 * Counters this emulator adds to `counters.custom`: `reads`, `uploadCalls`, `uploadedRecords`, `rejectedRecords`,
 * `maxRecordsPerCall`, `cursorPolls`, `pendingAnswers`, `countPolls`, `http401` / `http429` (by the framework).
 */
export const CLEVERTAP_COUNTERS = ['reads', 'uploadCalls', 'uploadedRecords', 'rejectedRecords', 'cursorPolls', 'pendingAnswers', 'countPolls'] as const;

const EVENT_NAMES = ['App Launched', 'Charged', 'Product Viewed'];
const CITIES = ['Mumbai', 'Lisbon', 'Singapore', 'Dubai', 'Seoul', 'Jakarta', 'Austin'];
const MAX_BATCH = 5000;
const MAX_UPLOAD = 1000;

const fail = (status: number, error: string, code: number = status): SandboxReply => json(status, { status: 'fail', error, code });
const header = (req: SandboxRequest, name: string) => {
	const v = req.headers[name];
	return String(Array.isArray(v) ? v[0] : v ?? '');
};
/** YYYYMMDD as CleverTap takes it: a number or a string of 8 digits. */
const yyyymmdd = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && /^\d{8}$/.test(v)) ? Number(v) : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function generate(count: number) {
	const rand = seeded(2025_04_02);
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
			profileData: { city: CITIES[i % CITIES.length], plan: i % 4 === 0 ? 'gold' : 'free', signup: 20250101 + (i % 28) },
			events: {},
			platformInfo: [{ platform: i % 2 ? 'Android' : 'iOS', os_version: i % 2 ? '14' : '17.4', app_version: '3.2.1' }],
		};
		const n = 1 + Math.floor(rand() * 8);
		for (let e = 0; e < n; e++) {
			const day = 20260101 + Math.floor(rand() * 28) + 100 * Math.floor(rand() * 3);
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
	const data = generate(options.profiles ?? 150);
	const cursors = new Map<string, { records: Obj[]; offset: number; batchSize: number; pendingLeft: number }>();
	const counts = new Map<string, { count: number; pollsLeft: number }>();

	const handler = async (req: SandboxRequest, ctx: ServiceContext): Promise<SandboxReply> => {
		const segments = req.path.split('/').filter(Boolean);
		const region = (CLEVERTAP_REGIONS as readonly string[]).includes(segments[0]) ? (segments.shift() as CleverTapRegion) : 'eu1';
		const path = `/${segments.join('/')}`;
		const isConnect = path === '/v1/connect';
		// The account exists only in its region: elsewhere the id/passcode pair is unknown, as a wrong passcode is.
		const id = header(req, 'x-clevertap-account-id');
		const code = header(req, 'x-clevertap-passcode');
		if (region !== sandbox.region || id !== sandbox.accountId || (code !== sandbox.passcode && code !== sandbox.expiredPasscode)) {
			// Seed 002: the partner connect API says 400 "Invalid Credentials"; the rest of the API 401 (api-facts §2).
			return isConnect ? fail(400, 'Invalid Credentials') : fail(401, 'Invalid credentials or URL');
		}
		if (code === sandbox.expiredPasscode) return fail(401, 'Passcode has expired');
		if (req.method === 'POST' && !header(req, 'content-type').startsWith('application/json')) {
			return fail(400, 'Content-Type must be application/json');
		}
		const kind = path === '/1/upload' ? 'upload' : 'read';
		if (sandbox.inFlight[kind] >= sandbox.limits[kind]) return fail(429, 'Too many concurrent requests');
		sandbox.inFlight[kind]++;
		sandbox.peak[kind] = Math.max(sandbox.peak[kind], sandbox.inFlight[kind]);
		try {
			if (sandbox.workMs > 0) await sleep(sandbox.workMs);
			if (kind === 'upload') return upload(req, ctx);
			ctx.count('reads');
			return route(req, path, ctx);
		} finally {
			sandbox.inFlight[kind]--;
		}
	};

	function route(req: SandboxRequest, path: string, ctx: ServiceContext): SandboxReply {
		const body = (req.json() ?? {}) as Obj;
		const m = `${req.method} ${path}`;
		switch (m) {
			case 'GET /v1/connect': {
				const partner = req.query.get('partner') ?? '';
				if (!sandbox.partners.includes(partner)) return fail(403, `Partner not whitelisted: ${partner}`);
				return json(200, { message: 'Authorised Successfully.', status: 'success' });
			}
			case 'GET /1/profile.json':
				return profileById(req);
			case 'POST /1/profiles.json':
			case 'POST /1/events.json':
				return openCursor(req, path === '/1/profiles.json' ? 'profiles' : 'events', body);
			case 'GET /1/profiles.json':
			case 'GET /1/events.json':
				return page(req, ctx);
			case 'POST /1/counts/profiles.json':
			case 'POST /1/counts/events.json': {
				const query = rangeQuery(body);
				if ('status' in query) return query;
				const kind = path.includes('profiles') ? 'profiles' : 'events';
				const reqId = randomBytes(8).toString('hex');
				counts.set(reqId, { count: sandbox.matching(kind, query.eventName, query.from, query.to).length, pollsLeft: sandbox.countPolls });
				return json(200, { status: 'partial', req_id: reqId });
			}
			case 'GET /1/counts/profiles.json':
			case 'GET /1/counts/events.json': {
				ctx.count('countPolls');
				const reqId = req.query.get('req_id') ?? '';
				const job = counts.get(reqId);
				if (!job) return fail(400, `Invalid req_id: ${reqId}`);
				if (job.pollsLeft > 0) {
					job.pollsLeft--;
					return json(200, { status: 'partial', req_id: reqId });
				}
				return json(200, { status: 'success', count: job.count });
			}
			case 'POST /1/targets/list.json': {
				const from = yyyymmdd(body.from);
				const to = yyyymmdd(body.to);
				if (from === undefined || to === undefined || from > to) return fail(400, 'from and to must be dates as YYYYMMDD, from not after to');
				const targets = sandbox.campaigns.filter((c) => Math.floor(c.scheduled_on / 10_000) >= from && Math.floor(c.scheduled_on / 10_000) <= to);
				return json(200, { status: 'success', targets });
			}
			case 'POST /1/targets/result.json': {
				const campaign = sandbox.campaigns.find((c) => String(c.id) === String(body.id));
				if (!campaign) return fail(400, `Campaign not found: ${String(body.id ?? '')}`);
				const sent = 1000 + (campaign.id % 900);
				return json(200, {
					status: 'success',
					result: { id: campaign.id, name: campaign.name, status: campaign.status, channel: campaign.channel, sent, viewed: Math.floor(sent * 0.41), clicked: Math.floor(sent * 0.07), errors: campaign.id % 13 },
				});
			}
			case 'POST /1/message/report.json': {
				const from = yyyymmdd(body.from);
				const to = yyyymmdd(body.to);
				if (from === undefined || to === undefined || from > to) return fail(400, 'from and to must be dates as YYYYMMDD, from not after to');
				const messages = sandbox.campaigns
					.filter((c) => Math.floor(c.scheduled_on / 10_000) >= from && Math.floor(c.scheduled_on / 10_000) <= to)
					.map((c) => ({ campaign_id: c.id, campaign_name: c.name, channel: c.channel, date: Math.floor(c.scheduled_on / 10_000), sent: 1000 + (c.id % 900), delivered: 950 + (c.id % 800) }));
				return json(200, { status: 'success', messages });
			}
			default:
				return fail(404, `No such API: ${req.method} ${path}`);
		}
	}

	function profileById(req: SandboxRequest): SandboxReply {
		const keys = ['identity', 'email', 'objectId'].filter((k) => req.query.has(k));
		if (keys.length !== 1) return fail(400, 'Give exactly one of identity, email or objectId');
		const value = req.query.get(keys[0])!;
		const found = [...sandbox.profiles.values()].find((p) => String(p[keys[0]]) === value);
		// [guess] nobody found: HTTP 200 with a fail body.
		if (!found) return fail(200, 'Profile not found', 404);
		return json(200, { status: 'success', record: found });
	}

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

	function newCursor(records: Obj[], offset: number, batchSize: number) {
		const cursor = randomBytes(24).toString('base64url');
		cursors.set(cursor, { records, offset, batchSize, pendingLeft: sandbox.pendingPolls });
		return cursor;
	}

	function page(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('cursorPolls');
		const cursor = req.query.get('cursor') ?? '';
		const state = cursors.get(cursor);
		if (!state) return fail(400, 'Invalid cursor');
		if (state.pendingLeft > 0) {
			state.pendingLeft--;
			ctx.count('pendingAnswers');
			return fail(200, 'Request for this cursor is still in progress, please retry after some time', 2);
		}
		const end = state.offset + state.batchSize;
		const records = state.records.slice(state.offset, end);
		const reply: Obj = { status: 'success', records };
		if (end < state.records.length) reply.next_cursor = newCursor(state.records, end, state.batchSize);
		return json(200, reply);
	}

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

	function uploadProblem(r: Obj): { code: number; error: string } | undefined {
		if (!r || typeof r !== 'object') return { code: 400, error: 'Record is not an object' };
		const who = r.identity ?? r.objectId;
		if (who === undefined || who === null || who === '') return { code: 512, error: 'Record must have identity or objectId' };
		if (sandbox.rejectIdentities.has(String(who))) return { code: 513, error: 'Invalid identity' };
		if (r.type === 'profile') {
			if (!r.profileData || typeof r.profileData !== 'object' || Array.isArray(r.profileData)) return { code: 514, error: 'profileData must be an object' };
		} else if (r.type === 'event') {
			if (typeof r.evtName !== 'string' || !r.evtName) return { code: 515, error: 'evtName is mandatory for events' };
		} else {
			return { code: 511, error: `Unknown record type: ${String(r.type)}` };
		}
		return undefined;
	}

	function apply(r: Obj) {
		const identity = String(r.identity ?? r.objectId);
		const existing = sandbox.profiles.get(identity);
		if (r.type === 'profile') {
			const base = existing ?? { identity, objectId: r.objectId ?? `__${randomBytes(16).toString('hex')}`, profileData: {}, events: {}, platformInfo: [] };
			Object.assign(base.profileData, r.profileData);
			if (typeof r.profileData.Email === 'string') base.email = r.profileData.Email;
			if (typeof r.profileData.Name === 'string') base.name = r.profileData.Name;
			sandbox.profiles.set(identity, base);
		} else {
			const ts = Number(r.ts) || Math.floor(Date.now() / 1000);
			const date = new Date(ts * 1000);
			const stamp = Number(date.toISOString().replace(/\D/g, '').slice(0, 14));
			sandbox.events.push({ profile: { identity }, event_name: r.evtName, ts: stamp, event_props: r.evtData ?? {}, session_props: {} });
		}
	}

	const service = await startService({ name: 'clevertap', handler, certs: options.certs, port: options.port });
	const resetCounters = service.resetCounters.bind(service);
	const sandbox: CleverTapSandbox = Object.assign(service, {
		accountId,
		passcode,
		expiredPasscode,
		region: options.region ?? 'eu1',
		partners: options.partners ?? ['n8n'],
		limits: { read: 3, upload: 15 },
		workMs: 0,
		pendingPolls: 1,
		countPolls: 2,
		rejectIdentities: new Set<string>(),
		profiles: data.profiles,
		events: data.events,
		campaigns: data.campaigns,
		inFlight: { read: 0, upload: 0 },
		peak: { read: 0, upload: 0 },
		matching(kind: 'profiles' | 'events', eventName: string, from: number, to: number) {
			const hits = sandbox.events.filter((e) => e.event_name === eventName && Math.floor(e.ts / 1_000_000) >= from && Math.floor(e.ts / 1_000_000) <= to);
			if (kind === 'events') return hits;
			const who = new Set(hits.map((e) => e.profile.identity));
			return [...sandbox.profiles.values()].filter((p) => who.has(p.identity));
		},
		resetCounters() {
			resetCounters();
			sandbox.peak = { read: 0, upload: 0 };
		},
	});
	return sandbox;
}

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
  Data: ${c.profiles.size} profiles, ${c.events.length} events (Jan–Mar 2026: ${EVENT_NAMES.join(', ')}), ${c.campaigns.length} campaigns
`);
}
