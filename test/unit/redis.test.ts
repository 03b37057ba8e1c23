/**
 * The Redis-backed token store and limiter (queue mode, issue 9) against a real redis-server that this file
 * starts on a free loopback port. Several stores/limiters with their own connections stand in for n8n workers.
 */
import { spawn, type ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { createServer, type Server, type Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import Redis from 'ioredis';
import { LoggerProxy } from 'n8n-workflow';
import {
	buildSharedState,
	FallbackLimiter,
	isQueueMode,
	LockTimeoutError,
	PREFIX,
	RedisConnection,
	RedisLimiter,
	RedisTokenStore,
	resetSharedState,
	sharedState,
	StoreUnavailableError,
} from '../../nodes/transport/redis';
import { TokenHelper, tokenCacheKey, tokens, type CachedToken } from '../../nodes/transport/token';
import { bearer, callApi } from '../../nodes/transport/api';
import { toNodeError } from '../../nodes/transport/errors';
import { SHARED_TOKEN_REQUIRED, ConfermaPay, readCredentials } from '../../nodes/ConfermaPay/transport';
import { accountLimiter } from '../../nodes/CleverTap/transport';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

let server: ChildProcess;
let port: number;
let admin: Redis;
const opened: RedisConnection[] = [];
/** A new connection to the test's Redis: one per simulated worker. */
const conn = (p = port) => {
	const c = new RedisConnection({ host: '127.0.0.1', port: p });
	opened.push(c);
	return c;
};

beforeAll(async () => {
	port = await freePort();
	server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
	const started = new Promise<void>((_, reject) =>
		server.once('error', (e: NodeJS.ErrnoException) =>
			reject(new Error(e.code === 'ENOENT' ? 'redis-server not found: these tests need it (apt-get install redis-server)' : `redis-server did not start: ${e.message}`)),
		),
	);
	admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
	admin.on('error', () => undefined);
	const ready = (async () => {
		for (let i = 0; i < 100; i++) {
			try {
				if (admin.status !== 'ready') await admin.connect().catch(() => undefined);
				if ((await admin.ping()) === 'PONG') return;
			} catch {
				await sleep(50);
			}
		}
		throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
	})();
	await Promise.race([started, ready]);
});

afterAll(async () => {
	resetSharedState();
	for (const c of opened) c.close();
	admin?.disconnect();
	server?.kill('SIGKILL');
});

beforeEach(async () => {
	await admin.flushall();
});

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

/** Every key and value in Redis, whatever its type. */
async function dump() {
	const names = await admin.keys('*');
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
		for (const name of names) expect(name).toMatch(/^n8n-nodes-fintech-identity:(limit:)?[0-9a-f]{64}$/);
		const everything = [...names, ...values].join('\n');
		for (const clear of ['ACCESS-token-abc123', secret, clientId, key.slice('token:'.length), 'eu1']) {
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
		expect(error.message).toMatch(/Waited 0\.3 s for another n8n worker to finish requesting a token .*Redis at 127\.0\.0\.1:\d+/);
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

	it("keys not built by tokenCacheKey are sealed with n8n's encryption key, and without one it says so", async () => {
		const store = new RedisTokenStore(conn());
		const saved = { key: process.env.N8N_ENCRYPTION_KEY, file: process.env.N8N_ENCRYPTION_KEY_FILE, folder: process.env.N8N_USER_FOLDER };
		const folder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
		try {
			delete process.env.N8N_ENCRYPTION_KEY;
			delete process.env.N8N_ENCRYPTION_KEY_FILE;
			process.env.N8N_USER_FOLDER = folder;
			await expect(store.set('custom-key', token('ACCESS-x'))).rejects.toThrow(/N8N_ENCRYPTION_KEY/);

			process.env.N8N_ENCRYPTION_KEY = 'n8n-key-one';
			await store.set('custom-key', token('ACCESS-x'));
			expect((await store.get('custom-key'))?.accessToken).toBe('ACCESS-x');
			process.env.N8N_ENCRYPTION_KEY = 'n8n-key-two'; // another n8n's key does not open it
			expect(await store.get('custom-key')).toBeUndefined();

			delete process.env.N8N_ENCRYPTION_KEY; // n8n's _FILE form
			writeFileSync(join(folder, 'key'), 'n8n-key-one\n');
			process.env.N8N_ENCRYPTION_KEY_FILE = join(folder, 'key');
			expect((await store.get('custom-key'))?.accessToken).toBe('ACCESS-x');
			delete process.env.N8N_ENCRYPTION_KEY_FILE;

			delete process.env.N8N_ENCRYPTION_KEY; // n8n's config file
			mkdirSync(join(folder, '.n8n'));
			writeFileSync(join(folder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'n8n-key-one' }));
			expect((await store.get('custom-key'))?.accessToken).toBe('ACCESS-x');
		} finally {
			for (const [name, value] of [['N8N_ENCRYPTION_KEY', saved.key], ['N8N_ENCRYPTION_KEY_FILE', saved.file], ['N8N_USER_FOLDER', saved.folder]] as const) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
		}
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
		expect(await admin.zcard(`${PREFIX}limit:${sha256('account read')}`)).toBe(0);
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
	});
});

describe('Redis unreachable', () => {
	let closedPort: number;
	let silent: Server;
	let silentPort: number;
	const sockets: Socket[] = [];
	const warnings: string[] = [];
	beforeAll(async () => {
		closedPort = await freePort();
		// Accepts the connection and never answers: a hung Redis, or another service on that port.
		silent = createServer((socket) => sockets.push(socket));
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
		silentPort = (silent.address() as { port: number }).port;
		LoggerProxy.init({ warn: (m: string) => warnings.push(m), error: () => undefined, info: () => undefined, debug: () => undefined } as never);
	});
	afterAll(() => {
		for (const socket of sockets) socket.destroy();
		return new Promise((r) => silent.close(r));
	});
	beforeEach(() => void (warnings.length = 0));

	it.each([
		['refused', () => closedPort, 'connection refused'],
		['never answering', () => silentPort, 'no answer within 2.5 s'],
	])('%s: a Conferma call stops within seconds, says why, and requests no token', async (_, p, reason) => {
		const down = conn(p());
		const fetchToken = countingFetcher();
		const client = {
			tokenKey: key,
			fetchToken,
			authorize: bearer,
			send: {},
			secrets: [secret],
			helper: new TokenHelper({ store: new RedisTokenStore(down) }),
			sharedTokenRequired: SHARED_TOKEN_REQUIRED,
		};
		const started = Date.now();
		const error = await callApi(client, { method: 'GET', url: `http://127.0.0.1:${closedPort}/nothing` }).catch((e) => e);
		expect(Date.now() - started).toBeLessThan(6_000);
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect(error.message).toMatch(/^Conferma revokes every other token of the platform when a new one is issued/);
		expect(error.message).toContain(`Redis at 127.0.0.1:${p()} is unreachable (${reason})`);
		expect(error.message).toMatch(/QUEUE_BULL_REDIS_\* settings and that Redis is running\. The node stops here/);
		expect(error.message).not.toContain(secret);
		expect(fetchToken.calls).toBe(0);
		// What the user sees in n8n: the same words (n8n must not swap them for its generic "connection refused").
		const shown = toNodeError({ name: 'Conferma Pay', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, error, { errors: { service: 'Conferma' }, secrets: [secret] });
		expect(shown.message).toBe(error.message);
		expect(warnings).toEqual([]);
	});

	it('where a per-worker token is safe, fetches into memory and warns once', async () => {
		const helper = new TokenHelper({ store: new RedisTokenStore(conn(closedPort)) });
		const fetcher = countingFetcher(1);
		const got = await Promise.all(Array.from({ length: 5 }, () => helper.get(key, fetcher)));
		await helper.get(key, fetcher);
		expect(new Set(got.map((t) => t.accessToken))).toEqual(new Set(['ACCESS-1-zz99']));
		expect(fetcher.calls).toBe(1);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${closedPort} is unreachable \\(connection refused\\): tokens are cached per worker until it is back$`));
	});

	it('the CleverTap limiter falls back to this worker with one warning', async () => {
		const limiter = new FallbackLimiter(new RedisLimiter(conn(closedPort)));
		const first = await limiter.acquire('k', 1);
		const second = limiter.acquire('k', 1); // the memory limiter still limits
		let got = false;
		void second.then(() => (got = true));
		await sleep(50);
		expect(got).toBe(false);
		await first();
		await (await second)();
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`Redis at 127.0.0.1:${closedPort} is unreachable`);
	});

	it('the Conferma node asks for a shared token', () => {
		const conferma = new ConfermaPay(readCredentials({ clientId: 'a', clientSecret: 'b', platformKeyName: 'c' }));
		expect(conferma.client.sharedTokenRequired).toBe(SHARED_TOKEN_REQUIRED);
	});
});

describe('queue mode selection', () => {
	const names = ['EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'QUEUE_BULL_REDIS_PORT'] as const;
	const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
	afterEach(() => {
		for (const n of names) {
			if (saved[n] === undefined) delete process.env[n];
			else process.env[n] = saved[n];
		}
		resetSharedState();
	});

	it("EXECUTIONS_MODE=queue: tokens and CleverTap's limiter go through n8n's queue Redis", async () => {
		Object.assign(process.env, { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) });
		resetSharedState();
		const state = sharedState();
		expect(state.redis?.where).toBe(`Redis at 127.0.0.1:${port}`);
		expect(sharedState()).toBe(state); // decided once
		expect(tokens.store.kind).toBe('redis');
		expect(accountLimiter()).toBe(state.limiter);
		expect(state.limiter.kind).toBe('redis');
		const fetcher = countingFetcher(1);
		await tokens.get(key, fetcher);
		await (await accountLimiter().acquire('k', 1))();
		expect(await admin.keys(`${PREFIX}*`)).toEqual([`${PREFIX}${sha256(key)}`]);
	});

	it('an `n8n worker` process is in queue mode even without EXECUTIONS_MODE (n8n forces it)', () => {
		const env = { QUEUE_BULL_REDIS_PORT: String(port) };
		expect(isQueueMode(env, ['/usr/bin/node', '/usr/local/lib/node_modules/n8n/bin/n8n', 'worker', '--concurrency=5'])).toBe(true);
		expect(isQueueMode(env, ['/usr/bin/node', '/usr/local/lib/node_modules/n8n/bin/n8n', 'start'])).toBe(false);
		expect(isQueueMode(env, ['/usr/bin/node', '/app/my-script.js', 'worker'])).toBe(false);
		expect(isQueueMode({ EXECUTIONS_MODE: 'queue' }, ['/usr/bin/node', '/usr/local/bin/n8n', 'start'])).toBe(true);
		const state = buildSharedState(env, ['/usr/bin/node', '/usr/local/bin/n8n', 'worker']);
		expect(state.redis?.where).toBe(`Redis at localhost:${port}`);
		state.redis?.close();
	});

	it('otherwise memory, and no connection', async () => {
		delete process.env.EXECUTIONS_MODE;
		process.env.QUEUE_BULL_REDIS_PORT = String(port);
		resetSharedState();
		expect(sharedState().redis).toBeUndefined();
		expect(tokens.store.kind).toBe('memory');
		expect(accountLimiter().kind).toBe('memory');
		await tokens.get(`${key}-memory`, countingFetcher(1));
		expect(await admin.keys('*')).toEqual([]);
	});
});
