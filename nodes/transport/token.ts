import { createHash } from 'crypto';
import { LoggerProxy } from 'n8n-workflow';

/**
 * One OAuth-style token cache for every credential in the package.
 *
 * Rules (design.md): expiry from `expires_in` / `expires` / JWT `exp`; refresh a margin before expiry;
 * single flight; on 401 drop the token only if it is still the cached one (compare-and-swap) and fetch once;
 * never fetch while a valid token is cached (Conferma revokes every other token of the platform when a new one
 * is issued). The store is an interface so that n8n's queue mode can share one token between workers; which store
 * a process uses is decided in shared-state.ts, not here.
 */

export interface CachedToken {
	accessToken: string;
	/** epoch milliseconds */
	expiresAt: number;
	/** epoch milliseconds; with expiresAt gives the lifetime the refresh margin is taken from */
	issuedAt?: number;
}

export interface TokenStore {
	/** `kind` names the store in messages ("memory", "redis"). */
	readonly kind: string;
	get(key: string): Promise<CachedToken | undefined>;
	set(key: string, token: CachedToken): Promise<void>;
	/** Delete the cached token only if it is still `accessToken`. Returns whether it was deleted. */
	deleteIf(key: string, accessToken: string): Promise<boolean>;
	/**
	 * Run `fn` while holding the fetch lock for `key` (across processes for a shared store). A lock must expire
	 * by itself so that a crashed holder cannot block the others for ever.
	 */
	withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** A shared store could not be used (refused, timed out, closed, refused our password). Callers decide whether to fall back. */
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

/** A shared store's fetch lock was not had in time (another worker holds it, or the store is slow). */
export class LockTimeoutError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LockTimeoutError';
	}
}

/** n8n's logger; read at call time, since n8n sets it up after loading the nodes. */
export const warnN8n = (message: string) => LoggerProxy.warn(message);

export class MemoryTokenStore implements TokenStore {
	readonly kind = 'memory';
	private readonly tokens = new Map<string, CachedToken>();
	private readonly locks = new Map<string, Promise<unknown>>();

	async get(key: string) {
		return this.tokens.get(key);
	}
	/** The cached token now, without a promise: the per-request path of a process-local store. */
	peek(key: string) {
		return this.tokens.get(key);
	}
	async set(key: string, token: CachedToken) {
		this.tokens.set(key, token);
	}
	async deleteIf(key: string, accessToken: string) {
		if (this.tokens.get(key)?.accessToken !== accessToken) return false;
		this.tokens.delete(key);
		return true;
	}
	async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
		const previous = this.locks.get(key) ?? Promise.resolve();
		const run = previous.then(fn, fn);
		const tail = run.catch(() => undefined);
		this.locks.set(key, tail);
		try {
			return await run;
		} finally {
			if (this.locks.get(key) === tail) this.locks.delete(key);
		}
	}
	clear() {
		this.tokens.clear();
	}
}

export interface TokenResponseBody {
	access_token?: unknown;
	expires_in?: unknown;
	expires?: unknown;
	[key: string]: unknown;
}

/** When the vendor says nothing about the lifetime: short enough that a silent expiry costs little. */
export const DEFAULT_LIFETIME_MS = 5 * 60_000;
const MAX_MARGIN_MS = 60_000;

function jwtExp(token: string): number | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
	} catch {
		return undefined;
	}
}

/** Turn a token endpoint's answer into a cached token, whatever way the vendor states the lifetime. */
export function parseTokenResponse(body: TokenResponseBody, now: number): CachedToken {
	const accessToken = body.access_token;
	if (typeof accessToken !== 'string' || accessToken === '') {
		throw new Error('the token endpoint answered without an access_token');
	}
	let expiresAt: number | undefined;
	const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
	if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
		expiresAt = now + expiresIn * 1000;
	} else if (typeof body.expires === 'string' && !Number.isNaN(Date.parse(body.expires))) {
		// With `issued` beside it (Conferma), take the lifetime and start it now: a server clock ahead of ours would
		// otherwise make us use a token past its real expiry, and one behind would make us refresh (and revoke) early.
		const issued = typeof body.issued === 'string' ? Date.parse(body.issued) : NaN;
		const lifetime = Date.parse(body.expires) - issued;
		expiresAt = Number.isFinite(lifetime) && lifetime > 0 ? now + lifetime : Date.parse(body.expires);
	} else {
		expiresAt = jwtExp(accessToken);
	}
	return { accessToken, expiresAt: expiresAt ?? now + DEFAULT_LIFETIME_MS, issuedAt: now };
}

/**
 * Told of every cache key with the secret it was made from: a shared store registers here to derive the key that
 * seals that token (sealing.ts), so that no edition without one carries the sealing code.
 */
export const tokenKeyObservers: Array<(key: string, secret: string) => void> = [];

/**
 * Cache key: never the secret itself, only a hash of everything that identifies the token. Also tells the
 * observers (a shared store seals the token under a key derived from the secret).
 */
export function tokenCacheKey(parts: { tokenUrl: string; clientId: string; scope?: string; secret: string }) {
	const h = createHash('sha256')
		.update([parts.tokenUrl, parts.clientId, parts.scope ?? '', parts.secret].join('\u0000'))
		.digest('hex');
	const key = `token:${h}`;
	for (const observe of tokenKeyObservers) observe(key, parts.secret);
	return key;
}

export interface TokenHelperOptions {
	/** A store, or where to find it on first use (the process-wide choice between Redis and memory). */
	store?: TokenStore | (() => TokenStore);
	/**
	 * How many times a call refused with 401 is run again with the current token (1 by default). More only where
	 * the token is not shared between processes and a vendor revokes a token when it issues another (Conferma):
	 * there a replay's new token can be revoked by another worker's before it is used. A 401 means the call did
	 * nothing, so running it again does not do it twice.
	 */
	replays?: number;
	/**
	 * Awaited before the second and later replays (`replay` counts from 1). Two processes that revoke each other's
	 * new tokens (no shared store) must not answer at once, or each new token revokes the other's for as long as both
	 * have calls in flight: a random wait lets one finish its calls with its token before the other takes the next.
	 */
	beforeReplay?: (replay: number) => Promise<void>;
	now?: () => number;
	warn?: (message: string) => void;
}

export interface TokenOptions {
	/**
	 * Set when a token of this process's own would do harm (Conferma: a new token revokes the others): then an
	 * unreachable shared store stops the call instead of falling back to memory. The text says why, to the user.
	 */
	sharedTokenRequired?: string;
}

export type TokenFetcher = () => Promise<CachedToken>;

export class TokenHelper {
	private chosen?: TokenStore;
	private readonly choose?: () => TokenStore;
	/** Where tokens go while the shared store is unreachable (if the caller allows it). */
	private readonly local = new MemoryTokenStore();
	private readonly now: () => number;
	private readonly replays: number;
	private readonly beforeReplay?: (replay: number) => Promise<void>;
	private readonly warn: (message: string) => void;
	private warned = false;
	private readonly inflight = new Map<string, Promise<CachedToken>>();
	/**
	 * With a shared store (Redis): the token this process last had from it, per key, used until it needs refreshing
	 * or is refused. A call then costs Redis nothing: at the refresh margin, which every worker reads from the same
	 * expiry, each asks the store again and finds the one token the first of them took; a token replaced early (a 401
	 * elsewhere) costs each other worker one 401 and a replay with the stored token, never a token of its own.
	 */
	private readonly near = new Map<string, CachedToken>();
	/** Token requests made by this process, per key: tests and benchmarks read it. */
	readonly fetchCount = new Map<string, number>();

	constructor(options: TokenHelperOptions = {}) {
		if (typeof options.store === 'function') this.choose = options.store;
		else this.chosen = options.store ?? new MemoryTokenStore();
		this.now = options.now ?? Date.now;
		this.replays = options.replays ?? 1;
		this.beforeReplay = options.beforeReplay;
		this.warn = options.warn ?? warnN8n;
	}

	get store(): TokenStore {
		return this.chosen ?? this.choose?.() ?? (this.chosen = new MemoryTokenStore());
	}
	set store(store: TokenStore) {
		this.chosen = store;
		this.near.clear();
	}

	/** Refresh a margin before expiry: 10% of the lifetime left, at most a minute. */
	isFresh(token: CachedToken) {
		const lifetime = token.expiresAt - (token.issuedAt ?? token.expiresAt - DEFAULT_LIFETIME_MS);
		const margin = Math.min(MAX_MARGIN_MS, Math.max(0, lifetime) * 0.1);
		return token.expiresAt - this.now() > margin;
	}

	/** A valid token for `key`, fetching one only if none is cached; concurrent callers share one fetch. */
	get(key: string, fetcher: TokenFetcher, options: TokenOptions = {}): Promise<CachedToken> {
		return this.sharedOrLocal(options, (store) => this.getFrom(store, key, fetcher));
	}

	private async getFrom(store: TokenStore, key: string, fetcher: TokenFetcher): Promise<CachedToken> {
		const cached = await store.get(key);
		if (cached && this.isFresh(cached)) return cached;
		// One lock round per process, not per item: this process's callers join one flight.
		const flightKey = store === this.local ? `local\u0000${key}` : key;
		let flight = this.inflight.get(flightKey);
		if (!flight) {
			flight = store
				.withLock(key, async () => {
					// Another process (or an earlier flight) may have stored one while we waited for the lock.
					const again = await store.get(key);
					if (again && this.isFresh(again)) return again;
					this.fetchCount.set(key, (this.fetchCount.get(key) ?? 0) + 1);
					const token = await fetcher();
					await store.set(key, token);
					return token;
				})
				.finally(() => this.inflight.delete(flightKey));
			this.inflight.set(flightKey, flight);
		}
		return flight;
	}

	/**
	 * After a 401 with `rejected`: forget it only if it is still the cached token (otherwise someone already
	 * replaced it and the replacement is the one to use), then get the current one.
	 */
	replace(key: string, rejected: string, fetcher: TokenFetcher, options: TokenOptions = {}): Promise<CachedToken> {
		return this.sharedOrLocal(options, async (store) => {
			await store.deleteIf(key, rejected);
			return this.getFrom(store, key, fetcher);
		});
	}

	/**
	 * Run `op` on the store; if that is a shared store and it is unreachable, either stop with a message that says
	 * why the token must be shared, or (where a per-process token is harmless) run it on memory and warn once.
	 */
	private async sharedOrLocal<T>(options: TokenOptions, op: (store: TokenStore) => Promise<T>): Promise<T> {
		const outcome = await op(this.store).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if (!('error' in outcome)) {
			this.warned = false;
			return outcome.value;
		}
		const { error } = outcome;
		if (!(error instanceof StoreUnavailableError)) throw error;
		if (options.sharedTokenRequired) {
			throw new StoreUnavailableError(
				error.where,
				error.reason,
				`${options.sharedTokenRequired} ${error.message}. Check this worker's QUEUE_BULL_REDIS_* settings and that Redis is running. The node stops here rather than take a token of its own.`,
			);
		}
		if (!this.warned) {
			this.warned = true;
			this.warn(`${error.message}: tokens are cached per worker until it is back`);
		}
		return op(this.local);
	}

	/**
	 * Run `call` with a token; if it reports the token was rejected (401), replace the token and run it again, up to
	 * `replays` times (once by default). `call` returns `{ unauthorized: true }` rather than throwing so the caller
	 * keeps its own error mapping; the last answer is returned as it is.
	 */
	async withToken<T>(
		key: string,
		fetcher: TokenFetcher,
		call: (accessToken: string) => Promise<{ unauthorized: boolean; value: T }>,
		options: TokenOptions = {},
	): Promise<T> {
		// A fresh token at hand (this process's own memory, or the one last had from the shared store) needs no round
		// through the store's promises or Redis: every item asks.
		const store = this.store;
		const shared = !(store instanceof MemoryTokenStore);
		const local = shared ? this.near.get(key) : store.peek(key);
		let token = local && this.isFresh(local) ? local : await this.get(key, fetcher, options);
		if (shared) this.near.set(key, token);
		let answer = await call(token.accessToken);
		for (let replay = 0; answer.unauthorized && replay < this.replays; replay++) {
			// The first 401 is the common one (the token expired): no wait. A later one means a token was revoked.
			if (replay > 0) await this.beforeReplay?.(replay);
			token = await this.replace(key, token.accessToken, fetcher, options);
			if (shared) this.near.set(key, token);
			answer = await call(token.accessToken);
		}
		return answer.value;
	}
}
