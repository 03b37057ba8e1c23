import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	ApiError,
	basicAuth,
	callApi,
	credentialText,
	oneLineFields,
	egressOf,
	httpsUrl,
	requestToken,
	tokenCacheKey,
	toNodeError,
	type ApiClient,
	type EgressFilter,
	type Explained,
	type HttpRequest,
	type HttpResponse,
	type ServiceErrors,
	type TlsMaterial,
} from '../../transport';

export const ENVIRONMENTS = {
	production: 'api',
	sandbox: 'api-sandbox',
	test: 'api-test',
	dev: 'api-dev',
	lab: 'api-lab',
} as const;

export type ClaroEnvironment = keyof typeof ENVIRONMENTS;

export interface ClaroCredentials {
	environment: ClaroEnvironment;
	key: string;
	secret: string;
	baseUrl?: string;
	caCertificate?: string;
}

export function readCredentials(data: ICredentialDataDecryptedObject): ClaroCredentials {
	const s = credentialText(data);
	const environment = s('environment') in ENVIRONMENTS ? (s('environment') as ClaroEnvironment) : 'production';
	return { environment, key: s('key'), secret: s('secret'), baseUrl: s('baseUrl') || undefined, caCertificate: s('caCertificate') || undefined };
}

/** Throws InvalidInput naming the field for an override that is not https (the key and secret would travel in clear). */
export function claroOrigin(c: Pick<ClaroCredentials, 'environment' | 'baseUrl'>) {
	const override = httpsUrl(c.baseUrl, 'Base URL Override');
	return (override || `https://${ENVIRONMENTS[c.environment]}.claro.com.br`).replace(/\/+$/, '');
}

/** One Face Match answer, as this node outputs it (the CPF is added masked by the operation). */
export interface FaceMatchAnswer {
	found: boolean;
	versions: string[];
	biohashs: string[];
	transactionId?: string;
}

interface ClaroErrorEnvelope {
	transactionId?: string;
	error?: { httpCode?: string | number; errorCode?: string; message?: string; detailedMessage?: string; link?: string };
}

/** Apigee's own refusals at the token endpoint: `{ErrorCode, Error}` or `{fault:{faultstring, detail:{errorcode}}}`. */
function gatewaySaid(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const b = body as IDataObject & { fault?: { faultstring?: string; detail?: { errorcode?: string } } };
	if (typeof b.Error === 'string') return `${b.ErrorCode ?? 'error'}: ${b.Error}`;
	if (b.fault?.faultstring) return `${b.fault.detail?.errorcode ?? 'fault'}: ${b.fault.faultstring}`;
	if (typeof b.error_description === 'string') return `${b.error}: ${b.error_description}`;
	return undefined;
}

const WHAT_TO_DO: Record<number, string> = {
	400: 'Claro could not understand the request; this is a defect of the node if the CPF was valid — report it with the transaction id.',
	401: 'Claro rejected the access token, also a freshly issued one: check that the key belongs to an app subscribed to Face Match in this environment.',
	403: 'The app behind this key is not allowed to use Face Match: ask Claro to subscribe it to the Identity Facial Biometrics product (or check the plan has answers left).',
	404: 'There is no Face Match API at this address: check Environment and Base URL Override in the credential.',
	429: 'Claro is rate limiting these checks, still after retries: run fewer items at once or space the executions out.',
};

export function claroErrors(c: Pick<ClaroCredentials, 'environment' | 'baseUrl'>): ServiceErrors {
	const where = c.baseUrl ? claroOrigin(c) : `the ${c.environment} environment`;
	return {
		service: 'Claro',
		describe(res: HttpResponse, stage): Explained | undefined {
			if (stage === 'token') {
				const said = gatewaySaid(res.body);
				if (res.status === 400 || res.status === 401 || res.status === 403) {
					return {
						message: `Claro did not issue a token (HTTP ${res.status}): the key or secret is wrong for ${where}`,
						description: `Check Key, Secret and Environment in the credential: Claro issues keys per environment.${said ? ` Claro said: "${said}".` : ''}`,
					};
				}
				if (res.status === 404) {
					return {
						message: `No Claro token endpoint at ${claroOrigin(c)}/oauth2/v1/token (HTTP 404)`,
						description: 'Check Environment and Base URL Override in the credential.',
					};
				}
				return undefined;
			}
			const envelope = (res.body && typeof res.body === 'object' ? res.body : {}) as ClaroErrorEnvelope;
			const e = envelope.error;
			if (!e || typeof e !== 'object') return undefined;
			const code = e.errorCode ? ` ${e.errorCode}` : '';
			const text = [e.message, e.detailedMessage].filter((t) => typeof t === 'string' && t !== '').join(' — ');
			const fallback = res.status >= 500 ? 'Claro had a server error, still after retries: try again later.' : undefined;
			const hint = WHAT_TO_DO[res.status] ?? fallback;
			const refs = [envelope.transactionId && `Claro transaction id: ${envelope.transactionId}`, e.link && `See ${e.link}`].filter(Boolean).join('. ');
			return {
				message: `Claro answered HTTP ${res.status}${code}${text ? `: ${text}` : ''}`,
				description: [hint, refs].filter(Boolean).join(' ') || undefined,
			};
		},
	};
}

function asStrings(value: unknown): string[] {
	// Version 1.0.0 of the API gave single strings; 1.0.1 made versions and biohashs arrays (seed 003).
	if (Array.isArray(value)) return value.map(String);
	return value === undefined || value === null || value === '' ? [] : [String(value)];
}

/**
 * The check's access token, in both headers Claro's published samples use: `Authorization: Bearer` (the curl, PHP
 * and Python samples) and `x-client-auth: Bearer` (the Java sample). Which one the gateway reads is not said; a
 * gateway reads its own and ignores the other, so sending both works with either.
 */
const bothBearers = (req: HttpRequest, accessToken: string): HttpRequest => ({
	...req,
	headers: { ...req.headers, authorization: `Bearer ${accessToken}`, 'x-client-auth': `Bearer ${accessToken}` },
});

/**
 * Answers already received in a running execution, so that the same CPF is paid for once per execution, however
 * many node runs ask for it: a loop over batches, or a model that repeats a tool call (every tool call is a node
 * run of its own, in the execution that runs the agent). Keyed by execution, credential and CPF, hashed (no CPF is
 * kept in clear). An execution runs in one process, also in queue mode, so memory is enough. Only answers are
 * kept: a failed check may be tried again. Entries go an hour after they were made, at most 10,000 are kept.
 */
const answered = new Map<string, { at: number; answer: Promise<FaceMatchAnswer> }>();
const ANSWER_KEPT_MS = 60 * 60_000;
const MAX_ANSWERS_KEPT = 10_000;

function forget(now: number) {
	// Map order is insertion order: the oldest entries come first.
	for (const [key, entry] of answered) {
		if (answered.size <= MAX_ANSWERS_KEPT && now - entry.at < ANSWER_KEPT_MS) break;
		answered.delete(key);
	}
}

/** Claro Face Match bound to one credential: token client, error mapping, the check call. */
export class ClaroFaceMatch {
	readonly origin: string;
	readonly client: ApiClient;
	readonly errors: ServiceErrors;
	readonly tls: TlsMaterial;

	constructor(
		readonly credentials: ClaroCredentials,
		private readonly signal?: AbortSignal,
		log?: (message: string) => void,
		/** n8n's outbound policy, where n8n has one (≥ 2.41). */
		private readonly egress?: EgressFilter,
	) {
		this.origin = claroOrigin(credentials);
		oneLineFields(credentials, { key: 'Key', secret: 'Secret' }, 'Claro Face Match');
		this.errors = claroErrors(credentials);
		this.tls = { ca: credentials.caCertificate };
		this.client = {
			tokenKey: tokenCacheKey({ tokenUrl: this.tokenUrl, clientId: credentials.key, secret: credentials.secret }),
			fetchToken: () => this.requestToken(),
			authorize: bothBearers,
			send: { tls: this.tls, egress },
			secrets: this.secrets,
			log,
		};
	}

	get tokenUrl() {
		return `${this.origin}/oauth2/v1/token`;
	}

	get secrets() {
		return [this.credentials.secret, this.credentials.key];
	}

	requestToken() {
		const { key, secret } = this.credentials;
		return requestToken({ url: this.tokenUrl, headers: { 'x-client-auth': basicAuth(key, secret) }, send: { tls: this.tls, signal: this.signal, egress: this.egress } });
	}

	/**
	 * GET /identity/v1/facialbiometrics for 11 validated digits. The CPF travels only in X-QueryString (LGPD: URLs
	 * end up in proxy and gateway logs). 422 "customer not in Claro's base" is an answer, not a failure.
	 */
	async check(cpfDigits: string): Promise<FaceMatchAnswer> {
		const res = await callApi(
			this.client,
			{
				method: 'GET',
				url: `${this.origin}/identity/v1/facialbiometrics`,
				headers: { 'x-querystring': `identificationType=CPF&IdentificationId=${cpfDigits}` },
			},
			this.signal,
		).catch((error: unknown) =>
			// Any other failure reaches the operation, which maps it with toNodeError for its item.
			error instanceof ApiError && error.response.status === 422 ? error.response : Promise.reject(error),
		);
		const transactionId = (res.body as IDataObject | undefined)?.transactionId;
		if (res.status === 422) return { found: false, versions: [], biohashs: [], transactionId: typeof transactionId === 'string' ? transactionId : undefined };
		const body = (res.body && typeof res.body === 'object' ? res.body : {}) as IDataObject;
		const data = (body.data && typeof body.data === 'object' ? body.data : body) as IDataObject;
		return {
			found: true,
			versions: asStrings(data.versions),
			biohashs: asStrings(data.biohashs),
			transactionId: typeof transactionId === 'string' ? transactionId : undefined,
		};
	}

	/** `check`, asked once per execution (see `answered`); without an execution id, every call is a check. */
	checkOnce(executionId: string | undefined, cpfDigits: string): Promise<FaceMatchAnswer> {
		if (!executionId) return this.check(cpfDigits);
		const now = Date.now();
		forget(now);
		const key = createHash('sha256').update(`${executionId}\n${this.client.tokenKey}\n${cpfDigits}`).digest('base64url');
		const kept = answered.get(key);
		if (kept) return kept.answer;
		const answer = this.check(cpfDigits);
		answered.set(key, { at: now, answer });
		answer.catch(() => {
			if (answered.get(key)?.answer === answer) answered.delete(key);
		});
		return answer;
	}

	toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, itemIndex?: number) {
		return toNodeError(ctx.getNode(), error, { errors: this.errors, itemIndex, secrets: this.secrets });
	}
}

export async function claroFor(ctx: IExecuteFunctions): Promise<ClaroFaceMatch> {
	const data = await ctx.getCredentials('claroFaceMatchApi');
	return new ClaroFaceMatch(readCredentials(data), ctx.getExecutionCancelSignal?.(), (m) => ctx.logger.debug(m), egressOf(ctx));
}
