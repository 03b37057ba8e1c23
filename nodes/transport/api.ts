import type { IDataObject } from 'n8n-workflow';
import { send, tokens } from './seam';
import type { HttpRequest, HttpResponse, SendOptions } from './exchange';
import { ApiError, isStateChanging, NothingSent, outcomeOf } from './errors';
import { parseTokenResponse, type CachedToken, type TokenHelper } from './token';
import { redact } from './redact';

/** Everything a service needs to call its API with a cached OAuth token. Built once per credential. */
export interface ApiClient {
	/** Token cache key (see tokenCacheKey): never contains the secret. */
	tokenKey: string;
	fetchToken: () => Promise<CachedToken>;
	/** Add the token to a request (Authorization: Bearer, usually). */
	authorize: (req: HttpRequest, accessToken: string) => HttpRequest;
	send: SendOptions;
	/** Secret values of the credential, removed from anything logged. */
	secrets: ReadonlyArray<string | undefined>;
	log?: (message: string) => void;
	helper?: TokenHelper;
	/**
	 * Why this service must never fall back to a per-worker token when the shared store (Redis, in queue mode) is
	 * unreachable; unset where a per-worker token is merely wasteful. See TokenOptions.
	 */
	sharedTokenRequired?: string;
}

export const bearer = (req: HttpRequest, accessToken: string): HttpRequest => ({
	...req,
	headers: { ...req.headers, authorization: `Bearer ${accessToken}` },
});

/** What the request itself met, as opposed to what happened before it went out (the token, the shared store). */
class CallFailure {
	constructor(readonly error: unknown) {}
}

/**
 * Call the API with the cached token; a 401 replaces the token (only if it is still the cached one) and retries
 * once. Returns the body of a 2xx answer; throws ApiError for any other status and TransportError below HTTP.
 * Only what the request itself met can make a state-changing call's outcome unknown; a failure before it went out
 * (no token, the shared store) becomes NothingSent.
 */
export async function callApi(client: ApiClient, req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
	const options: SendOptions = {
		...client.send,
		signal,
		onRetry: ({ attempt, reason, delayMs }) =>
			client.log?.(redact(`retry ${attempt} of ${req.method} ${new URL(req.url).pathname} after ${reason}, waiting ${delayMs} ms`, client.secrets)),
	};
	const helper = client.helper ?? tokens;
	let res: HttpResponse;
	try {
		res = await helper.withToken(client.tokenKey, client.fetchToken, async (accessToken) => {
			// Marks a failure of the call itself, as against the token step around it.
			let sent: HttpResponse;
			try {
				sent = await send(client.authorize(req, accessToken), options);
			} catch (error) {
				return Promise.reject(new CallFailure(error));
			}
			return { unauthorized: sent.status === 401, value: sent };
		}, { sharedTokenRequired: client.sharedTokenRequired });
	} catch (error) {
		// A Create or Amend whose answer was lost becomes UnknownOutcome: it may have taken effect.
		if (error instanceof CallFailure) throw outcomeOf(req, error.error);
		throw isStateChanging(req) ? new NothingSent(req.action ?? `the ${req.method} ${new URL(req.url).pathname}`, error) : error;
	}
	if (res.status < 200 || res.status >= 300) throw outcomeOf(req, new ApiError(res));
	return res;
}

/** A signal that aborts when any of these does (the execution's, and a list's when a sibling page failed). */
export function eitherSignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
	const given = signals.filter((s): s is AbortSignal => s !== undefined);
	return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/** OAuth 2.0 client-credentials token request, the way all four vendors take it (form body, Basic-style header). */
export async function requestToken(options: {
	url: string;
	headers: Record<string, string>;
	form?: Record<string, string>;
	send?: SendOptions;
	now?: () => number;
}): Promise<CachedToken> {
	const res = await send(
		// Retrying a token request is harmless even for Conferma: only the last token issued is kept and used.
		{ method: 'POST', url: options.url, headers: options.headers, form: options.form ?? { grant_type: 'client_credentials' }, idempotent: true },
		options.send,
	);
	if (res.status < 200 || res.status >= 300) throw new ApiError(res, 'token');
	return parseTokenResponse((res.body ?? {}) as IDataObject, (options.now ?? Date.now)());
}

export const basicAuth = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
