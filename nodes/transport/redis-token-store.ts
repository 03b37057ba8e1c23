import { randomBytes } from 'crypto';
import { jitter, pause, PREFIX, sha256, type RedisConnection } from './redis';
import { fingerprint, rememberSealingKey, seal, sealingKey, unseal } from './sealing';
import { LockTimeoutError, tokenKeyObservers, type CachedToken, type TokenStore } from './token';

/**
 * The token store of queue mode: one token per credential in n8n's Redis, shared by every worker. The fetch lock
 * is SET NX PX (one worker at a time, gone by itself if that worker dies), renewed while its token request runs;
 * a 401 replaces the token by compare-and-delete, so the many 401s of one revocation cause one new token across
 * all workers. Values are sealed (sealing.ts): whoever reads Redis without the credential learns nothing.
 */

/** The fetch lock stayed taken for the whole wait: not an outage, so no fallback. */
export { LockTimeoutError };

// Every token key this process makes gets its sealing key, derived from the credential's own secret.
tokenKeyObservers.push(rememberSealingKey);

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
		// First: a key with no credential-derived sealing key is refused before Redis is asked anything.
		const sk = sealingKey(key);
		const name = this.name(key);
		const value = await this.redis.run((r) => r.get(name));
		if (!value) return undefined;
		// Another secret, a value moved from another key, tampering: all read as "no token", so one is fetched.
		const plain = unseal(sk, name, value.slice(65));
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
		return (await this.redis.script(DELETE_IF, this.name(key), [fingerprint(sealingKey(key), accessToken)])) === 1;
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
		const renew = setInterval(() => void this.redis.script(EXTEND, lock, [id, this.lockTtlMs]).catch(() => undefined), this.lockTtlMs / 3);
		try {
			return await fn();
		} finally {
			clearInterval(renew);
			// If this fails the lock expires by itself.
			await this.redis.script(UNLOCK, lock, [id]).catch(() => undefined);
		}
	}
}
