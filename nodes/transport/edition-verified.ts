import { sleep as n8nSleep, sleepWithAbort, type IHttpRequestOptions } from 'n8n-workflow';
import {
	buildUrl,
	DEFAULT_TIMEOUTS,
	parseBody,
	retrying,
	TransportError,
	wireBody,
	type EgressFilter,
	type HttpRequest,
	type HttpResponse,
	type NodeHttp,
	type SendOptions,
	type TlsMaterial,
} from './exchange';
import { MemoryLimiter } from './limiter';
import type { Transport } from './seam';
import { checkTlsMaterial } from './tls-material';
import { MemoryTokenStore, TokenHelper } from './token';

/**
 * The verified edition (n8n Cloud, and n8n 3.x where unverified packages are off by default): built on nothing but
 * what `n8n-workflow` gives a node. In each verified package this module is the transport's `edition.ts`.
 *
 * What it gives up against the full edition, on purpose:
 * - HTTP goes through n8n's own helper (`this.helpers.httpRequest`). A client certificate (Clara) rides in
 *   `agentOptions`, for which n8n (2.20 and later) builds a new agent per request: a full TLS handshake for every
 *   request, where the full edition reuses one pooled connection per credential. Before n8n 2.20 the option is
 *   dropped and Clara answers 511.
 * - Tokens are cached in this process's memory, one request at a time per credential (single flight), refreshed a
 *   margin before expiry, replaced once on a 401 only if still the cached one. In queue mode each worker process
 *   has its own cache: a worker's first call takes a token of its own, which for Conferma revokes the token the
 *   other workers hold; they answer by the 401 path (a new token, a replay), which revokes the first worker's in
 *   turn. So here a 401 is answered by up to 4 replays, each with the token current then, the second and later
 *   after a random wait that grows (so that one worker finishes its calls with its token before the other takes the
 *   next). The full edition shares one token through Redis and replays once. Counted in docs/editions.md.
 * - CleverTap's 3-in-flight budget is counted in this process only; across queue-mode workers a 429 is retried.
 * - Waits use `sleep`/`sleepWithAbort` from n8n-workflow; no environment variable, file or timer global is read.
 */

/** n8n's helper, where the context lends one (every node context does; see egressOf). */
const httpOf = (egress?: EgressFilter): NodeHttp | undefined => (egress && 'httpRequest' in egress ? egress : undefined);

/** The material checked once per TLS object (a credential's), not per request. */
const checked = new WeakMap<TlsMaterial, TlsMaterial>();
function material(tls?: TlsMaterial): TlsMaterial | undefined {
	if (!tls || (!tls.ca && !tls.cert && !tls.key)) return undefined;
	let valid = checked.get(tls);
	if (!valid) {
		valid = checkTlsMaterial(tls);
		checked.set(tls, valid);
	}
	return valid;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
	statusCode: number;
}

async function attempt(req: HttpRequest, options: SendOptions): Promise<HttpResponse> {
	const http = httpOf(options.egress);
	if (!http) throw new TransportError('unexpected', 'The node gave the transport no n8n context to send through');
	const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
	const { headers, body } = wireBody(req);
	const tls = material(options.tls);
	const request: IHttpRequestOptions & { agentOptions?: TlsMaterial } = {
		method: req.method,
		url: buildUrl(req.url, req.query),
		headers,
		body,
		// The answer as text: parsed here, so a malformed body is told apart from a missing one as in the full edition.
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// Like the full edition's client: a redirect is an answer, never followed with the credential's secrets.
		disableFollowRedirect: true,
		// One timeout for the whole exchange here (axios has no separate one for headers and body).
		timeout: Math.max(timeouts.headersMs, timeouts.bodyMs),
		abortSignal: options.signal,
		...(tls ? { agentOptions: { ca: tls.ca, cert: tls.cert, key: tls.key, passphrase: tls.passphrase } } : {}),
	};
	// A failure below HTTP is thrown as n8n's helper gives it; the retry loop reads its code (exchange.ts).
	const res = (await http.httpRequest(request)) as FullResponse;
	const text = typeof res.body === 'string' ? res.body : res.body === undefined || res.body === null ? '' : JSON.stringify(res.body);
	const type = res.headers?.['content-type'];
	return { status: res.statusCode, headers: res.headers ?? {}, body: parseBody(text, String(Array.isArray(type) ? type[0] : type ?? ''), res.statusCode) };
}

const aborted = () => new TransportError('aborted', 'The execution was cancelled');

/**
 * n8n-workflow 2.41 (n8n 2.41.1) no longer has `sleepWithAbort`, only `sleep`: there the wait runs out and a
 * cancelled execution stops right after it. Where `sleepWithAbort` is (2.8), the wait itself is cut short.
 */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw aborted();
	if (typeof sleepWithAbort === 'function') return sleepWithAbort(ms, signal).catch(() => Promise.reject(aborted()));
	await n8nSleep(ms);
	if (signal?.aborted) throw aborted();
}

/**
 * A node's way out: n8n's `helpers.httpRequest`. A credential test's context offers only the older
 * `helpers.request` (n8n gives ICredentialTestFunctions nothing else), so there it is adapted to the same shape.
 */
function egressOf(ctx: { helpers?: object }): NodeHttp | undefined {
	const helpers = ctx.helpers as { httpRequest?: NodeHttp['httpRequest']; request?: (options: object) => Promise<unknown> } | undefined;
	if (typeof helpers?.httpRequest === 'function') return helpers as NodeHttp;
	const legacy = helpers?.request;
	if (typeof legacy !== 'function') return undefined;
	return {
		httpRequest: async (o: IHttpRequestOptions & { agentOptions?: TlsMaterial }) => {
			const res = (await legacy.call(helpers, {
				method: o.method,
				uri: o.url,
				headers: o.headers,
				body: o.body,
				json: false,
				resolveWithFullResponse: true,
				simple: false,
				followRedirect: false,
				timeout: o.timeout,
				agentOptions: o.agentOptions,
			})) as FullResponse;
			return { body: res.body, headers: res.headers, statusCode: res.statusCode };
		},
	};
}

export const edition: Transport = {
	edition: 'verified',
	send: retrying(attempt, sleep),
	egressOf,
	tokens: new TokenHelper({ store: new MemoryTokenStore(), replays: 4, beforeReplay: (replay) => sleep(Math.round(Math.random() * 250 * 2 ** (replay - 1))) }),
	limiter: new MemoryLimiter(),
	sleep,
	validateTlsMaterial: (tls) => checkTlsMaterial(tls),
};
