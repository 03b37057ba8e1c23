import { NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	basicAuth,
	bearer,
	callApi,
	credentialText,
	oneLineFields,
	collectPages,
	eitherSignal,
	egressOf,
	requestToken,
	tokenCacheKey,
	toNodeError,
	tokens,
	type ApiClient,
	type EgressFilter,
	type Explained,
	httpsUrl,
	InvalidInput,
	type HttpRequest,
	type HttpResponse,
	type ServiceErrors,
	type TlsMaterial,
} from '../../transport';

export const CERT = { baseUrl: 'https://api.cert-confermapay.com', tokenUrl: 'https://assure.cert-confermapay.com/token' };
export const DEPLOYMENTS = '/deployments/v1/deployments';
/** Conferma's page sizes: `PageSize` from 10 to 1000 (confermapay.readme.io/reference/pagination). */
export const PAGE_SIZE = { min: 10, max: 1000 };

export interface ConfermaCredentials {
	environment: 'cert' | 'production';
	clientId: string;
	clientSecret: string;
	platformKeyName: string;
	baseUrl: string;
	tokenUrl: string;
	caCertificate?: string;
}

export function readCredentials(data: ICredentialDataDecryptedObject): ConfermaCredentials {
	const s = credentialText(data);
	const environment = s('environment') === 'production' ? 'production' : 'cert';
	const fallback = environment === 'cert' ? CERT : { baseUrl: '', tokenUrl: '' };
	return {
		environment,
		clientId: s('clientId'),
		clientSecret: s('clientSecret'),
		platformKeyName: s('platformKeyName'),
		baseUrl: (s('baseUrl') || fallback.baseUrl).replace(/\/+$/, ''),
		tokenUrl: s('tokenUrl') || fallback.tokenUrl,
		caCertificate: s('caCertificate') || undefined,
	};
}

/** What is missing from the credential, in the user's words; undefined when it is complete. */
export function credentialProblem(c: ConfermaCredentials): string | undefined {
	const missing = [!c.clientId && 'Client ID', !c.clientSecret && 'Client Secret', !c.platformKeyName && 'Platform Key Name'].filter(Boolean);
	if (missing.length) return `Fill ${missing.join(', ')} in the Conferma Pay credential: Conferma gives them with your platform application`;
	if (c.environment === 'production' && (!c.baseUrl || !c.tokenUrl)) {
		return 'Production runs on your company\'s own Conferma host: fill Base URL and Token URL in the credential with the addresses Conferma gave you';
	}
	try {
		oneLineFields(c, { clientId: 'Client ID', clientSecret: 'Client Secret', platformKeyName: 'Platform Key Name' }, 'Conferma Pay');
	} catch (error) {
		return `${(error as InvalidInput).message}. ${(error as InvalidInput).description ?? ''}`.trim();
	}
	// The token request carries the client secret and every API call the token: never over plain HTTP.
	return notHttps(c.baseUrl, 'Base URL') ?? notHttps(c.tokenUrl, 'Token URL');
}

function notHttps(url: string, field: string): string | undefined {
	try {
		httpsUrl(url, field, { required: true });
	} catch (error) {
		return error instanceof InvalidInput ? `${error.message} in the Conferma Pay credential. ${error.description ?? ''}`.trim() : String(error);
	}
	return undefined;
}

interface ConfermaErrorBody {
	errorCode?: string;
	message?: string;
	details?: Array<{ field?: string; issue?: string }>;
	error?: string;
	error_description?: string;
}

const bodyOf = (res: HttpResponse): ConfermaErrorBody => (res.body && typeof res.body === 'object' ? (res.body as ConfermaErrorBody) : {});

/** `deploymentAmount.amount: must be greater than 0; paymentRange.endDate: …` from Conferma's details[]. */
export function fieldIssues(body: ConfermaErrorBody): string {
	const details = Array.isArray(body.details) ? body.details : [];
	return details
		.map((d) => [d?.field, d?.issue].filter((p) => typeof p === 'string' && p !== '').join(': '))
		.filter(Boolean)
		.join('; ');
}

export function confermaErrors(c: ConfermaCredentials): ServiceErrors {
	return {
		service: 'Conferma',
		describe(res, stage): Explained | undefined {
			const body = bodyOf(res);
			if (stage === 'token') {
				const said = body.error_description ?? body.message ?? body.error;
				const quote = said ? ` Conferma said: "${said}".` : '';
				if (body.error === 'invalid_scope' || (res.status === 400 && /scope|platform/i.test(String(said)))) {
					return {
						message: 'Conferma did not issue a token: the Platform Key Name is wrong for this client',
						description: `The client id and secret were accepted; check Platform Key Name (pkn) in the credential.${quote}`,
					};
				}
				if (res.status === 400 || res.status === 401 || res.status === 403) {
					return {
						message: `Conferma did not issue a token (HTTP ${res.status}): the Client ID or Client Secret is wrong`,
						description: `Check Client ID, Client Secret and Environment (cert and production have different clients).${quote}`,
					};
				}
				if (res.status === 404) {
					return { message: `No Conferma token endpoint at ${c.tokenUrl} (HTTP 404)`, description: 'Check Token URL and Environment in the credential.' };
				}
				return undefined;
			}
			const code = body.errorCode ? ` ${body.errorCode}` : '';
			const issues = fieldIssues(body);
			const text = [body.message, issues].filter(Boolean).join(' — ');
			if (res.status === 400) {
				return {
					message: `Conferma rejected the request (HTTP 400${code})${issues ? `: ${issues}` : body.message ? `: ${body.message}` : ''}`,
					description: 'Fix the fields named above in the node\'s parameters. Nothing was created or changed.',
				};
			}
			if (res.status === 401) {
				return {
					message: `Conferma rejected the access token, also a newly issued one (HTTP 401${code})`,
					description:
						'Another system is probably taking tokens for this platform at the same moment: each new Conferma token revokes all others. Use this one credential everywhere, or give the other system its own platform key. In queue mode the package n8n-nodes-fintech-identity shares one token between the workers through Redis; the verified package n8n-nodes-conferma-pay keeps one per worker, so its workers revoke each other\'s: with it, run one worker (or n8n without queue mode), or install the other package.',
				};
			}
			if (res.status === 403) {
				return { message: `Conferma refused access (HTTP 403${code})${text ? `: ${text}` : ''}`, description: 'The platform is not allowed to do this; ask Conferma to enable it.' };
			}
			if (res.status === 404) {
				return { message: `Conferma found no deployment with that id (HTTP 404${code})`, description: `Check the Deployment ID; it may belong to another environment.${text ? ` Conferma said: "${text}".` : ''}` };
			}
			return undefined;
		},
	};
}

const CHECK_CREATE =
	'Before running it again, look it up with Get Many filtered by Consumer Reference, or turn on "Reuse Deployment with Same Consumer Reference" so a re-run returns the card if it exists (see "Retrying a Create safely" in the README).';

/** Said when Redis is unreachable in queue mode: a worker taking its own token would revoke the others'. */
export const SHARED_TOKEN_REQUIRED =
	"Conferma revokes every other token of the platform when a new one is issued, so in queue mode the workers must share one token through Redis: a token of this worker's own would knock out the other workers' tokens.";

/** Conferma Pay bound to one credential: the shared token, error mapping and the deployment calls. */
export class ConfermaPay {
	readonly client: ApiClient;
	readonly errors: ServiceErrors;
	readonly tls: TlsMaterial;

	constructor(
		readonly credentials: ConfermaCredentials,
		private readonly signal?: AbortSignal,
		log?: (message: string) => void,
		/** n8n's egress policy, where the instance has one (n8n ≥ 2.41). */
		private readonly egress?: EgressFilter,
	) {
		this.errors = confermaErrors(credentials);
		this.tls = { ca: credentials.caCertificate };
		this.client = {
			// The platform key name is part of the key: Conferma revokes per platform, so a token is per platform.
			tokenKey: tokenCacheKey({ tokenUrl: credentials.tokenUrl, clientId: credentials.clientId, scope: credentials.platformKeyName, secret: credentials.clientSecret }),
			fetchToken: () => this.requestToken(),
			authorize: bearer,
			send: { tls: this.tls, egress },
			secrets: this.secrets,
			log,
			sharedTokenRequired: SHARED_TOKEN_REQUIRED,
		};
	}

	get secrets() {
		return [this.credentials.clientSecret];
	}

	/** A new token. Never call this directly to "check" something: it revokes the token every execution is using. */
	requestToken() {
		const { clientId, clientSecret, platformKeyName, tokenUrl } = this.credentials;
		return requestToken({
			url: tokenUrl,
			headers: { authorization: basicAuth(clientId, clientSecret) },
			form: { grant_type: 'client_credentials', scope: platformKeyName },
			send: { tls: this.tls, signal: this.signal, egress: this.egress },
		});
	}

	/** The cached token, or a new one only if there is none valid (what the credential test uses). */
	token() {
		return tokens.get(this.client.tokenKey, this.client.fetchToken, { sharedTokenRequired: SHARED_TOKEN_REQUIRED });
	}

	private async call(req: Omit<HttpRequest, 'url'> & { path: string }, timeoutMs?: number, signal?: AbortSignal) {
		const { path, ...rest } = req;
		const client = timeoutMs ? { ...this.client, send: { ...this.client.send, timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs } } } : this.client;
		const res = await callApi(client, { ...rest, url: `${this.credentials.baseUrl}${path}` }, eitherSignal(this.signal, signal));
		return (res.body ?? {}) as IDataObject;
	}

	get(id: string) {
		return this.call({ method: 'GET', path: `${DEPLOYMENTS}/${encodeURIComponent(id)}` });
	}

	/**
	 * A paged Conferma list: zero-based `PageNumber`, `PageSize` 10–1000, answer `{totalItems, totalPages, pageNumber,
	 * pageSize, items}`. The first page says how many there are; the rest are read 4 at a time.
	 */
	private pages(path: string, query: IDataObject, idKey: string, options: { returnAll: boolean; limit: number }) {
		return collectPages(
			(page, size, signal) => this.call({ method: 'GET', path, query: { ...query, PageNumber: page, PageSize: size } as HttpRequest['query'] }, undefined, signal),
			{ ...options, minPageSize: PAGE_SIZE.min, maxPageSize: PAGE_SIZE.max, service: 'Conferma', keys: ['items'], idKey },
		);
	}

	/** Get Many deployments. */
	list(filters: IDataObject, options: { returnAll: boolean; limit: number }) {
		return this.pages(DEPLOYMENTS, filters, 'deploymentId', options);
	}

	/** A deployment's invoices. */
	invoices(id: string, options: { returnAll: boolean; limit: number }) {
		return this.pages(`${DEPLOYMENTS}/${encodeURIComponent(id)}/invoices`, {}, 'invoiceId', options);
	}

	/**
	 * Not idempotent: sent once. The transport retries it only when Conferma certainly did not act on it (429, a
	 * connection never made, or a 401 — after which it is replayed once with the new token).
	 */
	create(body: IDataObject, timeoutMs?: number) {
		return this.call({ method: 'POST', path: DEPLOYMENTS, json: body, idempotent: false, action: 'the Create Deployment', howToCheck: CHECK_CREATE }, timeoutMs);
	}

	amend(id: string, body: IDataObject, timeoutMs?: number) {
		return this.call(
			{
				method: 'PUT',
				path: `${DEPLOYMENTS}/${encodeURIComponent(id)}`,
				json: body,
				idempotent: false,
				action: `the Amend of deployment ${id}`,
				howToCheck: `Before running it again, Get deployment ${id} and compare its amount, dates and references with the changes: if they are there, the Amend took effect.`,
			},
			timeoutMs,
		);
	}

	toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, itemIndex?: number) {
		return toNodeError(ctx.getNode(), error, { errors: this.errors, itemIndex, secrets: this.secrets });
	}
}


export async function confermaFor(ctx: IExecuteFunctions): Promise<ConfermaPay> {
	const credentials = readCredentials(await ctx.getCredentials('confermaPayApi'));
	const problem = credentialProblem(credentials);
	if (problem) throw new NodeOperationError(ctx.getNode(), problem);
	return new ConfermaPay(credentials, ctx.getExecutionCancelSignal?.(), (m) => ctx.logger.debug(m), egressOf(ctx));
}
