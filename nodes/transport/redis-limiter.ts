import { randomBytes } from 'crypto';
import { MemoryLimiter, type ConcurrencyLimiter } from './limiter';
import { jitter, pause, PREFIX, sha256, type RedisConnection } from './redis';
import { StoreUnavailableError, warnN8n } from './token';

/**
 * The concurrency limiter of queue mode: an account's budget (CleverTap's 3 concurrent reads) shared by every
 * worker through n8n's Redis.
 *
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
			if ((await this.redis.script(ACQUIRE, set, [limit, lease, this.leaseTtlMs])) === 1) break;
			await pause(jitter(5, 25), signal);
		}
		const renew = setInterval(() => {
			this.redis.script(RENEW, set, [lease, this.leaseTtlMs]).then(
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

