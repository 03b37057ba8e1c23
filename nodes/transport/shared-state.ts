import { MemoryLimiter, type ConcurrencyLimiter } from './limiter';
import { RedisConnection } from './redis';
import { FallbackLimiter, RedisLimiter } from './redis-limiter';
import { isQueueMode, redisSettingsFromEnv } from './redis-settings';
import { RedisTokenStore } from './redis-token-store';
import { MemoryTokenStore, TokenHelper, type TokenStore } from './token';

/**
 * The one place a process decides where tokens and account limits live: this process's memory, or, when n8n runs
 * in queue mode (several worker processes), n8n's own Redis so that every worker shares them. Everything else
 * sees only the TokenStore and ConcurrencyLimiter interfaces.
 */

export interface SharedState {
	/** undefined: in-memory, per process */
	redis?: RedisConnection;
	tokenStore: TokenStore;
	limiter: ConcurrencyLimiter;
}

/** Redis when n8n runs in queue mode, this process's memory otherwise. Makes no connection (that waits for first use). */
export function buildSharedState(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): SharedState {
	if (!isQueueMode(env, argv)) return { tokenStore: new MemoryTokenStore(), limiter: new MemoryLimiter() };
	const redis = new RedisConnection(redisSettingsFromEnv(env));
	return { redis, tokenStore: new RedisTokenStore(redis), limiter: new FallbackLimiter(new RedisLimiter(redis)) };
}

let state: SharedState | undefined;

/** Decided once per process, on first use (n8n has set its environment by then; no connection is made before a node needs one). */
export function sharedState(): SharedState {
	state ??= buildSharedState();
	return state;
}

/** For tests: close the connection and decide again on next use. */
export function resetSharedState() {
	state?.redis?.close();
	state = undefined;
}

/** The token helper every node uses: tokens shared across items and executions, and in queue mode across workers. */
export const tokens = new TokenHelper({ store: () => sharedState().tokenStore });
