import { setTimeout as wait } from 'timers/promises';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	ApiError,
	backoffMs,
	credentialText,
	DEFAULT_RETRY,
	redact,
	send,
	sharedState,
	toNodeError,
	TransportError,
	type ConcurrencyLimiter,
	type Explained,
	type HttpRequest,
	type HttpResponse,
	type ServiceErrors,
	type TlsMaterial,
} from '../../transport';
import { attributeRejections, type Attribution } from './upload';
export { MAX_UPLOAD_RECORDS } from './upload';

export const REGIONS = {
	eu1: 'Europe',
	in1: 'India',
	sg1: 'Singapore',
	us1: 'United States',
	aps3: 'Indonesia',
	mec1: 'Middle East (UAE)',
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

/** Europe is the bare `api.clevertap.com`; every other region has its own host. */
export function cleverTapBase(c: Pick<CleverTapCredentials, 'region' | 'baseUrl'>): string {
	const base = c.baseUrl ? c.baseUrl.split('{region}').join(c.region) : c.region === 'eu1' ? 'https://api.clevertap.com' : `https://${c.region}.api.clevertap.com`;
	return base.replace(/\/+$/, '');
}

/**
 * CleverTap's limits are on concurrency, per account: 3 requests in flight for profiles, events, counts,
 * campaigns and reports, 15 for upload (api-facts §2). Over them it answers 429 with no Retry-After.
 */
export const LIMITS = { read: 3, upload: 15 } as const;
export type CallKind = keyof typeof LIMITS;

/**
 * The one place the account limiter comes from. In-memory, it keeps every execution of this process under the
 * account's limit; in queue mode (several workers) a Redis one keeps all workers under it together, falling back
 * to this worker's own (with a warning) while Redis is unreachable: a 429 is retried, so that is safe.
 */
export function accountLimiter(): ConcurrencyLimiter {
	return sharedState().limiter;
}

/** Polls of the cursor flow and of counts: 250 ms, doubling, at most 5 s apart, until the caller's deadline. */
const POLL = { ...DEFAULT_RETRY, baseDelayMs: 250, maxDelayMs: 5_000 };
/** Failures this client finds itself, with what to do about them. */
const OWN_FAILURES: Record<string, string> = {
	CLEVERTAP_STILL_IN_PROGRESS: 'Raise "Wait Up To" in the node\'s options, or ask for a shorter date range.',
	CLEVERTAP_NO_COUNT: 'CleverTap\'s answer did not have the expected shape; try again, and report it if it persists.',
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
/** The cursor flow's "page not ready yet": status fail with code 2 (api-facts §2). */
export const stillInProgress = (body: unknown) => fieldOf(body).status === 'fail' && Number(fieldOf(body).code) === 2;
export const isExpiredPasscode = (res: HttpResponse) => res.status === 401 && /expire/i.test(saidBy(res.body) ?? '');

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
				return {
					message: 'CleverTap answered 429 "Too many concurrent requests", still after retries',
					description:
						'CleverTap allows 3 requests in flight per account for reads and 15 for uploads. The node keeps every execution of this n8n process under that, so something else (another application, or another n8n instance or worker) uses this account at the same time: space them out.',
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
					description: /credential/i.test(said ?? '') ? 'Check the account id and passcode in the credential.' : "Check the node's parameters: dates, event name, batch size (at most 5000).",
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

/** CleverTap bound to one credential: headers, the account's concurrency limit, error mapping. */
export class CleverTap {
	readonly base: string;
	readonly errors: ServiceErrors;
	private readonly tls: TlsMaterial;

	constructor(
		readonly credentials: CleverTapCredentials,
		private readonly signal?: AbortSignal,
		private readonly log?: (message: string) => void,
	) {
		this.base = cleverTapBase(credentials);
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
	 * One call, holding one of the account's slots only while it is in flight. Returns the JSON body of a 2xx answer;
	 * throws ApiError for any other status and for `status: "fail"` (CleverTap says it with HTTP 200 too), unless
	 * `answer` takes that body as an answer (a page still in progress, an upload whose records were all refused).
	 */
	async call(
		kind: CallKind,
		req: Omit<HttpRequest, 'url' | 'headers'> & { path: string },
		options: { answer?: (body: IDataObject) => boolean } = {},
	): Promise<IDataObject> {
		const { path, ...rest } = req;
		const request: HttpRequest = {
			...rest,
			url: `${this.base}${path}`,
			headers: { 'x-clevertap-account-id': this.credentials.accountId, 'x-clevertap-passcode': this.credentials.passcode },
		};
		let release: () => Promise<void>;
		try {
			release = await accountLimiter().acquire(this.limitKey(kind), LIMITS[kind], this.signal);
		} catch {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the operation maps it with toNodeError
			throw new TransportError('aborted', 'The execution was cancelled');
		}
		let res: HttpResponse;
		try {
			res = await send(request, {
				tls: this.tls,
				signal: this.signal,
				onRetry: ({ attempt, reason, delayMs }) =>
					this.log?.(redact(`CleverTap: retry ${attempt} of ${req.method} ${new URL(request.url).pathname} after ${reason}, waiting ${delayMs} ms`, this.secrets)),
			});
		} finally {
			await release();
		}
		if (res.status < 200 || res.status >= 300) throw new ApiError(res);
		const body = (res.body && typeof res.body === 'object' ? res.body : {}) as IDataObject;
		if (body.status === 'fail' && !options.answer?.(body)) throw new ApiError(res);
		return body;
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
			try {
				await wait(delay, undefined, { signal: this.signal });
			} catch {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the operation maps it with toNodeError
				throw new TransportError('aborted', 'The execution was cancelled');
			}
		}
	}

	/**
	 * The cursor flow of profiles and events: a query opens a cursor, each page gives the next one until there is
	 * none. A page CleverTap is still preparing is waited for, not failed.
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
		let cursor = typeof opened.cursor === 'string' ? opened.cursor : undefined;
		while (cursor && out.length < options.limit) {
			const current = cursor;
			const page = await this.until(
				'page',
				() => this.call('read', { method: 'GET', path, query: { cursor: current } }, { answer: stillInProgress }),
				(body) => !stillInProgress(body),
				options.maxWaitMs,
			);
			const records = Array.isArray(page.records) ? (page.records as IDataObject[]) : [];
			out.push(...records);
			cursor = records.length && typeof page.next_cursor === 'string' ? page.next_cursor : undefined;
		}
		return out.slice(0, options.limit);
	}

	/** Counts are asynchronous: the query answers a req_id, polled until it has the count. */
	async count(kind: 'profiles' | 'events', query: { eventName: string; from: number; to: number }, maxWaitMs: number): Promise<number> {
		const path = `/1/counts/${kind}.json`;
		const opened = await this.call('read', { method: 'POST', path, json: { event_name: query.eventName, from: query.from, to: query.to }, idempotent: true });
		const reqId = opened.req_id;
		const done =
			opened.status === 'success' || (typeof reqId !== 'string' && typeof reqId !== 'number')
				? opened
				: await this.until('count', () => this.call('read', { method: 'GET', path, query: { req_id: String(reqId) } }), (b) => b.status !== 'partial', maxWaitMs);
		if (typeof done.count !== 'number') throw new TransportError('malformed', 'CleverTap answered the count without a count', 'CLEVERTAP_NO_COUNT');
		return done.count;
	}

	/** A read that is a POST with a JSON query (campaigns, reports): nothing changes on CleverTap's side. */
	query(path: string, json: IDataObject) {
		return this.call('read', { method: 'POST', path, json, idempotent: true });
	}

	/**
	 * One upload call (at most 1000 records). POST is not sent twice after a failure that may have reached CleverTap
	 * (events would be counted twice); a 429 is retried, CleverTap did nothing with it.
	 */
	async upload(records: IDataObject[]): Promise<Attribution> {
		const body = await this.call('upload', { method: 'POST', path: '/1/upload', json: { d: records } }, { answer: (b) => Array.isArray(b.unprocessed) });
		return attributeRejections(records, Array.isArray(body.unprocessed) ? body.unprocessed : []);
	}

	toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, itemIndex?: number) {
		return toNodeError(ctx.getNode(), error, { errors: this.errors, itemIndex, secrets: this.secrets });
	}
}

export async function cleverTapFor(ctx: IExecuteFunctions): Promise<CleverTap> {
	const data = await ctx.getCredentials('cleverTapApi');
	return new CleverTap(readCredentials(data), ctx.getExecutionCancelSignal?.(), (m) => ctx.logger.debug(m));
}
