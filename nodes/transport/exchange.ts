import type { IHttpRequestOptions } from 'n8n-workflow';

/**
 * What every edition's HTTP client shares: the request and answer shapes, the transport's own failures, and the
 * retry policy (what may be sent twice, how long to wait). An edition supplies one exchange (`Attempt`) and a way
 * to wait (`Sleep`); `retrying` turns them into `send`. Nothing here opens a socket.
 */

export interface TlsMaterial {
	/** Extra CA certificates (PEM) to trust for the server, e.g. Clara's CA. */
	ca?: string;
	/** Client certificate (PEM) for mutual TLS. */
	cert?: string;
	/** Client private key (PEM). */
	key?: string;
	passphrase?: string;
}

export interface Timeouts {
	connectMs: number;
	headersMs: number;
	bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 };

export interface RetryOptions {
	/** Retries after the first attempt. */
	retries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** A Retry-After longer than this is not waited for: the error says when to try again. */
	maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	query?: Record<string, string | number | boolean | undefined | null>;
	headers?: Record<string, string>;
	json?: unknown;
	form?: Record<string, string>;
	/**
	 * May the request be sent twice? Defaults to true only for GET. A POST that may have reached the server is
	 * never retried (a card deployment must not be created twice); it is retried only when the server certainly
	 * did not act on it (a 429, or a connection that was never established).
	 */
	idempotent?: boolean;
	/**
	 * For a state-changing request: what it does, in the user's words ("Create Deployment"), and how to find out
	 * whether it took effect when the answer is lost. Both go into the error of an ambiguous outcome.
	 */
	action?: string;
	howToCheck?: string;
}

export interface HttpResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, or the text when the answer is not JSON. */
	body: unknown;
	/** How many times the request was sent (1 = not retried). */
	attempts?: number;
}

/**
 * n8n's outbound network policy (SSRF protection, n8n ≥ 2.41: `this.helpers.getSecureEgressFilter()`), as far as
 * this client needs it: a check of the URL before sending and a DNS lookup that refuses forbidden addresses when a
 * connection opens. Absent on older n8n: then nothing changes.
 */
export interface EgressPolicy {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
	createSecureLookup(): SecureLookup;
}

/** A DNS lookup with the signature of Node's `dns.lookup`, which the full edition hands to its sockets. */
export type SecureLookup = (...args: never[]) => void;

/** n8n's own HTTP helper of a node's context (`this.helpers.httpRequest`): the verified edition's only way out. */
export interface NodeHttp {
	httpRequest(options: IHttpRequestOptions): Promise<unknown>;
}

/**
 * What a node's context lends the transport for its requests, passed through by the services without looking
 * inside: n8n's egress policy in the full edition (which sends on its own pool), n8n's HTTP helper in the verified
 * edition (which sends through it, and so through n8n's own policy). See the edition modules.
 */
export type EgressFilter = EgressPolicy | NodeHttp;

export interface SendOptions {
	tls?: TlsMaterial;
	/** The instance's egress policy, when n8n has one (see EgressFilter). */
	egress?: EgressFilter;
	timeouts?: Partial<Timeouts>;
	retry?: Partial<RetryOptions>;
	/** The execution's cancel signal: aborts the request in flight and any wait between retries. */
	signal?: AbortSignal;
	/** Connections per origin in the pool. */
	connections?: number;
	/** Told of each retry, e.g. to log it (never with secrets: the caller redacts). */
	onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
}

export type TransportErrorKind = 'tls-config' | 'tls' | 'network' | 'timeout' | 'aborted' | 'malformed' | 'rate-limited' | 'insecure' | 'unexpected' | 'blocked';

/** A failure below HTTP (or an unusable answer). `code` is Node's / OpenSSL's / undici's code. */
export class TransportError extends Error {
	constructor(
		readonly kind: TransportErrorKind,
		message: string,
		readonly code?: string,
		readonly status?: number,
	) {
		super(message);
		this.name = 'TransportError';
	}
}

/** 500 too, for idempotent requests only: gateways (Apigee for Claro) answer 500 for passing faults. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/** The request never left this machine: safe to retry whatever the method. */
export const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);
/** The connection broke; the server may or may not have seen the request. */
const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);
// ECONNABORTED: axios's word for its timeout, under n8n's helpers (the verified edition).
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNABORTED']);

/**
 * Connections per origin and identity. Matches the nodes' item concurrency: a bigger pool only adds handshakes
 * (undici opens a new socket when a finished one has not been released yet), a smaller one queues items.
 */
export const DEFAULT_CONNECTIONS = 16;

/**
 * What `fn` returned (awaited, for a promise), or what it threw. Failures inside the transport are values its callers
 * put in words; n8n's errors are made from them in one place, at the node (errors.ts).
 */
export function tried<T>(fn: () => Promise<T>): Promise<{ value: T } | { error: unknown }>;
export function tried<T>(fn: () => T): { value: T } | { error: unknown };
export function tried<T>(fn: () => T | Promise<T>) {
	try {
		const value = fn();
		if (value instanceof Promise) return value.then((v) => ({ value: v }), (error: unknown) => ({ error }));
		return { value };
	} catch (error) {
		return { error };
	}
}

/** One exchange with the server, no retries: the final HTTP answer whatever its status, or a failure below HTTP. */
export type Attempt = (req: HttpRequest, options: SendOptions) => Promise<HttpResponse>;
/** Wait `ms`; rejects with TransportError 'aborted' when `signal` fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The request's body and headers as they go on the wire (JSON or a form), with accept and content-type set. */
export function wireBody(req: HttpRequest): { headers: Record<string, string>; body?: string } {
	const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
	let body: string | undefined;
	if (req.json !== undefined) {
		body = JSON.stringify(req.json);
		headers['content-type'] ??= 'application/json';
	} else if (req.form) {
		body = new URLSearchParams(req.form).toString();
		headers['content-type'] ??= 'application/x-www-form-urlencoded';
	}
	return { headers, body };
}

const MALFORMED = Symbol('malformed');

/** An answer's text as the caller gets it: parsed JSON when it is JSON, else the text; malformed JSON is an error. */
export function parseBody(text: string, contentType: string, status: number): unknown {
	if (text === '' || !(contentType.includes('json') || /^\s*[[{]/.test(text))) return text;
	let parsed: unknown = MALFORMED;
	try {
		parsed = JSON.parse(text);
	} catch {
		// Said below: no throw of our own inside a catch (the verified edition's scanner).
	}
	if (parsed === MALFORMED) throw new TransportError('malformed', `The server answered HTTP ${status} with a body that is not valid JSON`, undefined, status);
	return parsed;
}

export function buildUrl(url: string, query?: HttpRequest['query']) {
	if (!query) return url;
	const u = new URL(url);
	for (const [k, v] of Object.entries(query)) {
		if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
	}
	return u.toString();
}

function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffMs(attempt: number, retry: RetryOptions) {
	// "Full jitter": spreads retries from many executions so they do not hit the API in lockstep.
	const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
	return Math.round(cap / 2 + Math.random() * (cap / 2));
}

function describeNetworkError(error: any): TransportError {
	const code: string | undefined = error?.code ?? error?.cause?.code;
	const message = String(error?.message ?? error);
	// ERR_CANCELED: axios's, under n8n's helpers, when the execution's signal fires.
	if (error?.name === 'AbortError' || error?.name === 'CanceledError' || code === 'UND_ERR_ABORTED' || code === 'ERR_CANCELED') return new TransportError('aborted', 'The execution was cancelled', code);
	if (code && TIMEOUT_CODES.has(code)) {
		const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for an answer' : 'reading the answer';
		return new TransportError('timeout', `The server timed out while ${what}`, code);
	}
	if (code && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|ERR_OSSL|HOSTNAME/.test(code)) {
		return new TransportError('tls', `TLS handshake failed (${code})`, code);
	}
	if (/alert|handshake|ssl/i.test(message)) return new TransportError('tls', `TLS handshake failed (${code ?? message.slice(0, 120)})`, code);
	// In words, not codes: n8n replaces any message containing ECONNREFUSED & co. with a generic one.
	const words: Record<string, string> = {
		ECONNREFUSED: 'the connection was refused (nothing listens at that host and port)',
		ENOTFOUND: 'the host name does not resolve',
		EAI_AGAIN: 'the host name could not be resolved right now',
		ECONNRESET: 'the connection was dropped',
		UND_ERR_SOCKET: 'the connection was closed by the other side',
		EPIPE: 'the connection was dropped',
		ETIMEDOUT: 'the connection timed out',
	};
	return new TransportError('network', `Could not reach the server: ${(code && words[code]) ?? message.slice(0, 120)}`, code);
}

/**
 * Send one request, retrying what is safe to retry: 429 / 502 / 503 / 504 and broken connections, with
 * exponential backoff and jitter, honouring Retry-After, a bounded number of times. Returns the final HTTP answer
 * whatever its status; throws TransportError for failures below HTTP.
 */
export function retrying(attempt: Attempt, sleep: Sleep) {
	return async function send(req: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
		// Every request of this package carries a secret (a token, a passcode, a client secret): never in clear. The
		// services check their URL fields first and name the field; this is the backstop, before any socket opens.
		if (!/^https:\/\//i.test(req.url)) {
			throw new TransportError('insecure', `Refused to send to ${req.url.replace(/[?#].*$/, '').slice(0, 80)}: not an https:// address, and the request carries a secret`);
		}
		// No copy when the caller changes nothing (most requests).
		const retry = options.retry ? { ...DEFAULT_RETRY, ...options.retry } : DEFAULT_RETRY;
		const idempotent = req.idempotent ?? req.method === 'GET';
		for (let n = 0; ; n++) {
			let reason: string;
			let wait: number | undefined;
			// Awaited in place rather than through tried(): one promise and one object fewer per request.
			let res: HttpResponse | undefined;
			let error: unknown;
			try {
				res = await attempt(req, options);
			} catch (thrown) {
				error = thrown;
			}
			if (res) {
				const retriable = RETRY_STATUS.has(res.status) && (idempotent || res.status === 429);
				if (!retriable || n >= retry.retries) {
					if (res.status === 429 && n > 0) {
						// Say how long the API asked us to wait, so the user can space their runs.
						const after = retryAfterMs(res.headers['retry-after'], Date.now());
						if (after !== undefined && after > retry.maxRetryAfterMs) {
							throw new TransportError('rate-limited', `Rate limited: the API asks to wait ${Math.ceil(after / 1000)} s before trying again`, undefined, 429);
						}
					}
					// The attempt's own fresh object: no copy needed.
					res.attempts = n + 1;
					return res;
				}
				reason = `HTTP ${res.status}`;
				wait = retryAfterMs(res.headers['retry-after'], Date.now());
				if (wait !== undefined && wait > retry.maxRetryAfterMs) {
					throw new TransportError('rate-limited', `Rate limited: the API asks to wait ${Math.ceil(wait / 1000)} s before trying again`, undefined, res.status);
				}
			} else if (error instanceof TransportError) {
				if (error.kind !== 'malformed' || !idempotent || n >= retry.retries) throw error;
				reason = 'malformed answer';
			} else {
				const failure = describeNetworkError(error);
				const code = failure.code ?? '';
				const safe = NOT_SENT_CODES.has(code) || (idempotent && (BROKEN_CODES.has(code) || failure.kind === 'timeout'));
				if (failure.kind === 'aborted' || failure.kind === 'tls' || !safe || n >= retry.retries) {
					if (!safe && failure.kind === 'network' && !idempotent) {
						throw new TransportError(
							'network',
							`${failure.message}. The request may have reached the server, so it was not sent again automatically`,
							failure.code,
						);
					}
					throw failure;
				}
				reason = failure.code ?? failure.kind;
			}
			const delayMs = Math.max(wait ?? 0, backoffMs(n, retry));
			options.onRetry?.({ attempt: n + 1, reason, delayMs });
			await sleep(delayMs, options.signal);
		}
	};
}
