import { createHash, randomBytes } from 'crypto';
import { basicCredentials, bearerToken, fakeUuid, json, seeded, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * Claro Brasil's Face Match (Identity Facial Biometrics) behind its Apigee gateway, as seed 003 and api-facts §3
 * describe it: `POST /oauth2/v1/token` with `x-client-auth: Basic base64(key:secret)`, then
 * `GET /identity/v1/facialbiometrics` with the CPF only in `X-QueryString`. Every behaviour has its row, and its
 * source, in sandbox/contracts/claro.md (`contract: <id>` below); most are [seed] or [guess].
 *
 * Billing. The seed's FAQ: "A cobrança é por consulta? Não, a cobrança é feita por resposta e informação
 * entregue" — billed per answer *that delivers information*, not per query. Read here as: a 200 (biohashes
 * delivered) is billed; a 422 ("cliente não encontrado") is an answer but delivers no information. Both are
 * counted (`billedAnswers`, `notFoundAnswers`), and `checks` counts every check request, so a test can hold the
 * node to either reading.
 */

export interface ClaroPerson {
	versions: string[];
	biohashs: string[];
}

export interface ClaroOptions {
	certs: SandboxCerts;
	key?: string;
	secret?: string;
	/** Sent as a string, as Apigee does. */
	tokenLifetimeSec?: number;
	/** How many generated people the base holds besides the documented example CPFs. */
	people?: number;
	port?: number;
	/** Where to listen (default 127.0.0.1). */
	host?: string;
}

export interface ClaroSandbox extends Service {
	key: string;
	secret: string;
	tokenLifetimeSec: number;
	/** Claro's base: 11-digit CPF → facial biometrics. */
	people: Map<string, ClaroPerson>;
	/** Valid CPFs that are NOT in the base (answered 422). */
	unknownCpfs: string[];
	/** The next `n` checks are answered 429 (spike arrest), optionally with Retry-After. */
	burst429(n: number, retryAfterSec?: number): void;
	/** Invalidate every token issued so far on the server side, before its announced expiry. */
	revokeTokens(): void;
	/** Every token issued so far (tests grep outputs and logs for them). */
	issuedTokens(): string[];
}

/**
 * Counters this emulator adds to `counters.custom`; `bearerInAuthorization` / `bearerInXClientAuth` count which
 * header carried a token that was accepted (both, when a client sends both).
 */
export const CLARO_COUNTERS = ['checks', 'billedAnswers', 'notFoundAnswers', 'bearerInAuthorization', 'bearerInXClientAuth'] as const;

function checkDigit(digits: string) {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (digits.length + 1 - i);
	const r = sum % 11;
	return r < 2 ? 0 : 11 - r;
}

/** A valid CPF from nine digits (the emulator's own rule, kept apart from the node's validator on purpose). */
export function cpfFrom(nine: string) {
	const d1 = checkDigit(nine);
	return `${nine}${d1}${checkDigit(`${nine}${d1}`)}`;
}

function person(cpf: string, versions: string[]): ClaroPerson {
	return { versions, biohashs: versions.map((v) => createHash('sha256').update(`claro-sandbox:${cpf}:${v}`).digest('hex')) };
}

export async function startClaro(options: ClaroOptions): Promise<ClaroSandbox> {
	const key = options.key ?? 'claro-sandbox-key';
	const secret = options.secret ?? `claro-secret-${randomBytes(8).toString('hex')}`;
	const rand = seeded(2023_10_10);
	// contract: base — 111.444.777-35 and 123.456.789-09 are known, 986.764.890-09 (the seed's curl
	// example) too; 222.333.666-38 is valid but not in the base.
	const people = new Map<string, ClaroPerson>([
		['11144477735', person('11144477735', ['1', '2'])],
		['12345678909', person('12345678909', ['2'])],
		['98676489009', person('98676489009', ['1'])],
	]);
	for (let i = 0; i < (options.people ?? 40); i++) {
		const nine = String(Math.floor(rand() * 1e9)).padStart(9, '0');
		people.set(cpfFrom(nine), person(cpfFrom(nine), i % 3 === 0 ? ['1', '2'] : ['2']));
	}
	const unknownCpfs = ['22233366638', ...Array.from({ length: 5 }, () => cpfFrom(String(Math.floor(rand() * 1e9)).padStart(9, '0')))].filter(
		(c) => !people.has(c),
	);
	const tokens = new Map<string, number>();
	const issued: string[] = [];
	let pending429 = { left: 0, retryAfterSec: undefined as number | undefined };

	/** Claro's gateway error envelope. contract: error-envelope */
	const envelope = (status: number, errorCode: string, message: string, detailedMessage: string): SandboxReply =>
		json(status, {
			apiVersion: '1.0.1',
			transactionId: fakeUuid(Math.random),
			error: { httpCode: String(status), errorCode, message, detailedMessage, link: 'https://www.claro.com.br/api-store' },
		});
	/** Apigee's own OAuth refusals, which come before Claro's proxies and so are not in Claro's envelope. contract: token-refusals */
	const apigee = (status: number, errorCode: string, error: string): SandboxReply => json(status, { ErrorCode: errorCode, Error: error });

	// contract: token-endpoint, token-grant, token-auth, token-answer
	function token(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.counters.tokenRequests++;
		// The trial gateway takes grant_type in the query (seed 003), production in the form body.
		const grant = req.form().get('grant_type') ?? req.query.get('grant_type');
		if (grant !== 'client_credentials') return apigee(400, 'invalid_request', `Unsupported grant type : ${grant ?? 'null'}`);
		const basic = basicCredentials(req.headers['x-client-auth']);
		if (!basic) return apigee(401, 'invalid_client', 'x-client-auth header with Basic credentials is missing');
		if (basic.id !== key) return apigee(401, 'invalid_client', 'ClientId is Invalid');
		if (basic.secret !== secret) return apigee(401, 'invalid_client', 'Client credentials are invalid');
		const accessToken = randomBytes(21).toString('base64url');
		const issuedAt = Date.now();
		tokens.set(accessToken, issuedAt + sandbox.tokenLifetimeSec * 1000);
		issued.push(accessToken);
		return json(200, {
			refresh_token_expires_in: '0',
			api_product_list: '[Identity Facial Biometrics]',
			api_product_list_json: ['Identity Facial Biometrics'],
			organization_name: 'claro',
			'developer.email': 'sandbox@example.com',
			token_type: 'BearerToken',
			issued_at: String(issuedAt),
			client_id: key,
			access_token: accessToken,
			application_name: 'n8n-sandbox',
			scope: '',
			expires_in: String(sandbox.tokenLifetimeSec),
			refresh_count: '0',
			status: 'approved',
		});
	}

	// contract: check-endpoint
	function check(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('checks');
		// contract: check-auth — the seed's samples carry the token in Authorization (curl, PHP, Python) or in
		// x-client-auth (Java); either is accepted, and the counters say which one a client used.
		const live = (header: string | string[] | undefined) => {
			const accessToken = bearerToken(header);
			const expiresAt = accessToken ? tokens.get(accessToken) : undefined;
			return expiresAt !== undefined && expiresAt > Date.now();
		};
		const viaAuthorization = live(req.headers.authorization);
		const viaXClientAuth = live(req.headers['x-client-auth']);
		if (!viaAuthorization && !viaXClientAuth) return envelope(401, 'API-SECURITY-401', 'Unauthorized', 'Invalid or expired access token');
		if (viaAuthorization) ctx.count('bearerInAuthorization');
		if (viaXClientAuth) ctx.count('bearerInXClientAuth');
		// contract: rate-limit
		if (pending429.left > 0) {
			pending429.left--;
			const reply = envelope(429, 'API-SPIKEARREST-429', 'Too Many Requests', 'Spike arrest violation: too many requests in a short period');
			if (pending429.retryAfterSec !== undefined) reply.headers = { 'retry-after': String(pending429.retryAfterSec) };
			return reply;
		}
		// contract: check-cpf-header
		const raw = req.headers['x-querystring'];
		const query = new URLSearchParams(String(Array.isArray(raw) ? raw[0] : raw ?? '').trim());
		if (query.get('identificationType') !== 'CPF') {
			return envelope(400, 'API-FACIALBIOMETRICS-400', 'Bad Request', 'X-QueryString must carry identificationType=CPF');
		}
		const cpf = query.get('IdentificationId') ?? '';
		if (!/^\d{11}$/.test(cpf) || cpfFrom(cpf.slice(0, 9)) !== cpf) {
			return envelope(400, 'API-FACIALBIOMETRICS-400', 'Bad Request', 'X-QueryString IdentificationId must be a valid CPF of 11 digits');
		}
		const found = sandbox.people.get(cpf);
		// contract: not-found, billing
		if (!found) {
			ctx.count('notFoundAnswers');
			// Echoes the CPF, as gateways often do: the node must never show this body unmasked.
			return envelope(422, 'API-FACIALBIOMETRICS-422', 'Unprocessable Entity', `Cliente ${cpf} não encontrado na base de dados`);
		}
		ctx.count('billedAnswers');
		// contract: check-answer
		return json(200, {
			apiVersion: '1.0.1',
			transactionId: fakeUuid(Math.random),
			data: { identificationType: 'CPF', identificationId: cpf, versions: [...found.versions], biohashs: [...found.biohashs] },
		});
	}

	// contract: methods, unknown-path
	const handler = (req: SandboxRequest, ctx: ServiceContext): SandboxReply => {
		if (req.path === '/oauth2/v1/token' || req.path === '/oauth2/token') {
			return req.method === 'POST' ? token(req, ctx) : envelope(405, 'API-GATEWAY-405', 'Method Not Allowed', 'Use POST');
		}
		if (req.path === '/identity/v1/facialbiometrics') {
			return req.method === 'GET' ? check(req, ctx) : envelope(405, 'API-GATEWAY-405', 'Method Not Allowed', 'Use GET');
		}
		return json(404, {
			fault: { faultstring: `Unable to identify proxy for host: sandbox and url: ${req.path}`, detail: { errorcode: 'messaging.adaptors.http.flow.ApplicationNotFound' } },
		});
	};

	const service = await startService({ name: 'claro', handler, certs: options.certs, port: options.port, host: options.host });
	const sandbox: ClaroSandbox = Object.assign(service, {
		key,
		secret,
		tokenLifetimeSec: options.tokenLifetimeSec ?? 3599,
		people,
		unknownCpfs,
		burst429(n: number, retryAfterSec?: number) {
			pending429 = { left: n, retryAfterSec };
		},
		revokeTokens: () => tokens.clear(),
		issuedTokens: () => [...issued],
	});
	return sandbox;
}

/** For `npm run sandbox` (sandbox/cli.ts): how to fill the n8n credential to use this emulator. */
export function printClaro(sandbox: { claro: ClaroSandbox }, dir: string) {
	const c = sandbox.claro;
	console.log(`Claro Face Match  (credential "Claro Face Match API")
  Environment: any (the override wins)
  Key: ${c.key}
  Secret: ${c.secret}
  Base URL Override: ${c.url}
  CA Certificate: paste ${dir}/ca.crt
  Known CPFs: 111.444.777-35, 123.456.789-09 (and ${c.people.size - 2} more); not in the base (422): 222.333.666-38
`);
}
