import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'crypto';
import Redis from 'ioredis';
import { LoggerProxy } from 'n8n-workflow';
import { MemoryLimiter, type ConcurrencyLimiter } from './limiter';
import { sealingKey } from './sealing';
import type { CachedToken, TokenStore } from './token';

/**
 * What n8n's queue mode needs from this package (issue 9): one token per credential and one concurrency budget
 * per account across every worker, kept in the Redis that n8n's queue already uses.
 *
 * Nothing identifying is stored in clear: key names are sha256 hashes under PREFIX, token values are sealed with
 * AES-256-GCM under a key derived from the credential's own secret (sealing.ts).
 */

export const PREFIX = 'n8n-nodes-fintech-identity:';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Redis could not be used (refused, timed out, closed, refused our password). Callers decide whether to fall back. */
export class StoreUnavailableError extends Error {
	constructor(
		/** "Redis at host:port" */
		readonly where: string,
		readonly reason: string,
		message = `${where} is unreachable (${reason})`,
	) {
		super(message);
		this.name = 'StoreUnavailableError';
	}
}

/** The fetch lock stayed taken for the whole wait: not an outage, so no fallback. */
export class LockTimeoutError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LockTimeoutError';
	}
}

export interface RedisSettings {
	host: string;
	port: number;
	db?: number;
	username?: string;
	password?: string;
	tls?: boolean;
}

/** n8n's own settings for its queue's Redis, with n8n's defaults. */
export function redisSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RedisSettings {
	return {
		host: env.QUEUE_BULL_REDIS_HOST || 'localhost',
		port: Number(env.QUEUE_BULL_REDIS_PORT) || 6379,
		db: Number(env.QUEUE_BULL_REDIS_DB) || 0,
		username: env.QUEUE_BULL_REDIS_USERNAME || undefined,
		password: env.QUEUE_BULL_REDIS_PASSWORD || undefined,
		tls: env.QUEUE_BULL_REDIS_TLS === 'true',
	};
}

const CONNECT_WAIT_MS = 2_500;

/**
 * One ioredis client that fails fast: no offline queue (a command while disconnected fails at once instead of
 * waiting for a reconnect), 2 s to connect, 3 s per command. A node then learns within seconds that Redis is
 * gone, and ioredis keeps reconnecting in the background so the next call uses Redis again once it is back.
 */

export class RedisConnection {
	readonly client: Redis;
	/** "Redis at host:port": what messages name. Never the password. */
	readonly where: string;
	private lastError?: Error;
	private firstConnect?: Promise<void>;

	constructor(settings: RedisSettings) {
		this.where = `Redis at ${settings.host}:${settings.port}`;
		this.client = new Redis({
			host: settings.host,
			port: settings.port,
			db: settings.db ?? 0,
			username: settings.username,
			password: settings.password,
			tls: settings.tls ? {} : undefined,
			lazyConnect: true,
			enableOfflineQueue: false,
			connectTimeout: 2_000,
			commandTimeout: 3_000,
			maxRetriesPerRequest: 1,
			retryStrategy: (times) => Math.min(200 * times, 2_000),
		});
		// Without a listener ioredis prints every reconnect failure; we keep the last one as the reason to report.
		this.client.on('error', (error: Error) => (this.lastError = error));
		this.client.on('ready', () => (this.lastError = undefined));
	}

	/**
	 * Connect once (lazily), waiting at most CONNECT_WAIT_MS even for a peer that accepts and never answers;
	 * afterwards ioredis reconnects by itself and we only look at its status, so no later call waits.
	 */
	private async ready() {
		const ready = () => this.client.status === 'ready';
		if (ready()) return;
		this.firstConnect ??= new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, CONNECT_WAIT_MS);
			this.client
				.connect()
				.catch(() => undefined) // the reason arrives through the 'error' event
				.finally(() => {
					clearTimeout(timer);
					resolve();
				});
		});
		await this.firstConnect;
		if (!ready()) {
			const status = this.client.status;
			throw this.lastError ?? new Error(status === 'connect' || status === 'connecting' ? `no answer within ${CONNECT_WAIT_MS / 1000} s` : `connection ${status}`);
		}
	}

	/** Run Redis commands; any failure becomes a StoreUnavailableError naming host:port and the reason. */
	async run<T>(commands: (redis: Redis) => Promise<T>): Promise<T> {
		try {
			await this.ready();
			return await commands(this.client);
		} catch (error) {
			throw new StoreUnavailableError(this.where, inWords(error));
		}
	}

	/** A Lua script with its keys and arguments. */
	script(lua: string, keys: string[], args: Array<string | number>) {
		return this.run((redis) => redis.eval(lua, keys.length, ...keys, ...args));
	}

	close() {
		this.client.disconnect();
	}
}

/**
 * The reason in words, without the error code: n8n replaces the whole message of a node error that mentions
 * ECONNREFUSED & co. with its generic "The service refused the connection", which would hide that it is Redis.
 */
const WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ETIMEDOUT: 'connection timed out',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ECONNABORTED: 'connection aborted',
	EADDRNOTAVAIL: 'address not available',
};
export function inWords(error: unknown): string {
	const code = (error as NodeJS.ErrnoException)?.code;
	if (code && WORDS[code]) return WORDS[code];
	return String((error as Error)?.message ?? error).replace(/\b(E[A-Z]{4,}|GETADDRINFO)\b/g, (c) => WORDS[c] ?? c.toLowerCase());
}

/** Wait `ms`, or reject with the signal's reason as soon as it aborts. */
function pause(ms: number, signal?: AbortSignal) {
	return new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason ?? new Error('aborted'));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		if (signal?.aborted) return onAbort();
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

const jitter = (min: number, max: number) => min + Math.random() * (max - min);

// --- token store -----------------------------------------------------------------------------------------------

/** Release a lock only if it is still ours (it may have expired and been taken by someone else meanwhile). */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extend a lock only if it is still ours. */
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/**
 * Compare-and-delete after a 401. Lua cannot decrypt, so every value starts with a 64-hex fingerprint of its
 * access token (an HMAC under the sealing key) and the fingerprints are compared.
 */
const DELETE_IF = `local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, 64) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface RedisTokenStoreOptions {
	/**
	 * How long a lock outlives a holder that died (default 10 s). A live holder extends it while its token request
	 * runs, so the request may take longer; without that renewal (Redis briefly gone) it should exceed the token
	 * request's own timeout, hence an option.
	 */
	lockTtlMs?: number;
	/** How long to wait for another worker's token request before giving up (default 30 s). */
	lockWaitMs?: number;
	now?: () => number;
}

export class RedisTokenStore implements TokenStore {
	readonly kind = 'redis';
	private readonly lockTtlMs: number;
	private readonly lockWaitMs: number;
	private readonly now: () => number;

	constructor(
		readonly redis: RedisConnection,
		options: RedisTokenStoreOptions = {},
	) {
		this.lockTtlMs = options.lockTtlMs ?? 10_000;
		this.lockWaitMs = options.lockWaitMs ?? 30_000;
		this.now = options.now ?? Date.now;
	}

	/** Hashed again: whatever the caller's key looks like, Redis sees only a hash. */
	private name(key: string) {
		return `${PREFIX}${sha256(key)}`;
	}

	async get(key: string): Promise<CachedToken | undefined> {
		const name = this.name(key);
		const value = await this.redis.run((r) => r.get(name));
		if (!value) return undefined;
		// Another secret, a value moved from another key, tampering: all read as "no token", so one is fetched.
		const plain = unseal(sealingKey(key), name, value.slice(65));
		if (plain === undefined) return undefined;
		try {
			const token = JSON.parse(plain) as CachedToken;
			return typeof token.accessToken === 'string' && typeof token.expiresAt === 'number' ? token : undefined;
		} catch {
			return undefined;
		}
	}

	async set(key: string, token: CachedToken): Promise<void> {
		const ttl = Math.floor(token.expiresAt - this.now());
		if (ttl <= 0) return; // already expired: nothing worth sharing
		const name = this.name(key);
		const sk = sealingKey(key);
		const value = `${fingerprint(sk, token.accessToken)}.${seal(sk, name, JSON.stringify(token))}`;
		// PX: Redis drops the token when it expires, so a stale one never lingers.
		await this.redis.run((r) => r.set(name, value, 'PX', ttl));
	}

	async deleteIf(key: string, accessToken: string): Promise<boolean> {
		return (await this.redis.script(DELETE_IF, [this.name(key)], [fingerprint(sealingKey(key), accessToken)])) === 1;
	}

	async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
		const lock = `${PREFIX}lock:${sha256(key)}`;
		const id = randomBytes(16).toString('hex');
		const deadline = this.now() + this.lockWaitMs;
		// SET NX PX: taken by one worker at a time, and gone by itself if that worker dies. Waiters retry after
		// short random pauses (10 ms doubling to 100 ms) so they do not all ask at the same instant.
		let delay = 10;
		while ((await this.redis.run((r) => r.set(lock, id, 'PX', this.lockTtlMs, 'NX'))) !== 'OK') {
			if (this.now() >= deadline) {
				throw new LockTimeoutError(
					`Waited ${this.lockWaitMs / 1000} s for another n8n worker to finish requesting a token for this credential (lock in ${this.redis.where}); try again, and check the token endpoint answers`,
				);
			}
			await pause(jitter(delay / 2, delay));
			delay = Math.min(100, delay * 2);
		}
		// Keep the lock while the token request runs; renewed well within the TTL so one slow round trip is harmless.
		const renew = setInterval(() => void this.redis.script(EXTEND, [lock], [id, this.lockTtlMs]).catch(() => undefined), this.lockTtlMs / 3);
		try {
			return await fn();
		} finally {
			clearInterval(renew);
			// If this fails the lock expires by itself.
			await this.redis.script(UNLOCK, [lock], [id]).catch(() => undefined);
		}
	}
}

function fingerprint(key: Buffer, accessToken: string) {
	return createHmac('sha256', key).update(accessToken).digest('hex');
}

/** AES-256-GCM: base64 of 12-byte IV, 16-byte tag, ciphertext. The Redis key name is bound in as associated data. */
function seal(key: Buffer, aad: string, plain: string) {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(Buffer.from(aad));
	const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function unseal(key: Buffer, aad: string, sealed: string): string | undefined {
	try {
		const raw = Buffer.from(sealed, 'base64');
		const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
		decipher.setAAD(Buffer.from(aad));
		decipher.setAuthTag(raw.subarray(12, 28));
		return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

// --- concurrency limiter ---------------------------------------------------------------------------------------

/**
 * Per key a sorted set of leases scored by their expiry, in Redis's own clock (TIME), so workers' clocks never
 * disagree. Expired leases (a killed worker's) are dropped before counting.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
	redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	return 1
end
return 0`;
/** Push a lease's expiry out, only if it has not expired already (else its slot may have gone to someone else). */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > now then
	redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	return 1
end
return 0`;

export class RedisLimiter implements ConcurrencyLimiter {
	readonly kind = 'redis';
	private readonly leaseTtlMs: number;

	constructor(
		readonly redis: RedisConnection,
		/** How soon a dead worker's slot comes back (default 60 s); live holders renew every third of it. */
		options: { leaseTtlMs?: number } = {},
	) {
		this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
	}

	async acquire(key: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
		const set = `${PREFIX}limit:${sha256(key)}`;
		const lease = randomBytes(12).toString('hex');
		// Poll with short random waits: a slot is usually held for one HTTP request, tens of milliseconds.
		for (;;) {
			if (signal?.aborted) throw signal.reason ?? new Error('aborted');
			if ((await this.redis.script(ACQUIRE, [set], [limit, lease, this.leaseTtlMs])) === 1) break;
			await pause(jitter(5, 25), signal);
		}
		const renew = setInterval(() => {
			this.redis.script(RENEW, [set], [lease, this.leaseTtlMs]).then(
				(kept) => kept === 1 || clearInterval(renew),
				() => undefined, // Redis away for a moment: try again next time; the lease expires if it stays away
			);
		}, this.leaseTtlMs / 3);
		let released = false;
		return async () => {
			if (released) return;
			released = true;
			clearInterval(renew);
			// If this fails the lease expires by itself.
			await this.redis.run((r) => r.zrem(set, lease)).catch(() => undefined);
		};
	}
}

/** n8n's logger; read at call time, since n8n sets it up after loading the nodes. */
export const warnN8n = (message: string) => LoggerProxy.warn(message);

/**
 * The Redis limiter, or this process's own when Redis is unreachable: safe for CleverTap, whose 429 the transport
 * retries, and better than stopping every CleverTap node with the queue's Redis.
 */
export class FallbackLimiter implements ConcurrencyLimiter {
	readonly kind = 'redis';
	private warned = false;

	constructor(
		readonly shared: RedisLimiter,
		private readonly warn: (message: string) => void = warnN8n,
		private readonly local: ConcurrencyLimiter = new MemoryLimiter(),
	) {}

	async acquire(key: string, limit: number, signal?: AbortSignal) {
		try {
			const release = await this.shared.acquire(key, limit, signal);
			this.warned = false;
			return release;
		} catch (error) {
			if (!(error instanceof StoreUnavailableError)) throw error;
			if (!this.warned) {
				this.warned = true;
				this.warn(`${error.message}: concurrency limits (CleverTap's per-account limit) are counted per worker until it is back`);
			}
			return this.local.acquire(key, limit, signal);
		}
	}
}

// --- the process's choice ---------------------------------------------------------------------------------------

export interface SharedState {
	/** undefined: in-memory, per process */
	redis?: RedisConnection;
	tokenStore?: RedisTokenStore;
	limiter: ConcurrencyLimiter;
}

/**
 * Queue mode: EXECUTIONS_MODE=queue (n8n's documented setting, on main and workers), or an `n8n worker` process,
 * which n8n puts in queue mode even without that variable.
 */
export function isQueueMode(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv) {
	return env.EXECUTIONS_MODE === 'queue' || (/(^|[/\\])n8n(\.js|\.cmd)?$/.test(argv[1] ?? '') && argv[2] === 'worker');
}

/** Redis when n8n runs in queue mode (several worker processes), this process's memory otherwise. */
export function buildSharedState(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): SharedState {
	if (!isQueueMode(env, argv)) return { limiter: new MemoryLimiter() };
	const redis = new RedisConnection(redisSettingsFromEnv(env));
	return { redis, tokenStore: new RedisTokenStore(redis), limiter: new FallbackLimiter(new RedisLimiter(redis)) };
}

let state: SharedState | undefined;

/** Decided once per process, on first use (no connection is made before a node needs one). */
export function sharedState(): SharedState {
	state ??= buildSharedState();
	return state;
}

/** For tests: close the connection and decide again on next use. */
export function resetSharedState() {
	state?.redis?.close();
	state = undefined;
}
