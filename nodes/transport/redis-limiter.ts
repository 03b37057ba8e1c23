import { randomBytes } from 'crypto';
import { MemoryLimiter, type ConcurrencyLimiter } from './limiter';
import { PREFIX, sha256, type RedisConnection } from './redis';
import { StoreUnavailableError, warnN8n } from './token';

/**
 * The concurrency limiter of queue mode: an account's budget (CleverTap's 3 concurrent reads) shared by every
 * worker through n8n's Redis.
 *
 * Per key a sorted set of leases scored by their expiry, in Redis's own clock (TIME), so workers' clocks never
 * disagree; expired leases (a killed worker's) are dropped before counting. Who finds no free slot joins a queue
 * in Redis and does not poll: a release hands its slot to the first in the queue (the lease is written in the
 * waiter's name) and pushes the waiter's name to its process's grant list, on which that process blocks (BLPOP).
 * A slot then costs 3 round trips under contention (acquire, BLPOP, release) whatever the number of waiters, and
 * slots go first come, first served across workers.
 *
 * A process waiting on a key also re-checks every `recheckMs` (one script for all its waiters on that key): it says
 * it is alive (the queue skips the waiters of a process that stopped saying so: a killed worker's), puts back any
 * of its waiters the queue lost, and hands out slots freed by leases that expired (a killed holder's).
 *
 * All keys of one limit key share a hash tag, so on a cluster every script runs on the one node owning them.
 */
/**
 * Every script's first arguments: limit, lease TTL, TTL of a lease handed to a waiter (until its holder first
 * renews it), how long a waiting process counts as alive after it says so, this process, the grant lists' prefix.
 */
const COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leases, queue, procs = KEYS[1], KEYS[2], KEYS[3]
local limit, ttl, grantTtl, aliveMs, me, grants = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
local function pump()
	redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
	redis.call('ZREMRANGEBYSCORE', procs, '-inf', now)
	while redis.call('ZCARD', leases) < limit do
		local waiter = redis.call('LPOP', queue)
		if not waiter then return end
		local proc = string.match(waiter, '^[^:]+')
		if redis.call('ZSCORE', procs, proc) then
			redis.call('ZADD', leases, now + grantTtl, waiter)
			redis.call('PEXPIRE', leases, math.max(ttl, grantTtl))
			redis.call('RPUSH', grants .. proc, waiter)
			-- The grant outlives the short lease: a worker late to pop it still finds its item's turn.
			redis.call('PEXPIRE', grants .. proc, ttl)
		end
	end
end
local function alive()
	redis.call('ZADD', procs, now + aliveMs, me)
	redis.call('PEXPIRE', procs, math.max(aliveMs, ttl))
end
local function enqueue(waiter)
	redis.call('RPUSH', queue, waiter)
	redis.call('PEXPIRE', queue, math.max(aliveMs, ttl))
end`;

/** ARGV[7]: the waiter. 1: it holds a slot; 0: it is queued (behind anyone queued before, so no one jumps the queue). */
const ACQUIRE = `-- limiter acquire${COMMON}
pump()
if redis.call('ZCARD', leases) < limit then
	redis.call('ZADD', leases, now + ttl, ARGV[7])
	redis.call('PEXPIRE', leases, ttl)
	return 1
end
alive()
enqueue(ARGV[7])
return 0`;

/** ARGV[7]: a holder or a waiter giving up. Frees its slot or its place (a scan of the queue, only then) and hands free slots on. */
const RELEASE = `-- limiter release${COMMON}
if redis.call('ZREM', leases, ARGV[7]) == 0 then redis.call('LREM', queue, 0, ARGV[7]) end
pump()
return 0`;

/**
 * ARGV[7…]: this process's waiters on the key. Only if the queue may have dropped some of them (this process was
 * taken for dead, or the queue expired) are they looked for, and put back at its end.
 */
const RECHECK = `-- limiter recheck${COMMON}
local seen = redis.call('ZSCORE', procs, me)
if not seen or tonumber(seen) <= now or redis.call('EXISTS', queue) == 0 then
	for i = 7, #ARGV do
		if not redis.call('ZSCORE', leases, ARGV[i]) and not redis.call('LPOS', queue, ARGV[i]) then enqueue(ARGV[i]) end
	end
end
alive()
redis.call('PEXPIRE', queue, math.max(aliveMs, ttl))
pump()
return 0`;

/** Push a lease's expiry out, only if it has not expired already (else its slot may have gone to someone else). */
const RENEW = `-- limiter renew
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > now then
	redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	return 1
end
return 0`;

interface Names {
	leases: string;
	queue: string;
	procs: string;
	/** + a process id: that process's grant list */
	grants: string;
}

/** One key's waiters in this process and the connection it blocks on for their grants. */
interface Waiting {
	names: Names;
	limit: number;
	waiters: Map<string, { granted: () => void; failed: (error: unknown) => void }>;
	blocking?: RedisConnection;
	listening: boolean;
}

export class RedisLimiter implements ConcurrencyLimiter {
	readonly kind = 'redis';
	private readonly leaseTtlMs: number;
	private readonly recheckMs: number;
	private readonly aliveMs: number;
	/**
	 * A slot handed to a waiter is leased this long until its holder first renews it (after recheckMs): so a
	 * worker killed while its items waited loses the slots handed to it within seconds, not a whole lease TTL.
	 */
	private readonly grantTtlMs: number;
	/** This process (this limiter) in Redis: its waiters' names start with it, its grant list ends with it. */
	private readonly id = randomBytes(12).toString('hex');
	private readonly waiting = new Map<string, Waiting>();

	constructor(
		readonly redis: RedisConnection,
		/** How soon a dead worker's slot comes back (default 60 s); live holders renew every third of it. */
		options: { leaseTtlMs?: number } = {},
	) {
		this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
		this.recheckMs = Math.min(1_000, this.leaseTtlMs / 3);
		// Long enough for a busy event loop to be late with a re-check or a first renewal without losing anything.
		this.aliveMs = 3 * this.recheckMs + 2_000;
		this.grantTtlMs = Math.min(this.aliveMs, this.leaseTtlMs);
	}

	async acquire(key: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
		if (signal?.aborted) throw signal.reason ?? new Error('aborted');
		const tag = `${PREFIX}limit:{${sha256(key)}}`;
		const names = { leases: tag, queue: `${tag}:queue`, procs: `${tag}:waiting`, grants: `${tag}:grant:` };
		const me = `${this.id}:${randomBytes(8).toString('hex')}`;
		const taken = await this.run(ACQUIRE, names, limit, [me]);
		const queued = taken !== 1;
		if (queued) await this.wait(key, names, limit, me, signal);

		let released = false;
		let renew: NodeJS.Timeout | undefined;
		const renewIn = (ms: number) => {
			renew = setTimeout(() => {
				const again = () => released || renewIn(this.leaseTtlMs / 3);
				this.redis.script(RENEW, names.leases, [me, this.leaseTtlMs]).then(
					(kept) => kept === 1 && again(),
					again, // Redis away for a moment: try again next time; the lease expires if it stays away
				);
			}, ms);
		};
		// A lease handed over from the queue is short (grantTtlMs): its first renewal comes sooner.
		renewIn(queued ? this.recheckMs : this.leaseTtlMs / 3);
		return async () => {
			if (released) return;
			released = true;
			clearTimeout(renew);
			// If this fails the lease expires by itself.
			await this.run(RELEASE, names, limit, [me]).catch(() => undefined);
		};
	}

	private run(lua: string, names: Names, limit: number, rest: string[]) {
		return this.redis.script(lua, [names.leases, names.queue, names.procs], [limit, this.leaseTtlMs, this.grantTtlMs, this.aliveMs, this.id, names.grants, ...rest]);
	}

	/** Until the slot is handed to `me`; on abort, leave the queue (or hand on a slot granted meanwhile). */
	private wait(key: string, names: Names, limit: number, me: string, signal?: AbortSignal) {
		let state = this.waiting.get(key);
		if (!state) this.waiting.set(key, (state = { names, limit, waiters: new Map(), listening: false }));
		const waiting = state;
		return new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				waiting.waiters.delete(me);
				reject(signal?.reason ?? new Error('aborted'));
				// If Redis is away, the place lapses with this process's re-checks.
				void this.run(RELEASE, names, limit, [me]).catch(() => undefined);
			};
			if (signal?.aborted) return onAbort();
			signal?.addEventListener('abort', onAbort, { once: true });
			const done = () => signal?.removeEventListener('abort', onAbort);
			waiting.waiters.set(me, {
				granted: () => (done(), resolve()),
				failed: (error) => (done(), reject(error)),
			});
			if (!waiting.listening) void this.listen(waiting);
		});
	}

	/**
	 * While this process has waiters on a key: block for grants on its own connection (a blocked connection serves
	 * nothing else), and re-check every recheckMs. A Redis failure fails every waiter with it (the fallback limiter
	 * then counts per worker), as a failed acquire does.
	 */
	private async listen(state: Waiting) {
		state.listening = true;
		const { names, limit } = state;
		let checked = Date.now();
		try {
			state.blocking ??= this.redis.duplicate();
			const blocking = state.blocking;
			while (state.waiters.size) {
				const popped = await blocking.run((r) => r.blpop(names.grants + this.id, this.recheckMs / 1000));
				if (popped) {
					const waiter = state.waiters.get(popped[1]);
					state.waiters.delete(popped[1]);
					if (waiter) waiter.granted();
					// Handed to a waiter that gave up meanwhile: hand it on.
					else await this.run(RELEASE, names, limit, [popped[1]]);
				}
				if (state.waiters.size && (!popped || Date.now() - checked >= this.recheckMs)) {
					checked = Date.now();
					await this.run(RECHECK, names, limit, [...state.waiters.keys()]);
				}
			}
		} catch (error) {
			for (const waiter of state.waiters.values()) waiter.failed(error);
			state.waiters.clear();
		} finally {
			state.listening = false;
		}
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
