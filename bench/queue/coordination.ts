import Redis, { type Cluster } from 'ioredis';
import { Agent, request } from 'undici';
import type { Sandbox } from '../../sandbox';
import { MemoryLimiter, mapConcurrent, type ConcurrencyLimiter } from '../../nodes/transport/limiter';
import { RedisConnection } from '../../nodes/transport/redis';
import type { RedisSettings } from '../../nodes/transport/redis-settings';
import { RedisLimiter } from '../../nodes/transport/redis-limiter';
import { RedisTokenStore } from '../../nodes/transport/redis-token-store';
import { MemoryTokenStore, TokenHelper, tokenCacheKey, type TokenStore } from '../../nodes/transport/token';
import { startRedis } from '../../test/helpers/services';
import { interleaved, measure, QUICK, round } from '../common';

/**
 * What coordination through Redis costs one call, in this process, against a Redis of its own (so that every
 * command Redis counts is ours): the package's TokenHelper around a real Clara lookup (mTLS, the bench's latency),
 * and its limiter around a real CleverTap read (3 slots, 20 ms of server time), each with the Redis store and with
 * the in-memory one, interleaved. Round trips are Redis's own count (INFO commandstats) before and after.
 */
export const CLEVERTAP_WORK_MS = 20;

export interface CoordinationRow {
	what: string;
	calls: number;
	memoryMsPerCall: number;
	redisMsPerCall: number;
	/** (Redis − memory) / memory, per call. */
	added: number;
	/** Commands this process sent to Redis per call (a script is one). */
	roundTripsPerCall: number;
	/** What Redis ran, scripts' own commands included (INFO commandstats). */
	commands: Record<string, number>;
}

async function commandStats(admin: Redis) {
	const text = await admin.info('commandstats');
	const out: Record<string, number> = {};
	for (const m of text.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') out[m[1]] = Number(m[2]);
	return out;
}
const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]).filter(([, n]) => n !== 0));

/** The package's connection, counting the commands it sends (each run or script is one round trip), its copies' (the limiter's blocking pops) included. */
class CountingConnection extends RedisConnection {
	constructor(
		settings: RedisSettings,
		private readonly counter = { roundTrips: 0 },
	) {
		super(settings);
	}
	get roundTrips() {
		return this.counter.roundTrips;
	}
	override run<T>(commands: (redis: Redis | Cluster) => Promise<T>): Promise<T> {
		this.counter.roundTrips++;
		return super.run(commands);
	}
	protected override another() {
		return new CountingConnection(this.settings, this.counter);
	}
}

export async function scenarioCoordination(sandbox: Sandbox): Promise<CoordinationRow[]> {
	const redis = await startRedis();
	const admin = new Redis({ host: '127.0.0.1', port: redis.port });
	const connection = new CountingConnection({ host: '127.0.0.1', port: redis.port });
	const clara = sandbox.clara;
	const ct = sandbox.clevertap;
	const claraAgent = new Agent({ connections: 16, connect: { ca: sandbox.certs.ca.cert, cert: sandbox.certs.client.cert, key: sandbox.certs.client.key } });
	const ctAgent = new Agent({ connections: 6, connect: { ca: sandbox.certs.ca.cert } });
	const lookups = QUICK ? 200 : 2_000;
	const reads = QUICK ? 60 : 600;
	const uuids = clara.data.transactions.slice(0, lookups).map((t) => t.uuid as string);
	const identities = [...ct.profiles.keys()].slice(0, reads);
	const tokenUrl = `${clara.url}/mx/oauth/token`;
	const key = tokenCacheKey({ tokenUrl, clientId: clara.clientId, secret: clara.clientSecret });
	const fetcher = async () => {
		const res = await request(tokenUrl, {
			method: 'POST',
			dispatcher: claraAgent,
			headers: { authorization: `Basic ${Buffer.from(`${clara.clientId}:${clara.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials',
		});
		const body = (await res.body.json()) as { access_token: string; expires_in: number };
		return { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000, issuedAt: Date.now() };
	};
	const stores: Record<string, TokenStore> = { memory: new MemoryTokenStore(), redis: new RedisTokenStore(connection) };
	const helpers = Object.fromEntries(Object.entries(stores).map(([k, store]) => [k, new TokenHelper({ store })]));
	const limiters: Record<string, ConcurrencyLimiter> = { memory: new MemoryLimiter(), redis: new RedisLimiter(connection) };
	// The token is fetched once per store before timing: what is timed is its use.
	for (const h of Object.values(helpers)) await h.get(key, fetcher);
	const lookupWith = (store: string) => async () => {
		await mapConcurrent(uuids, 16, async (uuid) =>
			helpers[store].withToken(key, fetcher, async (accessToken) => {
				const res = await request(`${clara.url}/mx/api/v3/transactions/${uuid}`, { dispatcher: claraAgent, headers: { authorization: `Bearer ${accessToken}` } });
				await res.body.json();
				return { unauthorized: res.statusCode === 401, value: undefined };
			}),
		);
		return { calls: uuids.length };
	};
	const readWith = (store: string, callers: number) => async () => {
		await mapConcurrent(identities, callers, async (identity) => {
			const release = await limiters[store].acquire(`clevertap:${ct.accountId}:read`, 3);
			try {
				const res = await request(`${ct.url}/${ct.region}/1/profile.json?identity=${encodeURIComponent(identity)}`, {
					dispatcher: ctAgent,
					headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode },
				});
				await res.body.json();
			} finally {
				await release();
			}
		});
		return { calls: identities.length };
	};
	const savedCt = { latency: ct.faults.latencyMs, handshake: ct.faults.handshakeDelayMs, work: ct.workMs };
	ct.faults.latencyMs = 0;
	ct.faults.handshakeDelayMs = 0;
	ct.workMs = CLEVERTAP_WORK_MS;
	const rows: CoordinationRow[] = [];
	try {
		const cases: Array<{ what: string; calls: number; run: (store: string) => () => Promise<{ calls: number }> }> = [
			{ what: 'token use (Clara lookup, 16 at once)', calls: uuids.length, run: lookupWith },
			{ what: 'limiter slot, 3 callers for 3 slots (CleverTap read)', calls: identities.length, run: (s) => readWith(s, 3) },
			{ what: 'limiter slot, 6 callers for 3 slots (CleverTap read)', calls: identities.length, run: (s) => readWith(s, 6) },
			{ what: 'limiter slot, 18 callers for 3 slots (CleverTap read)', calls: identities.length, run: (s) => readWith(s, 18) },
		];
		for (const c of cases) {
			// A first run of each, not timed: connections and JIT warm.
			for (const s of ['memory', 'redis']) await c.run(s)();
			const commands: Record<string, number>[] = [];
			const trips: number[] = [];
			const [memory, viaRedis] = await interleaved(
				['memory', 'redis'].map((s) => ({
					way: s,
					run: () =>
						measure(async () => {
							const before = await commandStats(admin);
							const sent = connection.roundTrips;
							const r = await c.run(s)();
							if (s === 'redis') (commands.push(diff(before, await commandStats(admin))), trips.push(connection.roundTrips - sent));
							return r;
						}),
				})),
			);
			const total = commands[commands.length - 1];
			rows.push({
				what: c.what,
				calls: c.calls,
				memoryMsPerCall: round(memory.ms / c.calls),
				redisMsPerCall: round(viaRedis.ms / c.calls),
				added: round((viaRedis.ms - memory.ms) / memory.ms),
				roundTripsPerCall: round(trips[trips.length - 1] / c.calls),
				commands: total,
			});
		}
	} finally {
		Object.assign(ct.faults, { latencyMs: savedCt.latency, handshakeDelayMs: savedCt.handshake });
		ct.workMs = savedCt.work;
		connection.close();
		admin.disconnect();
		await Promise.all([claraAgent.close(), ctAgent.close()]);
		await redis.stop();
	}
	return rows;
}
