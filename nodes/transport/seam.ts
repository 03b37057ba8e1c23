import type { ConcurrencyLimiter } from './limiter';
import type { EgressFilter, HttpRequest, HttpResponse, SendOptions, TlsMaterial } from './exchange';
import type { TokenHelper } from './token';
import { edition } from './edition';

/**
 * The one seam between the services and what they run on. Which HTTP client, token store and concurrency limiter
 * a package uses is decided in one composition module, `edition.ts`, of which there is one per edition:
 * - the full edition (self-hosted n8n): undici's pooled keep-alive agents, n8n's Redis in queue mode;
 * - the verified edition (n8n Cloud, and 3.x's defaults): nothing but what `n8n-workflow` gives a node.
 * The services import these names from the transport and never learn which one they got.
 */
export interface Transport {
	readonly edition: 'full' | 'verified';
	/** One request, retried where that is safe (exchange.ts); the final answer whatever its status. */
	send(req: HttpRequest, options?: SendOptions): Promise<HttpResponse>;
	/** What a node's context lends `send`: n8n's egress policy (full) or n8n's own HTTP helper (verified). */
	egressOf(ctx: { helpers?: object }): EgressFilter | undefined;
	/** The OAuth token cache every credential shares. */
	readonly tokens: TokenHelper;
	/** Concurrency budgets that belong to an account (CleverTap's 3 reads), shared by every execution it reaches. */
	readonly limiter: ConcurrencyLimiter;
	/** Wait; rejects with TransportError 'aborted' when the execution is cancelled. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	/** Check PEM material before it is used, naming the field that is wrong; returns it rebuilt. */
	validateTlsMaterial(tls: TlsMaterial): TlsMaterial;
}

export const transport: Transport = edition;

export const send = (req: HttpRequest, options?: SendOptions) => edition.send(req, options);
export const egressOf = (ctx: { helpers?: object }) => edition.egressOf(ctx);
export const tokens = edition.tokens;
export const sleep = (ms: number, signal?: AbortSignal) => edition.sleep(ms, signal);
export const validateTlsMaterial = (tls: TlsMaterial) => edition.validateTlsMaterial(tls);
