/**
 * The Redis-backed token store and limiter of queue mode against real Redis that this suite starts on loopback
 * (npm run test:redis; redis-server from Debian's package): every behaviour on a single Redis server and on a
 * 3-node Redis cluster (QUEUE_BULL_REDIS_CLUSTER_NODES), plus TLS and mutual TLS with n8n's TLS settings.
 * Several stores/limiters with their own connections stand in for n8n workers.
 */
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import Redis, { Cluster } from 'ioredis';
import { PREFIX, RedisConnection } from '../../nodes/transport/redis';
import { FallbackLimiter, RedisLimiter } from '../../nodes/transport/redis-limiter';
import { redisSettingsFromEnv, type RedisSettings } from '../../nodes/transport/redis-settings';
import { LockTimeoutError, RedisTokenStore } from '../../nodes/transport/redis-token-store';
import { deriveSealingKey, unseal } from '../../nodes/transport/sealing';
import { resetSharedState, sharedState, tokens } from '../../nodes/transport/shared-state';
import { StoreUnavailableError, TokenHelper, tokenCacheKey, type CachedToken } from '../../nodes/transport/token';
import { accountLimiter } from '../../nodes/CleverTap/transport';
import { generateCertificates } from '../../sandbox/certs';
import { startRedis, startRedisCluster, startTlsRedis, type Service } from '../helpers/services';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let server: Service;
let cluster: Service & { ports: number[] };
const opened: RedisConnection[] = [];
const admins: Array<Redis | Cluster> = [];

beforeAll(async () => {
	[server, cluster] = await Promise.all([startRedis(), startRedisCluster(3)]);
}, 60_000);

afterAll(async () => {
	resetSharedState();
	for (const c of opened) c.close();
	for (const a of admins) a.disconnect();
	await Promise.all([server?.stop(), cluster?.stop()]);
});

/** What n8n's settings give for each target: a server (host/port) or a cluster (its start-up nodes). */
const targets: Array<[string, () => RedisSettings]> = [
	['a Redis server', () => ({ host: '127.0.0.1', port: server.port })],
	['a Redis cluster of 3 nodes', () => ({ host: 'unused', port: 0, clusterNodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) })],
];

/** Direct access to the target, for the test's own checks: keys and flush go to every node of a cluster. */
function adminFor(settings: RedisSettings) {
	const client = settings.clusterNodes ? new Cluster(settings.clusterNodes) : new Redis({ host: settings.host, port: settings.port });
	admins.push(client);
	const nodes = async () => {
		// A cluster client knows its nodes once it has read the slot map.
		if (client instanceof Cluster && client.status !== 'ready') await new Promise((ok) => client.once('ready', ok));
		return client instanceof Cluster ? client.nodes('master') : [client];
	};
	return Object.assign(client, {
		allKeys: async (pattern = '*') => (await Promise.all((await nodes()).map((n) => n.keys(pattern)))).flat().sort(),
		flushEverything: async () => void (await Promise.all((await nodes()).map((n) => n.flushall()))),
		keysPerNode: async () => Promise.all((await nodes()).map(async (n) => (await n.keys('*')).length)),
	});
}

/**
 * The package's commands as Redis receives them (MONITOR on every node): round trips, so not what a script runs
 * inside. A script is named by its first line (`-- limiter acquire`).
 */
async function watch(settings: RedisSettings) {
	const ports = settings.clusterNodes ? settings.clusterNodes.map((n) => n.port) : [settings.port];
	const counts: Record<string, number> = {};
	const monitors = await Promise.all(
		ports.map(async (port) => {
			const client = new Redis({ host: '127.0.0.1', port });
			admins.push(client);
			const monitor = await client.monitor();
			monitor.on('monitor', (_time: string, args: string[], source: string) => {
				if (source === 'lua' || !args.some((a) => String(a).startsWith(PREFIX))) return;
				const command = args[0].toLowerCase();
				const name = command === 'eval' ? (/^-- limiter (\w+)/.exec(args[1])?.[1] ?? 'eval') : command;
				counts[name] = (counts[name] ?? 0) + 1;
			});
			return monitor;
		}),
	);
	return {
		stop: async () => {
			await sleep(200); // MONITOR's stream trails the commands a little
			for (const m of monitors) m.disconnect();
			return counts;
		},
	};
}

const secret = 'SECRET-value-9f8e7d';
const clientId = 'CLIENT-id-1a2b3c';
const key = tokenCacheKey({ tokenUrl: 'https://auth.example.test/token', clientId, secret });
const lockName = (k: string) => `${PREFIX}lock:${sha256(k)}`;
const token = (accessToken: string, ttl = 60_000): CachedToken => ({ accessToken, expiresAt: Date.now() + ttl, issuedAt: Date.now() });

/** A fetcher that counts its calls and takes a little time, like a token endpoint. */
function countingFetcher(delayMs = 30) {
	const f = Object.assign(
		async () => {
			f.calls++;
			await sleep(delayMs);
			return token(`ACCESS-${f.calls}-zz99`);
		},
		{ calls: 0 },
	);
	return f;
}

describe.each(targets)('on %s', (_, target) => {
	let admin: ReturnType<typeof adminFor>;
	/** A new connection to the target: one per simulated worker. */
	const conn = () => {
		const c = new RedisConnection(target());
		opened.push(c);
		return c;
	};
	beforeAll(() => void (admin = adminFor(target())));
	beforeEach(async () => {
		await admin.flushEverything();
	});

	/** Every key and value, whatever its type. */
	async function dump() {
		const names = await admin.allKeys();
		const values: string[] = [];
		for (const name of names) {
			const type = await admin.type(name);
			if (type === 'string') values.push((await admin.get(name)) ?? '');
			else if (type === 'zset') values.push(...(await admin.zrange(name, 0, -1, 'WITHSCORES')));
			else values.push(`unexpected type ${type}`);
		}
		return { names, values };
	}

	describe('RedisTokenStore', () => {
		it('round-trips a token; Redis holds only hashed names and sealed values', async () => {
			const store = new RedisTokenStore(conn());
			const t = token('ACCESS-token-abc123');
			await store.set(key, t);
			expect(await store.get(key)).toEqual(t);
			// A limiter lease too, whose key (CleverTap's) carries the account id in clear.
			const release = await new RedisLimiter(conn()).acquire(`clevertap ${clientId} https://eu1.api.example.test read`, 3);

			const { names, values } = await dump();
			expect(names).toHaveLength(2);
			for (const name of names) expect(name).toMatch(/^n8n-nodes-fintech-identity:([0-9a-f]{64}|limit:\{[0-9a-f]{64}\})$/);
			const everything = [...names, ...values].join('\n');
			for (const clear of ['ACCESS-token-abc123', secret, clientId, key.slice('token:'.length), 'eu1.api']) {
				expect(everything).not.toContain(clear);
			}
			// Redis drops the token when it expires.
			const ttl = await admin.pttl(`${PREFIX}${sha256(key)}`);
			expect(ttl).toBeGreaterThan(50_000);
			expect(ttl).toBeLessThanOrEqual(60_000);
			await release();
		});

		it('deleteIf is a compare-and-delete: a stale token leaves the current one, the current one goes', async () => {
			const store = new RedisTokenStore(conn());
			await store.set(key, token('ACCESS-current'));
			expect(await store.deleteIf(key, 'ACCESS-stale')).toBe(false);
			expect((await store.get(key))?.accessToken).toBe('ACCESS-current');
			expect(await store.deleteIf(key, 'ACCESS-current')).toBe(true);
			expect(await store.get(key)).toBeUndefined();
		});

		it('20 concurrent 401s with the same token on two workers make exactly one new fetch', async () => {
			const workers = [new TokenHelper({ store: new RedisTokenStore(conn()) }), new TokenHelper({ store: new RedisTokenStore(conn()) })];
			const fetcher = countingFetcher();
			const first = await workers[0].get(key, fetcher);
			const fresh = await Promise.all(Array.from({ length: 20 }, (_, i) => workers[i % 2].replace(key, first.accessToken, fetcher)));
			expect(fetcher.calls).toBe(2);
			expect(new Set(fresh.map((t) => t.accessToken))).toEqual(new Set(['ACCESS-2-zz99']));
			// A late 401 for the old token on the other worker must not throw the new one away.
			expect((await workers[1].replace(key, first.accessToken, fetcher)).accessToken).toBe('ACCESS-2-zz99');
			expect(fetcher.calls).toBe(2);
		});

		it('3 workers × 30 concurrent gets make exactly one token request', async () => {
			const fetcher = countingFetcher(50);
			const workers = [1, 2, 3].map(() => new TokenHelper({ store: new RedisTokenStore(conn()) }));
			const got = await Promise.all(workers.flatMap((w) => Array.from({ length: 30 }, () => w.get(key, fetcher))));
			expect(got).toHaveLength(90);
			expect(fetcher.calls).toBe(1);
			expect(new Set(got.map((t) => t.accessToken)).size).toBe(1);
		});

		it("a crashed holder's lock (set directly) expires and another worker fetches", async () => {
			await admin.set(lockName(key), 'crashed-worker', 'PX', 300);
			const fetcher = countingFetcher(5);
			const started = Date.now();
			await new TokenHelper({ store: new RedisTokenStore(conn(), { lockTtlMs: 300 }) }).get(key, fetcher);
			expect(Date.now() - started).toBeGreaterThanOrEqual(250);
			expect(fetcher.calls).toBe(1);
		});

		it('a live holder keeps its lock past the TTL; once its connection dies the lock expires', async () => {
			const holderConn = conn();
			let finish!: () => void;
			const holding = new RedisTokenStore(holderConn, { lockTtlMs: 300 }).withLock(key, () => new Promise<void>((r) => (finish = r)));
			await sleep(50);
			expect(await admin.get(lockName(key))).not.toBeNull();
			// Renewed: still held well past its 300 ms TTL.
			await sleep(700);
			expect(await admin.get(lockName(key))).not.toBeNull();
			holderConn.close(); // the worker is gone; its fn never finishes
			const fetcher = countingFetcher(5);
			const started = Date.now();
			await new TokenHelper({ store: new RedisTokenStore(conn(), { lockTtlMs: 300 }) }).get(key, fetcher);
			expect(fetcher.calls).toBe(1);
			expect(Date.now() - started).toBeLessThan(2_000);
			finish();
			await holding; // its unlock fails quietly on the closed connection
		});

		it('gives up after the lock wait limit with a clear error, without fetching', async () => {
			await admin.set(lockName(key), 'someone-else', 'PX', 10_000);
			const fetcher = countingFetcher();
			const helper = new TokenHelper({ store: new RedisTokenStore(conn(), { lockWaitMs: 300 }) });
			const error = await helper.get(key, fetcher).catch((e) => e);
			expect(error).toBeInstanceOf(LockTimeoutError);
			expect(error.message).toMatch(/Waited 0\.3 s for another n8n worker to finish requesting a token .*\(lock in Redis (cluster )?at 127\.0\.0\.1:\d+/);
			expect(fetcher.calls).toBe(0);
		});

		it('a value sealed under another secret, moved from another key or tampered with reads as missing', async () => {
			const store = new RedisTokenStore(conn());
			const otherKey = tokenCacheKey({ tokenUrl: 'https://auth.example.test/token', clientId, secret: 'another-secret' });
			await store.set(otherKey, token('ACCESS-other'));
			const name = `${PREFIX}${sha256(key)}`;
			// The other credential's value under this credential's name: other secret, other associated data.
			await admin.set(name, (await admin.get(`${PREFIX}${sha256(otherKey)}`))!, 'PX', 60_000);
			expect(await store.get(key)).toBeUndefined();
			// Tampered: one byte of the ciphertext changed.
			await store.set(key, token('ACCESS-mine'));
			const value = (await admin.get(name))!;
			const raw = Buffer.from(value.slice(65), 'base64');
			raw[raw.length - 1] ^= 1;
			await admin.set(name, `${value.slice(0, 65)}${raw.toString('base64')}`, 'PX', 60_000);
			expect(await store.get(key)).toBeUndefined();
			// So the helper fetches a new one rather than failing.
			const fetcher = countingFetcher(1);
			expect((await new TokenHelper({ store }).get(key, fetcher)).accessToken).toBe('ACCESS-1-zz99');
		});

	});

	describe('RedisLimiter', () => {
		it('3 workers × 20 concurrent requests with a limit of 3: never more than 3 at once, all done', async () => {
			const limiters = [1, 2, 3].map(() => new RedisLimiter(conn()));
			let active = 0;
			let peak = 0;
			let done = 0;
			await Promise.all(
				limiters.flatMap((limiter) =>
					Array.from({ length: 20 }, async () => {
						const release = await limiter.acquire('account read', 3);
						active++;
						peak = Math.max(peak, active);
						await sleep(5 + Math.random() * 10);
						active--;
						await release();
						await release(); // idempotent: must not free a second slot
						done++;
					}),
				),
			);
			expect(done).toBe(60);
			expect(peak).toBe(3);
			expect(await admin.zcard(`${PREFIX}limit:{${sha256('account read')}}`)).toBe(0);
		});

		it("a held lease is renewed; a killed worker's lease expires and its slot comes back", async () => {
			const workerConn = conn();
			const killed = await new RedisLimiter(workerConn, { leaseTtlMs: 300 }).acquire('k', 1);
			const other = new RedisLimiter(conn(), { leaseTtlMs: 300 });
			await sleep(700); // past the TTL, but renewed
			await expect(other.acquire('k', 1, AbortSignal.timeout(100))).rejects.toBeDefined();
			workerConn.close(); // killed: no more renewals, no release
			const started = Date.now();
			const release = await other.acquire('k', 1, AbortSignal.timeout(3_000));
			expect(Date.now() - started).toBeLessThan(1_000);
			await release();
			await killed(); // only stops its (failing) renewals
		});

		it('an aborted waiter rejects with the signal reason', async () => {
			const limiter = new RedisLimiter(conn());
			const release = await limiter.acquire('k', 1);
			const controller = new AbortController();
			const waiting = limiter.acquire('k', 1, controller.signal);
			await sleep(50);
			controller.abort(new Error('execution cancelled'));
			await expect(waiting).rejects.toThrow('execution cancelled');
			await release();
			// The one who gave up holds nothing and waits for nothing: the slot is free for the next.
			await (await limiter.acquire('k', 1, AbortSignal.timeout(1_000)))();
		});

		it('a slot costs 3 round trips when items wait (acquire, the blocking pop, release), however many wait', async () => {
			const limiters = [1, 2, 3].map(() => new RedisLimiter(conn()));
			await Promise.all(limiters.map(async (l) => (await l.acquire('warm', 3))())); // connected before counting
			const watched = await watch(target());
			const started = Date.now();
			let active = 0;
			let peak = 0;
			await Promise.all(
				limiters.flatMap((limiter) =>
					Array.from({ length: 20 }, async () => {
						const release = await limiter.acquire('account read', 3);
						peak = Math.max(peak, ++active);
						await sleep(5 + Math.random() * 10);
						active--;
						await release();
					}),
				),
			);
			const seconds = Math.ceil((Date.now() - started) / 1000);
			const counts = await watched.stop();
			expect(peak).toBe(3);
			// A free slot costs 2 (acquire, release), a slot waited for 3 (acquire, the pop that brings it, release).
			// Besides, a worker with items waiting re-checks once a second: a script, and the pop that timed out before it.
			const rechecks = counts.recheck ?? 0;
			const total = Object.values(counts).reduce((a, b) => a + b, 0);
			expect((total - 2 * rechecks) / 60).toBeLessThanOrEqual(3);
			expect(counts.blpop).toBeGreaterThan(0); // items did wait
			expect(rechecks).toBeLessThanOrEqual(3 * (seconds + 1));
		});

		it("slots go first come, first served across workers; a killed worker's waiting items are skipped", async () => {
			const limiters = [1, 2, 3].map(() => new RedisLimiter(conn(), { leaseTtlMs: 300 }));
			const killedConn = limiters[1].redis;
			const holder = await limiters[0].acquire('fifo', 1);
			const queue = `${PREFIX}limit:{${sha256('fifo')}}:queue`;
			const order: number[] = [];
			const waits: Array<Promise<unknown>> = [];
			for (let i = 0; i < 9; i++) {
				const got = limiters[i % 3].acquire('fifo', 1).then(async (release) => {
					order.push(i);
					await sleep(5);
					await release();
				});
				waits.push(i % 3 === 1 ? got.catch(() => undefined) : got);
				// In turn: each in the queue before the next asks (bounded, for a limiter without one).
				for (let t = 0; t < 50 && (await admin.llen(queue)) < i + 1; t++) await sleep(10);
			}
			killedConn.close(); // the worker of items 1, 4 and 7 dies while they wait
			await holder();
			await Promise.all(waits);
			expect(order).toEqual([0, 2, 3, 5, 6, 8]);
		});
	});

	it('keys of different credentials land on different nodes of a cluster, and each works on its own node', async () => {
		const helper = new TokenHelper({ store: new RedisTokenStore(conn()) });
		const keys = Array.from({ length: 12 }, (_, i) => tokenCacheKey({ tokenUrl: 'https://auth.example.test/token', clientId: `client-${i}`, secret }));
		const fetcher = countingFetcher(1);
		await Promise.all(keys.map((k) => helper.get(k, fetcher)));
		expect(fetcher.calls).toBe(12);
		// From another "worker": every one is read back, none fetched again.
		const other = new TokenHelper({ store: new RedisTokenStore(conn()) });
		await Promise.all(keys.map((k) => other.get(k, fetcher)));
		expect(fetcher.calls).toBe(12);
		const perNode = await admin.keysPerNode();
		expect(perNode.reduce((a, b) => a + b, 0)).toBe(12);
		if (target().clusterNodes) expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
	});
});

describe('sealing with the credential alone', () => {
	const settings = () => targets[0][1]();
	const plainClient = () => {
		const client = new Redis({ host: '127.0.0.1', port: server.port });
		admins.push(client);
		return client;
	};

	it("a key not built by tokenCacheKey is refused, whatever n8n's own key: nothing is written", async () => {
		const store = new RedisTokenStore(new RedisConnection(settings()));
		opened.push(store.redis);
		const saved = process.env.N8N_ENCRYPTION_KEY;
		process.env.N8N_ENCRYPTION_KEY = 'n8n-key-one';
		try {
			await expect(store.set('custom-key', token('ACCESS-x'))).rejects.toThrow(/without a key derived from its credential's secret/);
			await expect(store.get('custom-key')).rejects.toThrow(/without a key derived from its credential's secret/);
		} finally {
			if (saved === undefined) delete process.env.N8N_ENCRYPTION_KEY;
			else process.env.N8N_ENCRYPTION_KEY = saved;
		}
		expect(await plainClient().exists(`${PREFIX}${sha256('custom-key')}`)).toBe(0);
	});

	it('what sits in Redis holds no token and opens only with the credential', async () => {
		const cacheKey = tokenCacheKey({ tokenUrl: 'https://auth.example.test/token', clientId: 'raw-read-client', secret });
		const store = new RedisTokenStore(new RedisConnection(settings()));
		opened.push(store.redis);
		await store.set(cacheKey, token('ACCESS-raw-read-7f3e'));
		const name = `${PREFIX}${sha256(cacheKey)}`;
		const raw = (await plainClient().get(name))!;
		expect(raw).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9+/]+=*$/);
		expect(raw).not.toContain('ACCESS-raw-read-7f3e');
		expect(Buffer.from(raw.slice(65), 'base64').toString('latin1')).not.toContain('ACCESS-raw-read-7f3e');
		// Someone without the credential: n8n's key, a wrong secret, or the right secret with another key name.
		for (const guess of [deriveSealingKey('n8n-key-one', cacheKey), deriveSealingKey('not-the-secret', cacheKey), deriveSealingKey(secret, 'token:other')]) {
			expect(unseal(guess, name, raw.slice(65))).toBeUndefined();
		}
		// With the credential's secret it opens: the check above is not passing because nothing is there.
		expect(JSON.parse(unseal(deriveSealingKey(secret, cacheKey), name, raw.slice(65))!).accessToken).toBe('ACCESS-raw-read-7f3e');
	});

	it('two workers with the same credential share one token (each its own copy of the package, as two processes)', async () => {
		type Modules = { token: typeof import('../../nodes/transport/token'); store: typeof import('../../nodes/transport/redis-token-store'); redis: typeof import('../../nodes/transport/redis') };
		const worker = (): Modules => {
			let modules!: Modules;
			jest.isolateModules(() => {
				modules = { token: require('../../nodes/transport/token'), store: require('../../nodes/transport/redis-token-store'), redis: require('../../nodes/transport/redis') };
			});
			return modules;
		};
		const credential = { tokenUrl: 'https://auth.example.test/token', clientId: 'two-workers', secret };
		const [a, b] = [worker(), worker()];
		const helpers = [a, b].map((w) => {
			const connection = new w.redis.RedisConnection(settings());
			opened.push(connection as unknown as RedisConnection);
			return { key: w.token.tokenCacheKey(credential), helper: new w.token.TokenHelper({ store: new w.store.RedisTokenStore(connection) }) };
		});
		const fetcher = countingFetcher(20);
		const [first, second] = await Promise.all(helpers.map(({ key, helper }) => helper.get(key, fetcher)));
		expect(fetcher.calls).toBe(1);
		expect(second.accessToken).toBe(first.accessToken);
		expect(await helpers[1].helper.get(helpers[1].key, fetcher)).toEqual(first);
		expect(fetcher.calls).toBe(1);
	});
});

describe('Redis gone while items wait for a slot', () => {
	it("they go on under this worker's own limit, with one warning, as when Redis is gone before they ask", async () => {
		const own = await startRedis();
		const warnings: string[] = [];
		const connection = new RedisConnection({ host: '127.0.0.1', port: own.port });
		opened.push(connection);
		const limiter = new FallbackLimiter(new RedisLimiter(connection), (m) => warnings.push(m));
		const held = await limiter.acquire('k', 1);
		let got = 0;
		const waiting = Array.from({ length: 2 }, () => limiter.acquire('k', 1).then(async (release) => (got++, await sleep(20), release())));
		await sleep(100);
		expect(got).toBe(0);
		await own.stop();
		await Promise.all(waiting);
		expect(got).toBe(2);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${own.port} is unreachable .*counted per worker until it is back`));
		await held(); // its release fails quietly; the lease would lapse
	});
});

describe('queue mode through the environment n8n reads', () => {
	const names = ['EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'QUEUE_BULL_REDIS_PORT', 'QUEUE_BULL_REDIS_CLUSTER_NODES'] as const;
	const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
	afterEach(() => {
		for (const n of names) {
			if (saved[n] === undefined) delete process.env[n];
			else process.env[n] = saved[n];
		}
		resetSharedState();
	});

	it.each([
		['QUEUE_BULL_REDIS_HOST/_PORT: the server', () => ({ QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(server.port) }), () => targets[0][1]()],
		['QUEUE_BULL_REDIS_CLUSTER_NODES: the cluster (host and port ignored, as n8n does)', () => ({ QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(server.port), QUEUE_BULL_REDIS_CLUSTER_NODES: cluster.ports.map((p) => `127.0.0.1:${p}`).join(',') }), () => targets[1][1]()],
	])("EXECUTIONS_MODE=queue with %s holds the tokens and CleverTap's limiter", async (_, env, where) => {
		const admin = adminFor(where());
		await admin.flushEverything();
		Object.assign(process.env, { EXECUTIONS_MODE: 'queue', ...env() });
		resetSharedState();
		expect(tokens.store.kind).toBe('redis');
		expect(accountLimiter()).toBe(sharedState().limiter);
		const fetcher = countingFetcher(1);
		await tokens.get(key, fetcher);
		const release = await accountLimiter().acquire('k', 1);
		expect(await admin.allKeys(`${PREFIX}*`)).toEqual([`${PREFIX}${sha256(key)}`, `${PREFIX}limit:{${sha256('k')}}`].sort());
		await release();
		expect(await admin.allKeys(`${PREFIX}*`)).toEqual([`${PREFIX}${sha256(key)}`]);
	});
});

describe("TLS, as n8n's QUEUE_BULL_REDIS_TLS settings give it", () => {
	let tls: Awaited<ReturnType<typeof startTlsRedis>>;
	let mtls: Awaited<ReturnType<typeof startTlsRedis>>;
	let files: string;
	const password = 'redis-PASS-7c1d';
	beforeAll(async () => {
		const pem = await generateCertificates();
		[tls, mtls] = await Promise.all([
			startTlsRedis({ ca: pem.ca.cert, server: pem.server, client: pem.client }, { password, clientCerts: false }),
			startTlsRedis({ ca: pem.ca.cert, server: pem.server, client: pem.client }, { password, clientCerts: true }),
		]);
		files = mkdtempSync(join(tmpdir(), 'redis-tls-env-'));
		mkdirSync(join(files, 'other'));
		writeFileSync(join(files, 'password'), `${password}\n`);
		writeFileSync(join(files, 'other', 'ca.pem'), pem.foreign.ca);
	});
	afterAll(() => Promise.all([tls?.stop(), mtls?.stop()]));

	const connect = (env: NodeJS.ProcessEnv) => {
		const c = new RedisConnection(redisSettingsFromEnv(env));
		opened.push(c);
		return c;
	};
	const roundTrip = async (c: RedisConnection) => {
		const store = new RedisTokenStore(c);
		await store.set(key, token('ACCESS-over-tls'));
		return (await store.get(key))?.accessToken;
	};

	it('TLS with the CA file and the password from QUEUE_BULL_REDIS_PASSWORD_FILE: tokens go through', async () => {
		const c = connect({ QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(tls.port), QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: tls.files.ca, QUEUE_BULL_REDIS_PASSWORD_FILE: join(files, 'password') });
		expect(c.where).toBe(`Redis at 127.0.0.1:${tls.port} (TLS)`);
		expect(await roundTrip(c)).toBe('ACCESS-over-tls');
	});

	it('mutual TLS: with the client certificate and key files it goes through; without them Redis refuses', async () => {
		const base = { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(mtls.port), QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: mtls.files.ca, QUEUE_BULL_REDIS_PASSWORD: password };
		const withCert = { ...base, QUEUE_BULL_REDIS_TLS_CERT_FILE: mtls.files.clientCert, QUEUE_BULL_REDIS_TLS_CERT_KEY_FILE: mtls.files.clientKey };
		expect(await roundTrip(connect(withCert))).toBe('ACCESS-over-tls');
		// A waiting item blocks on the limiter's second connection, which presents the certificate too.
		const limiter = new RedisLimiter(connect(withCert));
		const held = await limiter.acquire('k', 1);
		const waiting = limiter.acquire('k', 1, AbortSignal.timeout(5_000));
		await sleep(50);
		await held();
		await (await waiting)();
		const refused = await roundTrip(connect(base)).catch((e) => e);
		expect(refused).toBeInstanceOf(StoreUnavailableError);
		expect(refused.message).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${mtls.port} \\(TLS\\) is unreachable \\(`));
	});

	it("the server's certificate is checked: another CA, or no TLS at all, is refused with the reason; the password never shows", async () => {
		const env = { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(tls.port), QUEUE_BULL_REDIS_PASSWORD: password };
		const otherCa = await roundTrip(connect({ ...env, QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: join(files, 'other', 'ca.pem') })).catch((e) => e);
		expect(otherCa).toBeInstanceOf(StoreUnavailableError);
		expect(otherCa.message).toMatch(/\(TLS\) is unreachable \((self[- ]signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)\)/);
		// n8n 2.8's form (TLS on, Node's default trust): this CA is not in it.
		const defaultTrust = await roundTrip(connect({ ...env, QUEUE_BULL_REDIS_TLS: 'true' })).catch((e) => e);
		expect(defaultTrust).toBeInstanceOf(StoreUnavailableError);
		expect(defaultTrust.message).toMatch(/\(TLS\) is unreachable \((self[- ]signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)\)/);
		// n8n 2.41's switch turns the check off, for those who chose that.
		expect(await roundTrip(connect({ ...env, QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: 'false' }))).toBe('ACCESS-over-tls');
		const plain = await roundTrip(connect(env)).catch((e) => e);
		expect(plain).toBeInstanceOf(StoreUnavailableError);
		expect(plain.message).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${tls.port} is unreachable`));
		const wrong = await roundTrip(connect({ ...env, QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: tls.files.ca, QUEUE_BULL_REDIS_PASSWORD: 'not-the-password' })).catch((e) => e);
		expect(wrong.message).toMatch(/is unreachable \(WRONGPASS/);
		for (const e of [otherCa, defaultTrust, plain, wrong]) expect(e.message).not.toContain(password);
	});
});
