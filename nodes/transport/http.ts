import { createHash } from 'crypto';
import { lookup as systemLookup } from 'dns';
import type { LookupFunction } from 'net';
import { createSecureContext } from 'tls';
import { Agent, request as undiciRequest } from 'undici';
import {
	buildUrl,
	DEFAULT_CONNECTIONS,
	DEFAULT_TIMEOUTS,
	parseBody,
	retrying,
	TransportError,
	wireBody,
	type EgressFilter,
	type EgressPolicy,
	type HttpRequest,
	type HttpResponse,
	type SendOptions,
	type TlsMaterial,
} from './exchange';
import { checkTlsMaterial } from './tls-material';

export * from './exchange';

/**
 * The one HTTP client of the package. mTLS is the expensive part of a Clara call, and n8n's own helpers build a
 * new agent (a full TLS handshake) per request, so here every TLS identity gets one pooled keep-alive agent that
 * lives for the whole process and is shared by all items and executions.
 */

/** The node's egress filter where n8n offers one (≥ 2.41), else undefined: older n8n behaves as before. */
export function egressOf(ctx: { helpers?: object }): EgressPolicy | undefined {
	const helpers = ctx.helpers as { getSecureEgressFilter?: () => EgressPolicy } | undefined;
	return typeof helpers?.getSecureEgressFilter === 'function' ? helpers.getSecureEgressFilter() : undefined;
}

/** This client sends on its own sockets, so of what the context lends it only n8n's egress policy matters. */
const policyOf = (egress?: EgressFilter): EgressPolicy | undefined => (egress && 'validateUrl' in egress ? egress : undefined);

// ---------------------------------------------------------------------------------------------------------------
// Agents: one per TLS identity and origin, for the life of the process.

interface PoolEntry {
	id: string;
	agent: Agent;
	lastUsed: number;
}

const agents = new Map<string, PoolEntry>();
const MAX_AGENTS = 64;
/** Below the usual server keep-alive (nginx 75 s, Node 5 s is raised by most APIs) so we rarely reuse a dead socket. */
const KEEP_ALIVE_MS = 4_000;

function identityKey(origin: string, tls: TlsMaterial | undefined, connections: number, lookupId: number) {
	return createHash('sha256')
		.update([origin, tls?.ca ?? '', tls?.cert ?? '', tls?.key ?? '', tls?.passphrase ?? '', connections, lookupId].join('\u0000'))
		.digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// n8n's egress policy. The filter is one object per n8n process (a pass-through one when the policy is off), so its
// secure lookup is made once and the pooled agents that use it are kept like any other; an origin it allowed is
// not asked again for a minute (new connections still go through the secure lookup, which checks each address).

const lookups = new WeakMap<EgressPolicy, { fn?: LookupFunction; id: number }>();
let nextLookupId = 1;
function secureLookupOf(egress?: EgressPolicy): { fn?: LookupFunction; id: number } {
	if (!egress) return { id: 0 };
	let entry = lookups.get(egress);
	if (!entry) {
		const fn = egress.createSecureLookup() as LookupFunction;
		// The pass-through filter hands out the system lookup: the same as none, so the same agents.
		entry = fn === systemLookup ? { id: 0 } : { fn, id: nextLookupId++ };
		lookups.set(egress, entry);
	}
	return entry;
}

const allowedOrigins = new WeakMap<EgressPolicy, Map<string, number>>();
const ALLOWED_FOR_MS = 60_000;
async function checkEgress(egress: EgressPolicy, url: string, origin: string) {
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
 * Check PEM material before it reaches a socket (tls-material.ts), and also that Node's TLS takes the CA: this
 * client builds its own secure contexts.
 */
export function validateTlsMaterial(given: TlsMaterial, now = Date.now()): TlsMaterial {
	return checkTlsMaterial(given, now, (ca) => createSecureContext({ ca }));
}

/** Per TLS object, the agent by origin: a hot-path shortcut that skips hashing the PEM material per request. */
const byTlsObject = new WeakMap<TlsMaterial, Map<string, PoolEntry>>();
const NO_TLS: TlsMaterial = {};

export function getAgent(origin: string, tls?: TlsMaterial, connections = DEFAULT_CONNECTIONS, egress?: EgressFilter): Agent {
	egress = policyOf(egress);
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

export function sleep(ms: number, signal?: AbortSignal) {
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

/**
 * A URL's origin, remembered by the text before its path: the same few hosts are asked thousands of times, and
 * parsing every URL again was a measurable part of a request's own cost. The authority ends before the first `/`
 * after the scheme, so the text up to there has the same origin as the whole URL.
 */
const origins = new Map<string, string>();
function originOf(url: string) {
	const slash = url.indexOf('/', 8);
	const head = slash < 0 ? url : url.slice(0, slash);
	let origin = origins.get(head);
	if (origin === undefined) {
		origin = new URL(head).origin;
		if (origins.size >= 256) origins.clear();
		origins.set(head, origin);
	}
	return origin;
}

async function attempt(req: HttpRequest, options: SendOptions): Promise<HttpResponse> {
	const url = buildUrl(req.url, req.query);
	const origin = originOf(url);
	const timeouts = options.timeouts ? { ...DEFAULT_TIMEOUTS, ...options.timeouts } : DEFAULT_TIMEOUTS;
	const { headers, body } = wireBody(req);
	const egress = policyOf(options.egress);
	if (egress) await checkEgress(egress, url, origin);
	const dispatcher = getAgent(origin, options.tls, options.connections, egress);
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
	return { status: res.statusCode, headers: res.headers, body: parseBody(text, String(res.headers['content-type'] ?? ''), res.statusCode) };
}

/**
 * Send one request on the pooled agents, retrying what is safe to retry (exchange.ts): 429 / 502 / 503 / 504 and
 * broken connections, with exponential backoff and jitter, honouring Retry-After, a bounded number of times.
 * Returns the final HTTP answer whatever its status; throws TransportError for failures below HTTP.
 */
export const send = retrying(attempt, sleep);
