import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	ApiError,
	backoffMs,
	credentialText,
	DEFAULT_RETRY,
	describeShape,
	egressOf,
	headerValue,
	httpsUrl,
	InvalidInput,
	outcomeOf,
	readPage,
	redact,
	requiredText,
	send,
	sleep,
	transport,
	toNodeError,
	TransportError,
	UnknownOutcome,
	type ConcurrencyLimiter,
	type EgressFilter,
	type Explained,
	type HttpRequest,
	type HttpResponse,
	type ServiceErrors,
	type TlsMaterial,
} from '../../transport';
import { attributeRejections, type Attribution } from './upload';
export { MAX_UPLOAD_RECORDS, uploadCode } from './upload';

export const REGIONS = {
	eu1: 'Europe',
	in1: 'India',
	sg1: 'Singapore',
	us1: 'United States',
	aps3: 'Indonesia',
	mec1: 'Middle East (UAE)',
	// On CleverTap's product pages (docs.clevertap.com), not in the API reference's table nor the official SDK.
	sk1: 'South Korea',
} as const;
export type Region = keyof typeof REGIONS;

export interface CleverTapCredentials {
	accountId: string;
	passcode: string;
	region: Region;
	/** May contain `{region}`, so one proxy (or the sandbox) can stand for every regional host. */
	baseUrl?: string;
	caCertificate?: string;
}

export function readCredentials(data: ICredentialDataDecryptedObject): CleverTapCredentials {
	const s = credentialText(data);
	return {
		accountId: s('accountId'),
		passcode: s('passcode'),
		region: s('region') in REGIONS ? (s('region') as Region) : 'eu1',
		baseUrl: s('baseUrl') || undefined,
		caCertificate: s('caCertificate') || undefined,
	};
}

export const regionName = (r: Region) => `${REGIONS[r]} (${r})`;

/**
 * What is wrong with the credential, found before anything is sent: a passcode or account id with a line break
 * (it would split the header), a base URL override that is not https (the passcode would travel in clear).
 */
export function credentialProblem(c: CleverTapCredentials): InvalidInput | undefined {
	try {
		headerValue(requiredText(c.accountId, 'Account ID'), 'Account ID');
		headerValue(requiredText(c.passcode, 'Passcode'), 'Passcode');
		httpsUrl(c.baseUrl, 'Base URL Override');
		return undefined;
	} catch (error) {
		// Only InvalidInput can come from these checks.
		const bad = error as InvalidInput;
		return new InvalidInput(bad.field, `The CleverTap credential's ${bad.message}`, `${bad.description ?? ''} Nothing was sent.`.trim());
	}
}

/** Europe is the bare `api.clevertap.com`; every other region has its own host. */
export function cleverTapBase(c: Pick<CleverTapCredentials, 'region' | 'baseUrl'>): string {
	const base = c.baseUrl ? c.baseUrl.split('{region}').join(c.region) : c.region === 'eu1' ? 'https://api.clevertap.com' : `https://${c.region}.api.clevertap.com`;
	return base.replace(/\/+$/, '');
}

/**
 * CleverTap's limits are on concurrency, per account (developer.clevertap.com/docs/api-request-limit): 3 requests in
 * flight for each read API (profiles, events, counts, campaigns, reports) and for Delete, Demerge, Create and Stop
 * Campaign; 15 for upload. Over them it answers 429 with no Retry-After. All reads share one budget of 3 and all
 * actions another: stricter than one budget per API, and a long export never holds back an erasure request.
 * `campaign` (Create Campaign and its estimate) is also an action, and besides one at a time: see CAMPAIGN_SPACING_MS.
 * Subscribe has no request limit (dev:docs/subscribe-api), so it waits for no slot.
 */
export const LIMITS = { read: 3, write: 3, upload: 15, campaign: 1, subscribe: Infinity } as const;
export type CallKind = keyof typeof LIMITS;

/**
 * Create Campaign's rate: "3 requests per second" on one version of dev:docs/create-campaign-api, "1 request per
 * second" on another. The stricter is kept: one request at a time, its turn held this long after its answer, so the
 * next one reaches CleverTap at least a second later. Estimate is the same endpoint and shares it.
 */
export const CAMPAIGN_SPACING_MS = 1000;

/** The slots a call of each kind takes, in this order (always this order: two kinds never wait for each other in a circle). */
const SLOTS: Record<CallKind, Array<Exclude<CallKind, 'subscribe'>>> = { read: ['read'], write: ['write'], upload: ['upload'], campaign: ['campaign', 'write'], subscribe: [] };

/**
 * The one place the account limiter comes from. In-memory, it keeps every execution of this process under the
 * account's limit; in queue mode (several workers) a Redis one keeps all workers under it together, falling back
 * to this worker's own (with a warning) while Redis is unreachable: a 429 is retried, so that is safe.
 */
export function accountLimiter(): ConcurrencyLimiter {
	return transport.limiter;
}

/** Polls of the cursor flow and of counts: 250 ms, doubling, at most 5 s apart, until the caller's deadline. */
const POLL = { ...DEFAULT_RETRY, baseDelayMs: 250, maxDelayMs: 5_000 };
/** Pages in a row that bring no record while CleverTap keeps giving a next cursor, before the node gives up. */
const MAX_EMPTY_PAGES = 1000;
/** Failures this client finds itself, with what to do about them. */
const OWN_FAILURES: Record<string, string> = {
	CLEVERTAP_STILL_IN_PROGRESS: 'Raise "Wait Up To" in the node\'s options, or ask for a shorter date range.',
	CLEVERTAP_NO_RESULT: "Nothing was returned rather than a wrong number. Check that the credential points at CleverTap's API; if it does, CleverTap's answer has changed shape.",
	CLEVERTAP_CURSOR_LOOP: 'Nothing was returned rather than a partial list. Try again; if it persists, ask for a shorter date range.',
};

interface FailBody {
	status?: string;
	error?: unknown;
	code?: unknown;
	message?: unknown;
}

const fieldOf = (body: unknown): FailBody => (body && typeof body === 'object' ? (body as FailBody) : {});
const saidBy = (body: unknown) => {
	const b = fieldOf(body);
	const text = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : typeof body === 'string' ? body.slice(0, 200) : undefined;
	return text || undefined;
};
/** The cursor flow's "page not ready yet": status fail with code 2. */
export const stillInProgress = (body: unknown) => fieldOf(body).status === 'fail' && Number(fieldOf(body).code) === 2;
export const isExpiredPasscode = (res: HttpResponse) => res.status === 401 && /expire/i.test(saidBy(res.body) ?? '');

/**
 * CleverTap's cursors come percent-encoded and must go back exactly as received: encoding one again makes CleverTap
 * answer "Incorrect Usage". One with characters a cursor never has is encoded, so it cannot change the URL.
 */
const cursorInUrl = (cursor: string) => (/^[A-Za-z0-9%_\-.~+=/]+$/.test(cursor) ? cursor : encodeURIComponent(cursor));
const cursorOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** A count's `req_id` as the digits CleverTap sent: a long integer, which JSON numbers beyond 2^53 cannot hold. */
function requestId(value: unknown): string {
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	if (typeof value === 'string' && /^\d{1,30}$/.test(value)) return value;
	if (typeof value === 'number') {
		throw new TransportError('unexpected', `CleverTap answered with a req_id (${value}) too large to be read exactly, so it cannot be asked for again`, 'CLEVERTAP_NO_RESULT');
	}
	throw new TransportError('unexpected', `CleverTap answered "partial" without a req_id to ask again with (${describeShape(value)})`, 'CLEVERTAP_NO_RESULT');
}

export function cleverTapErrors(c: Pick<CleverTapCredentials, 'region' | 'baseUrl'>): ServiceErrors {
	const where = c.baseUrl ? cleverTapBase(c) : `region ${regionName(c.region)}`;
	return {
		service: 'CleverTap',
		describe(res): Explained | undefined {
			const said = saidBy(res.body);
			const quoted = said ? ` CleverTap said: "${said}".` : '';
			if (isExpiredPasscode(res)) {
				return {
					message: 'The CleverTap passcode has expired (HTTP 401)',
					description: `Create a new passcode in CleverTap (Settings > Passcodes), or ask an admin to renew your user passcode, and paste it into the credential.${quoted}`,
				};
			}
			if (res.status === 401) {
				return {
					message: `CleverTap refused the account id, passcode or region (HTTP 401: ${said ?? 'Invalid credentials or URL'})`,
					description: `CleverTap gives this same answer to a wrong passcode and to the wrong region (this credential uses ${where}). Open the credential and click "Test": it tells which one is wrong.`,
				};
			}
			if (res.status === 429) {
				const retried = (res.attempts ?? 1) > 1 ? `, still after ${(res.attempts ?? 1) - 1} ${(res.attempts ?? 1) === 2 ? 'retry' : 'retries'}` : '';
				return {
					message: `CleverTap answered 429 "Too many concurrent requests"${retried}`,
					description:
						'CleverTap allows 3 requests in flight per account for reads and for actions, and 15 for uploads (Create Campaign also one a second). The node keeps every execution of this n8n process under that, so something else (another application, or another n8n instance or worker) uses this account at the same time: space them out.',
				};
			}
			if (res.status === 403 && /whitelist/i.test(said ?? '')) {
				return {
					message: `CleverTap refused the partner (HTTP 403): ${said}`,
					description: 'Only partner names CleverTap has whitelisted can use Partner Connect; to get one whitelisted, write to CleverTap support.',
				};
			}
			if (res.status === 403) {
				return {
					message: `CleverTap refused access (HTTP 403)${said ? `: ${said}` : ''}`,
					description: 'The passcode is valid but not allowed to do this; a user passcode may lack the permission. Ask a CleverTap admin.',
				};
			}
			if (res.status === 400) {
				return {
					message: `CleverTap rejected the request (HTTP 400)${said ? `: ${said}` : ''}`,
					description: /credential/i.test(said ?? '') ? 'Check the account id and passcode in the credential.' : "Check the node's parameters: dates, event name, ids, batch size (at most 5000).",
				};
			}
			if (res.status >= 200 && res.status < 300) {
				const code = fieldOf(res.body).code;
				return {
					message: `CleverTap answered "fail"${said ? `: ${said}` : ''}${code !== undefined ? ` (code ${String(code)})` : ''}`,
					description: /not found/i.test(said ?? '')
						? 'Check the value looked up: it may belong to another CleverTap account or region.'
						: 'CleverTap refused the request although it answered HTTP 200.',
				};
			}
			return undefined;
		},
		transport(error) {
			const description = OWN_FAILURES[error.code ?? ''];
			return description ? { message: error.message, description } : undefined;
		},
	};
}

/** What a state-changing call is, for the error of an ambiguous outcome: its name and how to find out. */
export interface Action {
	action: string;
	howToCheck: string;
}

/** CleverTap bound to one credential: headers, the account's concurrency limit, error mapping. */
export class CleverTap {
	readonly base: string;
	readonly errors: ServiceErrors;
	/** Set when the credential cannot be used: every call then fails with it before anything is sent. */
	readonly problem?: InvalidInput;
	private readonly tls: TlsMaterial;

	constructor(
		readonly credentials: CleverTapCredentials,
		private readonly signal?: AbortSignal,
		private readonly log?: (message: string) => void,
		/** n8n's outbound network policy, where n8n offers one (≥ 2.41). */
		private readonly egress?: EgressFilter,
	) {
		this.problem = credentialProblem(credentials);
		this.base = this.problem ? '' : cleverTapBase(credentials);
		this.errors = cleverTapErrors(credentials);
		this.tls = { ca: credentials.caCertificate };
	}

	get secrets() {
		return [this.credentials.passcode];
	}

	/** The limit is the account's, wherever its requests come from; the base keeps two sandboxes apart. */
	private limitKey(kind: CallKind) {
		return `clevertap ${this.credentials.accountId} ${this.base} ${kind}`;
	}

	/**
	 * One call, holding the account's slots of its kind only while it is in flight (a `campaign` call keeps its turn
	 * CAMPAIGN_SPACING_MS after its answer). Returns the JSON body of a 2xx answer; throws ApiError for any other
	 * status and for `status: "fail"` (CleverTap says it with HTTP 200 too), unless `answer` takes that body as an
	 * answer (a page still in progress, an upload whose records were all refused). A state-changing call without a
	 * clear answer is UnknownOutcome.
	 */
	async call(kind: CallKind, req: Omit<HttpRequest, 'url' | 'headers'> & { path: string }, options: { answer?: (body: IDataObject) => boolean } = {}): Promise<IDataObject> {
		if (this.problem) throw this.problem;
		const { path, ...rest } = req;
		const request: HttpRequest = {
			...rest,
			url: `${this.base}${path}`,
			headers: { 'x-clevertap-account-id': this.credentials.accountId, 'x-clevertap-passcode': this.credentials.passcode },
		};
		const held: Array<() => Promise<void>> = [];
		/** Last taken, first given back; a campaign turn only CAMPAIGN_SPACING_MS after a request that went out. */
		const release = async (sent: boolean) => {
			for (let n = held.length - 1; n >= 0; n--) {
				if (n === 0 && sent && kind === 'campaign') await sleep(CAMPAIGN_SPACING_MS).catch(() => undefined);
				await held[n]();
			}
		};
		const acquired = await (async () => {
			for (const slot of SLOTS[kind]) held.push(await accountLimiter().acquire(this.limitKey(slot), LIMITS[slot], this.signal));
		})().then(
			() => true,
			() => false,
		);
		if (!acquired) {
			await release(false);
			return Promise.reject(new TransportError('aborted', 'The execution was cancelled'));
		}
		try {
			let res: HttpResponse;
			try {
				res = await send(request, {
					tls: this.tls,
					egress: this.egress,
					signal: this.signal,
					onRetry: ({ attempt, reason, delayMs }) =>
						this.log?.(redact(`CleverTap: retry ${attempt} of ${req.method} ${new URL(request.url).pathname} after ${reason}, waiting ${delayMs} ms`, this.secrets)),
				});
			} finally {
				await release(true);
			}
			if (res.status < 200 || res.status >= 300) throw new ApiError(res);
			if (!res.body || typeof res.body !== 'object' || Array.isArray(res.body)) {
				throw new TransportError('unexpected', `CleverTap answered with ${describeShape(res.body)}, not a JSON object`, 'CLEVERTAP_NO_RESULT', res.status);
			}
			const body = res.body as IDataObject;
			if (body.status === 'fail' && !options.answer?.(body)) throw new ApiError(res);
			return body;
		} catch (error) {
			// An Upload, Delete or Create whose answer was lost may have taken effect: it says so, and how to check.
			throw outcomeOf(request, error);
		}
	}

	/** Call `fetch` until `ready` says so, with growing pauses (no slot held while pausing), for at most `maxWaitMs`. */
	private async until(what: string, fetch: () => Promise<IDataObject>, ready: (body: IDataObject) => boolean, maxWaitMs: number) {
		const started = Date.now();
		for (let n = 0; ; n++) {
			const body = await fetch();
			if (ready(body)) return body;
			const delay = backoffMs(n, POLL);
			if (Date.now() - started + delay > maxWaitMs) {
				throw new TransportError('timeout', `CleverTap was still preparing the ${what} after ${n + 1} tries in ${Math.round((Date.now() - started) / 1000)} s`, 'CLEVERTAP_STILL_IN_PROGRESS');
			}
			await sleep(delay, this.signal);
		}
	}

	/**
	 * The cursor flow of profiles and events: a query opens a cursor, each page gives the next one. As CleverTap's
	 * pages say ("repeat until the cursor is not returned") and its SDK does, reading goes on while a cursor comes,
	 * even after a page with no records. A page CleverTap is still preparing is waited for, not failed.
	 */
	async cursorList(
		kind: 'profiles' | 'events',
		query: { eventName: string; from: number; to: number },
		options: { limit: number; batchSize: number; maxWaitMs: number },
	): Promise<IDataObject[]> {
		const path = `/1/${kind}.json`;
		const opened = await this.call('read', {
			method: 'POST',
			path,
			query: { batch_size: Math.min(options.batchSize, options.limit) },
			json: { event_name: query.eventName, from: query.from, to: query.to },
			// Opening a cursor changes nothing on CleverTap's side, so it may be sent again after a broken connection.
			idempotent: true,
		});
		const out: IDataObject[] = [];
		const seen = new Set<string>();
		let empty = 0;
		let cursor = cursorOf(opened.cursor ?? opened.next_cursor);
		if (!cursor) throw new TransportError('unexpected', `CleverTap answered the query without a cursor (${describeShape(opened)})`, 'CLEVERTAP_NO_RESULT');
		while (cursor && out.length < options.limit) {
			if (seen.has(cursor)) throw new TransportError('unexpected', 'CleverTap gave a cursor it had already given, so the list would never end', 'CLEVERTAP_CURSOR_LOOP');
			seen.add(cursor);
			const current = `${path}?cursor=${cursorInUrl(cursor)}`;
			const page = await this.until('page', () => this.call('read', { method: 'GET', path: current }, { answer: stillInProgress }), (body) => !stillInProgress(body), options.maxWaitMs);
			// A range with nothing in it answers no `records` at all; anything else must be a list.
			const records = page.records === undefined ? [] : readPage(page, 'CleverTap', ['records']).items;
			out.push(...records);
			empty = records.length ? 0 : empty + 1;
			if (empty > MAX_EMPTY_PAGES) throw new TransportError('unexpected', `CleverTap gave ${empty} pages in a row with no records and a next cursor each time`, 'CLEVERTAP_CURSOR_LOOP');
			cursor = cursorOf(page.next_cursor ?? page.cursor);
		}
		return out.slice(0, options.limit);
	}

	/**
	 * Counts, top property counts and trends are computed in the background: the query answers the result at once,
	 * or `partial` with a `req_id` that is asked for again until it is ready.
	 */
	async computed(path: string, json: IDataObject, what: string, maxWaitMs: number): Promise<IDataObject> {
		const opened = await this.call('read', { method: 'POST', path, json, idempotent: true });
		if (opened.status === 'success') return opened;
		if (opened.status !== 'partial') throw new TransportError('unexpected', `CleverTap answered the ${what} with ${describeShape(opened)}, not a result`, 'CLEVERTAP_NO_RESULT');
		const reqId = requestId(opened.req_id);
		const done = await this.until(what, () => this.call('read', { method: 'GET', path, query: { req_id: reqId } }), (b) => b.status !== 'partial', maxWaitMs);
		if (done.status !== 'success') throw new TransportError('unexpected', `CleverTap answered the ${what} with ${describeShape(done)}, not a result`, 'CLEVERTAP_NO_RESULT');
		return done;
	}

	async count(kind: 'profiles' | 'events', query: { eventName: string; from: number; to: number }, maxWaitMs: number): Promise<number> {
		const done = await this.computed(`/1/counts/${kind}.json`, { event_name: query.eventName, from: query.from, to: query.to }, 'count', maxWaitMs);
		if (typeof done.count !== 'number') throw new TransportError('unexpected', `CleverTap answered the count without a count (${describeShape(done)})`, 'CLEVERTAP_NO_RESULT');
		return done.count;
	}

	/** A read that is a POST with a JSON query (campaigns, reports): nothing changes on CleverTap's side. */
	query(path: string, json: IDataObject) {
		return this.call('read', { method: 'POST', path, json, idempotent: true });
	}

	/** A call that changes something (delete, demerge, campaigns): sent once, never again on an ambiguous failure. */
	act(path: string, json: IDataObject, action: Action, kind: 'write' | 'campaign' = 'write') {
		return this.call(kind, { method: 'POST', path, json, idempotent: false, ...action });
	}

	/**
	 * A batch of records (upload, subscribe), at most 1000 a call: the records CleverTap lists as `unprocessed` are
	 * mapped back to their place in the batch. POST is not sent twice after a failure that may have reached CleverTap
	 * (events would be counted twice); a 429 is retried, CleverTap did nothing with it.
	 */
	async batch(kind: 'upload' | 'subscribe', path: string, records: IDataObject[], action: Action): Promise<Attribution> {
		const body = await this.call(kind, { method: 'POST', path, json: { d: records }, idempotent: false, ...action }, { answer: (b) => Array.isArray(b.unprocessed) });
		if (!Array.isArray(body.unprocessed) && body.status !== 'success') {
			// Not CleverTap's answer to a batch: whether the records were stored cannot be told.
			const failure = new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a batch result`, 'CLEVERTAP_NO_RESULT', 200);
			throw new UnknownOutcome(action.action, failure, action.howToCheck);
		}
		return attributeRejections(records, Array.isArray(body.unprocessed) ? body.unprocessed : []);
	}

	toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, itemIndex?: number) {
		return toNodeError(ctx.getNode(), error, { errors: this.errors, itemIndex, secrets: this.secrets });
	}
}

export async function cleverTapFor(ctx: IExecuteFunctions): Promise<CleverTap> {
	const data = await ctx.getCredentials('cleverTapApi');
	return new CleverTap(readCredentials(data), ctx.getExecutionCancelSignal?.(), (m) => ctx.logger.debug(m), egressOf(ctx));
}
