import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHookFunctions, IPollFunctions } from 'n8n-workflow';
import {
	ApiError,
	basicAuth,
	bearer,
	callApi,
	credentialText,
	oneLineFields,
	collectPages,
	eitherSignal,
	httpsUrl,
	requestToken,
	send,
	tokenCacheKey,
	toNodeError,
	vendorMessage,
	egressOf,
	type ApiClient,
	type EgressFilter,
	type HttpRequest,
	type HttpResponse,
	type ServiceErrors,
	type TlsMaterial,
} from '../../transport';

export interface ClaraCredentials {
	environment: 'production' | 'sandbox';
	country: 'mx' | 'co' | 'br';
	clientId: string;
	clientSecret: string;
	publicCertificate: string;
	privateKey: string;
	passphrase?: string;
	caPublicCertificate?: string;
	taxIdentifier?: string;
	baseUrl?: string;
}

/** Largest page Clara serves. */
export const MAX_PAGE_SIZE = 100;

/**
 * Clara's host for the credential's country, or the Base URL Override. The override must be https: the client
 * secret and the token would otherwise travel in clear, so an http:// one is refused before any socket opens.
 */
export function claraOrigin(c: Pick<ClaraCredentials, 'country' | 'baseUrl'>) {
	const override = httpsUrl(c.baseUrl, 'Base URL Override');
	return override ? override.replace('{country}', c.country) : `https://public-api.${c.country}.clara.com`;
}

export function claraErrors(c: Pick<ClaraCredentials, 'country' | 'taxIdentifier'>): ServiceErrors {
	return {
		service: 'Clara',
		describe(res: HttpResponse, stage) {
			const said = vendorMessage(res.body);
			const body = (res.body ?? {}) as IDataObject;
			if (res.status === 511) {
				return {
					message: 'Clara asked for a client certificate and none was presented (HTTP 511)',
					description: 'Fill Client Certificate and Private Key in the Clara credential with the files Clara issued for this API project.',
				};
			}
			if (res.status === 406) {
				return {
					message: 'Clara refused the client certificate (HTTP 406): it was not issued by Clara',
					description: 'Use the exact certificate Clara issued for this API project, with its own private key — not one from another CA.',
				};
			}
			if (res.status === 401 && stage === 'token') {
				return {
					message: `Clara did not issue a token (HTTP 401): the client id or secret is wrong for country ${c.country.toUpperCase()}`,
					description: 'Check Client ID, Client Secret and Country in the credential: Clara issues credentials per country.',
				};
			}
			if (res.status === 401) {
				return {
					message: 'Clara rejected the access token (HTTP 401), also a freshly issued one',
					description: 'The API project may have been revoked or may lack the read scope; ask your Clara account owner.',
				};
			}
			if (res.status === 403 && c.taxIdentifier) {
				return {
					message: `Clara refused access for tax identifier ${c.taxIdentifier} (HTTP 403)`,
					description: `Check the Tax Identifier in the credential: it must be one of this account's entities (RFC, CNPJ or NIT).${said ? ` Clara said: "${said}".` : ''}`,
				};
			}
			if (res.status === 400) {
				const details = Array.isArray(body.details) ? ` (${(body.details as unknown[]).map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('; ')})` : '';
				return { message: `Clara rejected the request: ${said ?? 'invalid parameters'}${details}`, description: 'Check the filters: dates are YYYY-MM-DD, page size at most 100.' };
			}
			if (res.status === 404) {
				return {
					message: `Clara found nothing with that uuid (HTTP 404)${said ? `: "${said}"` : ''}`,
					description: 'Check the UUID (or the month and year): it may belong to another entity (Tax Identifier), country or environment.',
				};
			}
			return undefined;
		},
		transport(error) {
			if (/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/.test(error.code ?? '')) {
				return {
					message: `The Clara server's certificate is not trusted (${error.code})`,
					description: "Paste Clara's CA certificate into the credential's Clara CA Certificate field.",
				};
			}
			return undefined;
		},
	};
}

/** The credential's values, typed, with empty optional fields dropped. */
export function readCredentials(data: ICredentialDataDecryptedObject): ClaraCredentials {
	const s = credentialText(data);
	return {
		environment: s('environment') === 'sandbox' ? 'sandbox' : 'production',
		country: (s('country') || 'mx') as ClaraCredentials['country'],
		clientId: s('clientId'),
		clientSecret: s('clientSecret'),
		publicCertificate: s('publicCertificate'),
		privateKey: s('privateKey'),
		passphrase: s('passphrase') || undefined,
		caPublicCertificate: s('caPublicCertificate') || undefined,
		taxIdentifier: s('taxIdentifier') || undefined,
		baseUrl: s('baseUrl') || undefined,
	};
}

export function tlsOf(c: ClaraCredentials): TlsMaterial {
	return { ca: c.caPublicCertificate, cert: c.publicCertificate || undefined, key: c.privateKey || undefined, passphrase: c.passphrase };
}

/** A Clara API bound to one credential: builds URLs, holds the token client, maps errors. */
export class Clara {
	readonly origin: string;
	readonly client: ApiClient;
	readonly errors: ServiceErrors;

	constructor(
		readonly credentials: ClaraCredentials,
		private readonly signal?: AbortSignal,
		log?: (message: string) => void,
		private readonly egress?: EgressFilter,
	) {
		this.origin = claraOrigin(credentials);
		oneLineFields(credentials, { clientId: 'Client ID', clientSecret: 'Client Secret', passphrase: 'Passphrase', taxIdentifier: 'Tax Identifier' }, 'Clara');
		this.errors = claraErrors(credentials);
		const tls = tlsOf(credentials);
		this.client = {
			tokenKey: tokenCacheKey({ tokenUrl: this.tokenUrl, clientId: credentials.clientId, secret: credentials.clientSecret }),
			// The token endpoint does not need mTLS, but going through the same pooled identity saves a handshake.
			fetchToken: () => this.requestToken(tls),
			authorize: (req, token) => {
				const authorized = bearer(req, token);
				if (credentials.taxIdentifier) authorized.headers!['x-tax-identifier'] = credentials.taxIdentifier;
				return authorized;
			},
			send: { tls, egress },
			secrets: this.secrets,
			log,
		};
	}

	get tokenUrl() {
		return `${this.origin}/oauth/token`;
	}

	/** POST /oauth/token with Basic auth and the form body (Clara also takes an empty body; the form is the standard). */
	requestToken(tls: TlsMaterial) {
		const { clientId, clientSecret } = this.credentials;
		return requestToken({ url: this.tokenUrl, headers: { authorization: basicAuth(clientId, clientSecret) }, send: { tls, signal: this.signal, egress: this.egress } });
	}

	get secrets() {
		const c = this.credentials;
		return [c.clientSecret, c.privateKey, c.passphrase];
	}

	/** `/api/...` in production, `/api-test/...` in Clara's sandbox environment. */
	apiUrl(path: string) {
		return `${this.origin}/${this.credentials.environment === 'sandbox' ? 'api-test' : 'api'}${path}`;
	}

	async get(path: string, query?: HttpRequest['query'], signal?: AbortSignal): Promise<IDataObject> {
		const res = await callApi(this.client, { method: 'GET', url: this.apiUrl(path), query }, eitherSignal(this.signal, signal));
		return (res.body ?? {}) as IDataObject;
	}

	async list(path: string, query: IDataObject, options: { returnAll: boolean; limit: number }): Promise<IDataObject[]> {
		return collectPages((page, size, signal) => this.get(path, { ...(query as HttpRequest['query']), page, size }, signal), {
			...options,
			maxPageSize: MAX_PAGE_SIZE,
			service: 'Clara',
		});
	}

	async health(): Promise<IDataObject> {
		const res = await send({ method: 'GET', url: `${this.origin}/v2/health` }, { tls: { ca: this.credentials.caPublicCertificate }, signal: this.signal, egress: this.egress });
		if (res.status !== 200) throw new ApiError(res);
		return typeof res.body === 'object' && res.body ? (res.body as IDataObject) : { status: String(res.body || 'UP') };
	}

	toNodeError(ctx: IExecuteFunctions | IPollFunctions, error: unknown, itemIndex?: number) {
		return toNodeError(ctx.getNode(), error, { errors: this.errors, itemIndex, secrets: this.secrets });
	}
}

export async function claraFor(ctx: IExecuteFunctions | IPollFunctions | IHookFunctions): Promise<Clara> {
	const data = await ctx.getCredentials('claraApi');
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
	return new Clara(readCredentials(data), signal, (m) => ctx.logger.debug(m), egressOf(ctx));
}
