import { createHash } from 'crypto';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { describeRedis, type RedisSettings } from './redis-settings';
import { StoreUnavailableError } from './token';

/**
 * The connection to the Redis that n8n's queue already uses (a server or a cluster; see redis-settings.ts), for
 * what queue mode needs from this package: one token per credential and one concurrency budget per account across
 * every worker (redis-token-store.ts, redis-limiter.ts).
 *
 * Nothing identifying is stored in clear: key names are sha256 hashes under PREFIX. Every command and script
 * touches exactly one key, so on a cluster each runs on the one node that owns that key's slot.
 */

export const PREFIX = 'n8n-nodes-fintech-identity:';
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const CONNECT_WAIT_MS = 2_500;

/**
 * One ioredis client (or cluster client) that fails fast: no offline queue (a command while disconnected fails at
 * once instead of waiting for a reconnect), 2 s to connect, 3 s per command. A node then learns within seconds
 * that Redis is gone, and ioredis keeps reconnecting in the background so the next call uses Redis again once it
 * is back. n8n's own client waits instead (and exits the process after its timeout threshold); a node must not.
 */
export class RedisConnection {
	readonly client: Redis | Cluster;
	/** "Redis at host:port", "Redis cluster at a:1,b:2", "… (TLS)": what messages name. Never the password. */
	readonly where: string;
	private lastError?: Error;
	private firstConnect?: Promise<void>;
	private readonly copies: RedisConnection[] = [];

	constructor(protected readonly settings: RedisSettings) {
		this.where = describeRedis(settings);
		const retry = (times: number) => Math.min(200 * times, 2_000);
		const options: RedisOptions = {
			db: settings.db ?? 0,
			username: settings.username,
			password: settings.password,
			tls: settings.tls,
			family: settings.family ?? 4,
			connectTimeout: 2_000,
			commandTimeout: 3_000,
			maxRetriesPerRequest: 1,
		};
		this.client = settings.clusterNodes
			? new Cluster(settings.clusterNodes, {
					redisOptions: options,
					lazyConnect: true,
					enableOfflineQueue: false,
					clusterRetryStrategy: retry,
					slotsRefreshTimeout: settings.slotsRefreshTimeout,
					slotsRefreshInterval: settings.slotsRefreshInterval,
					// NONE hands host names to TLS as they are, so a certificate issued for the name matches.
					...(settings.dnsLookup === 'NONE' ? { dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address) } : {}),
				})
			: new Redis({ ...options, host: settings.host, port: settings.port, lazyConnect: true, enableOfflineQueue: false, retryStrategy: retry });
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

	/** Run Redis commands; any failure becomes a StoreUnavailableError naming where Redis is and the reason. */
	async run<T>(commands: (redis: Redis | Cluster) => Promise<T>): Promise<T> {
		try {
			await this.ready();
			return await commands(this.client);
		} catch (error) {
			throw new StoreUnavailableError(this.where, inWords(error));
		}
	}

	/** A Lua script with its key (or keys, all in one cluster slot) and arguments. */
	script(lua: string, key: string | string[], args: Array<string | number>) {
		const keys = typeof key === 'string' ? [key] : key;
		return this.run((redis) => redis.eval(lua, keys.length, ...keys, ...args));
	}

	/** Another connection to the same Redis, for a command that blocks its connection (BLPOP); closed with this one. */
	duplicate(): RedisConnection {
		const copy = this.another();
		this.copies.push(copy);
		return copy;
	}

	protected another() {
		return new RedisConnection(this.settings);
	}

	close() {
		this.client.disconnect();
		for (const copy of this.copies) copy.close();
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
	// A cluster whose slot map no start-up node gave (ioredis reports the last node's failure, without its code).
	const lastNode = (error as { lastNodeError?: Error })?.lastNodeError;
	if (lastNode) return `none of its start-up nodes answered: ${inWords(lastNode).replace(/\.$/, '').toLowerCase()}`;
	const code = (error as NodeJS.ErrnoException)?.code;
	if (code && WORDS[code]) return WORDS[code];
	return String((error as Error)?.message ?? error).replace(/\b(E[A-Z]{4,}|GETADDRINFO)\b/g, (c) => WORDS[c] ?? c.toLowerCase());
}

/** Wait `ms`, or reject with the signal's reason as soon as it aborts. */
export function pause(ms: number, signal?: AbortSignal) {
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

export const jitter = (min: number, max: number) => min + Math.random() * (max - min);
