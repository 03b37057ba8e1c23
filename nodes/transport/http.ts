import { createHash, X509Certificate, createPrivateKey } from 'crypto';
import { lookup as systemLookup } from 'dns';
import type { LookupFunction } from 'net';
import { createSecureContext } from 'tls';
import { Agent, request as undiciRequest } from 'undici';
import { rebuildPem, type PemKind } from './pem';

/**
 * The one HTTP client of the package. mTLS is the expensive part of a Clara call, and n8n's own helpers build a
 * new agent (a full TLS handshake) per request, so here every TLS identity gets one pooled keep-alive agent that
 * lives for the whole process and is shared by all items and executions.
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
export interface EgressFilter {
	validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }>;
	createSecureLookup(): LookupFunction;
}

/** The node's egress filter where n8n offers one (≥ 2.41), else undefined: older n8n behaves as before. */
export function egressOf(ctx: { helpers?: object }): EgressFilter | undefined {
	const helpers = ctx.helpers as { getSecureEgressFilter?: () => EgressFilter } | undefined;
	return typeof helpers?.getSecureEgressFilter === 'function' ? helpers.getSecureEgressFilter() : undefined;
}

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
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

// ---------------------------------------------------------------------------------------------------------------
// Agents: one per TLS identity and origin, for the life of the process.

interface PoolEntry {
	id: string;
	agent: Agent;
	lastUsed: number;
}

const agents = new Map<string, PoolEntry>();
/**
 * Connections per origin and identity. Matches the nodes' item concurrency: a bigger pool only adds handshakes
 * (undici opens a new socket when a finished one has not been released yet), a smaller one queues items.
 */
export const DEFAULT_CONNECTIONS = 16;
const MAX_AGENTS = 64;
/** Below the usual server keep-alive (nginx 75 s, Node 5 s is raised by most APIs) so we rarely reuse a dead socket. */
const KEEP_ALIVE_MS = 4_000;

function identityKey(origin: string, tls: TlsMaterial | undefined, connections: number, lookupId: number) {
	return createHash('sha256')
		.update([origin, tls?.ca ?? '', tls?.cert ?? '', tls?.key ?? '', tls?.passphrase ?? '', connections, lookupId].join('\u0000'))
		.digest('hex');
}

/** Each PEM field rebuilt (see pem.ts), or a tls-config error naming the field and what is wrong with it. */
function rebuilt(tls: TlsMaterial): TlsMaterial {
	const field = (value: string | undefined, kind: PemKind, label: string, what: string) => {
		if (typeof value !== 'string' || value.trim() === '') return undefined;
		const result = rebuildPem(value, kind);
		if ('problem' in result) throw new TransportError('tls-config', `${label} is not a valid PEM ${what}: ${result.problem}`);
		return result.pem;
	};
	return {
		ca: field(tls.ca, 'certificate', 'The CA certificate', 'certificate'),
		cert: field(tls.cert, 'certificate', 'The client certificate', 'certificate'),
		key: field(tls.key, 'key', 'The private key', 'key'),
		passphrase: tls.passphrase || undefined,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// n8n's egress policy. The filter is one object per n8n process (a pass-through one when the policy is off), so its
// secure lookup is made once and the pooled agents that use it are kept like any other; an origin it allowed is
// not asked again for a minute (new connections still go through the secure lookup, which checks each address).

const lookups = new WeakMap<EgressFilter, { fn?: LookupFunction; id: number }>();
let nextLookupId = 1;
function secureLookupOf(egress?: EgressFilter): { fn?: LookupFunction; id: number } {
	if (!egress) return { id: 0 };
	let entry = lookups.get(egress);
	if (!entry) {
		const fn = egress.createSecureLookup();
		// The pass-through filter hands out the system lookup: the same as none, so the same agents.
		entry = fn === systemLookup ? { id: 0 } : { fn, id: nextLookupId++ };
		lookups.set(egress, entry);
	}
	return entry;
}

const allowedOrigins = new WeakMap<EgressFilter, Map<string, number>>();
const ALLOWED_FOR_MS = 60_000;
async function checkEgress(egress: EgressFilter, url: string, origin: string) {
	const allowed = allowedOrigins.get(egress) ?? new Map<string, number>();
	allowedOrigins.set(egress, allowed);
	if ((allowed.get(origin) ?? 0) > Date.now()) return;
	const verdict = await egress.validateUrl(url);
	if (!verdict.ok) {
		throw new TransportError('blocked', `n8n's outbound network policy does not allow ${origin}: ${verdict.error?.message ?? 'blocked'}`);
	}
	allowed.set(origin, Date.now() + ALLOWED_FOR_MS);
}

/**
 * Check PEM material before it reaches a socket, so the user learns which field is wrong instead of an OpenSSL
 * code, and return it rebuilt (a paste that lost its line breaks works). Messages never contain the material.
 */
export function validateTlsMaterial(given: TlsMaterial, now = Date.now()): TlsMaterial {
	const tls = rebuilt(given);
	if (!!tls.cert !== !!tls.key) {
		throw new TransportError(
			'tls-config',
			tls.cert
				? 'A client certificate was given without its private key: fill both Certificate and Private Key'
				: 'A private key was given without its client certificate: fill both Certificate and Private Key',
		);
	}
	if (tls.ca) {
		try {
			createSecureContext({ ca: tls.ca });
			new X509Certificate(tls.ca);
		} catch {
			throw new TransportError('tls-config', 'The CA certificate is not a valid PEM certificate: its BEGIN and END lines are there, but what is between them is not a certificate; paste the CA certificate file again');
		}
	}
	if (!tls.cert || !tls.key) return tls;
	let cert: X509Certificate;
	try {
		cert = new X509Certificate(tls.cert);
	} catch {
		throw new TransportError('tls-config', 'The client certificate is not a valid PEM certificate: its BEGIN and END lines are there, but what is between them is not a certificate; paste the certificate file again');
	}
	const notAfter = Date.parse(cert.validTo);
	if (notAfter < now) {
		throw new TransportError(
			'tls-config',
			`The client certificate expired on ${new Date(notAfter).toISOString().slice(0, 10)}: ask the vendor for a new one and update the credential`,
			'CERT_HAS_EXPIRED',
		);
	}
	if (Date.parse(cert.validFrom) > now) {
		throw new TransportError('tls-config', `The client certificate is not valid before ${cert.validFrom}`, 'CERT_NOT_YET_VALID');
	}
	let key;
	try {
		key = createPrivateKey({ key: tls.key, passphrase: tls.passphrase });
	} catch (error) {
		const text = String((error as Error).message);
		// A wrong passphrase usually fails as "bad decrypt", but about 1 time in 256 the garbage happens to end in
		// valid padding and fails later as a parse error: for an encrypted PEM, any failure is about the passphrase.
		const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(tls.key);
		if (encrypted || /bad decrypt|passphrase|interrupted or cancelled/i.test(text)) {
			throw new TransportError('tls-config', tls.passphrase ? 'The private key passphrase is wrong' : 'The private key is encrypted: fill Passphrase', 'BAD_DECRYPT');
		}
		throw new TransportError('tls-config', 'The private key is not a valid PEM key: its BEGIN and END lines are there, but what is between them is not a key; paste the .key file again');
	}
	if (!cert.checkPrivateKey(key)) {
		throw new TransportError('tls-config', 'The private key does not belong to the client certificate: use the key that came with this certificate', 'KEY_VALUES_MISMATCH');
	}
	return tls;
}

/** Per TLS object, the agent by origin: a hot-path shortcut that skips hashing the PEM material per request. */
const byTlsObject = new WeakMap<TlsMaterial, Map<string, PoolEntry>>();
const NO_TLS: TlsMaterial = {};

export function getAgent(origin: string, tls?: TlsMaterial, connections = DEFAULT_CONNECTIONS, egress?: EgressFilter): Agent {
	const lookup = secureLookupOf(egress);
	const shortcut = byTlsObject.get(tls ?? NO_TLS)?.get(`${origin} ${connections} ${lookup.id}`);
	if (shortcut && agents.get(shortcut.id) === shortcut) {
		shortcut.lastUsed = Date.now();
		return shortcut.agent;
	}
	const id = identityKey(origin, tls, connections, lookup.id);
	const remember = (entry: PoolEntry) => {
		const perObject = byTlsObject.get(tls ?? NO_TLS) ?? new Map<string, PoolEntry>();
		perObject.set(`${origin} ${connections} ${lookup.id}`, entry);
		byTlsObject.set(tls ?? NO_TLS, perObject);
		return entry.agent;
	};
	const hit = agents.get(id);
	if (hit) {
		hit.lastUsed = Date.now();
		return remember(hit);
	}
	// Only here, when an identity gets its agent: every later request takes the shortcut above.
	const material = tls ? validateTlsMaterial(tls) : undefined;
	if (agents.size >= MAX_AGENTS) {
		// Close the least recently used identity: a process serving many credentials must not hoard sockets.
		const [oldest] = [...agents.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
		agents.delete(oldest[0]);
		void oldest[1].agent.close();
	}
	const agent = new Agent({
		connections,
		keepAliveTimeout: KEEP_ALIVE_MS,
		keepAliveMaxTimeout: 60_000,
		connect: {
			ca: material?.ca ? [material.ca] : undefined,
			cert: material?.cert,
			key: material?.key,
			passphrase: material?.passphrase,
			timeout: DEFAULT_TIMEOUTS.connectMs,
			// A session ticket lets a new pooled connection resume instead of a full handshake.
			maxCachedSessions: 100,
			...(lookup.fn ? { lookup: lookup.fn } : {}),
		},
	});
	const entry = { id, agent, lastUsed: Date.now() };
	agents.set(id, entry);
	return remember(entry);
}

/** Close every pooled connection (tests, and a clean shutdown). */
export async function closeAllAgents() {
	const all = [...agents.values()];
	agents.clear();
	await Promise.all(all.map(async (e) => e.agent.close()));
}

// ---------------------------------------------------------------------------------------------------------------

function buildUrl(url: string, query?: HttpRequest['query']) {
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

function sleep(ms: number, signal?: AbortSignal) {
	return new Promise<void>((resolve, reject) => {
		if (signal?.aborted) return reject(new TransportError('aborted', 'The execution was cancelled'));
		const timer = setTimeout(done, ms);
		function done() {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}
		function onAbort() {
			clearTimeout(timer);
			reject(new TransportError('aborted', 'The execution was cancelled'));
		}
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function describeNetworkError(error: any): TransportError {
	const code: string | undefined = error?.code ?? error?.cause?.code;
	const message = String(error?.message ?? error);
	if (error?.name === 'AbortError' || code === 'UND_ERR_ABORTED') return new TransportError('aborted', 'The execution was cancelled', code);
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

async function attempt(req: HttpRequest, options: SendOptions): Promise<HttpResponse> {
	const url = buildUrl(req.url, req.query);
	const origin = new URL(url).origin;
	const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
	const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
	let body: string | undefined;
	if (req.json !== undefined) {
		body = JSON.stringify(req.json);
		headers['content-type'] ??= 'application/json';
	} else if (req.form) {
		body = new URLSearchParams(req.form).toString();
		headers['content-type'] ??= 'application/x-www-form-urlencoded';
	}
	if (options.egress) await checkEgress(options.egress, url, origin);
	const dispatcher = getAgent(origin, options.tls, options.connections, options.egress);
	const res = await undiciRequest(url, {
		method: req.method,
		headers,
		body,
		dispatcher,
		signal: options.signal,
		headersTimeout: timeouts.headersMs,
		bodyTimeout: timeouts.bodyMs,
	});
	const text = await res.body.text();
	const type = String(res.headers['content-type'] ?? '');
	let parsed: unknown = text;
	if (text !== '' && (type.includes('json') || /^\s*[[{]/.test(text))) {
		try {
			parsed = JSON.parse(text);
		} catch {
			throw new TransportError('malformed', `The server answered HTTP ${res.statusCode} with a body that is not valid JSON`, undefined, res.statusCode);
		}
	}
	return { status: res.statusCode, headers: res.headers, body: parsed };
}

/**
 * Send one request, retrying what is safe to retry: 429 / 502 / 503 / 504 and broken connections, with
 * exponential backoff and jitter, honouring Retry-After, a bounded number of times. Returns the final HTTP answer
 * whatever its status; throws TransportError for failures below HTTP.
 */
export async function send(req: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
	// Every request of this package carries a secret (a token, a passcode, a client secret): never in clear. The
	// services check their URL fields first and name the field; this is the backstop, before any socket opens.
	if (!/^https:\/\//i.test(req.url)) {
		throw new TransportError('insecure', `Refused to send to ${req.url.replace(/[?#].*$/, '').slice(0, 80)}: not an https:// address, and the request carries a secret`);
	}
	const retry = { ...DEFAULT_RETRY, ...options.retry };
	const idempotent = req.idempotent ?? req.method === 'GET';
	for (let n = 0; ; n++) {
		let reason: string;
		let wait: number | undefined;
		try {
			const res = await attempt(req, options);
			const retriable = RETRY_STATUS.has(res.status) && (idempotent || res.status === 429);
			if (!retriable || n >= retry.retries) {
				if (res.status === 429 && n > 0) {
					// Say how long the API asked us to wait, so the user can space their runs.
					const after = retryAfterMs(res.headers['retry-after'], Date.now());
					if (after !== undefined && after > retry.maxRetryAfterMs) {
						throw new TransportError('rate-limited', `Rate limited: the API asks to wait ${Math.ceil(after / 1000)} s before trying again`, undefined, 429);
					}
				}
				return { ...res, attempts: n + 1 };
			}
			reason = `HTTP ${res.status}`;
			wait = retryAfterMs(res.headers['retry-after'], Date.now());
			if (wait !== undefined && wait > retry.maxRetryAfterMs) {
				throw new TransportError('rate-limited', `Rate limited: the API asks to wait ${Math.ceil(wait / 1000)} s before trying again`, undefined, res.status);
			}
		} catch (error) {
			if (error instanceof TransportError) {
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
		}
		const delayMs = Math.max(wait ?? 0, backoffMs(n, retry));
		options.onRetry?.({ attempt: n + 1, reason, delayMs });
		await sleep(delayMs, options.signal);
	}
}
