import { randomBytes } from 'crypto';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { basicCredentials, bearerToken, json, seeded, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * Conferma Pay, as seed 004 and api-facts §4 describe it. One server plays both hosts: the authorisation server
 * (`POST /token`, assure.cert-confermapay.com) and the API (`/deployments/v1/deployments`, api.cert-confermapay.com).
 *
 * The behaviour that matters: **issuing a token revokes every earlier token of the platform** (the platform key
 * name sent as `scope`). A revoked or expired token gets 401 `ESEC001`. `revokeTokens()` does what another client
 * of the platform does when it takes a token.
 *
 * Guesses, stated: the paging (`pageNumber` from 1, `pageSize` up to 100, answer `{deployments, pagination:
 * {pageNumber, pageSize, totalPages, totalItems}}`), `GET /{id}`, `PUT /{id}` merging the given fields, the list
 * filters, the token endpoint's refusals (OAuth's `invalid_client` 401 / `invalid_scope` 400) and the deployment's
 * shape beyond the fields api-facts lists.
 */

export interface ConfermaOptions {
	certs: SandboxCerts;
	clientId?: string;
	clientSecret?: string;
	platformKeyName?: string;
	tokenLifetimeSec?: number;
	/** Deployments created at start. */
	deployments?: number;
	port?: number;
}

export interface Deployment {
	id: string;
	status: string;
	createdAt: string;
	[field: string]: unknown;
}

export interface ConfermaSandbox extends Service {
	clientId: string;
	clientSecret: string;
	platformKeyName: string;
	tokenLifetimeSec: number;
	deployments: Map<string, Deployment>;
	/** What another client of the platform does: takes a token, which revokes all of ours. */
	revokeTokens(): void;
	/** Every token issued so far expires now (server side), as if its lifetime had run out. */
	expireTokens(): void;
	/** Every token issued so far (tests grep outputs and logs for them). */
	issuedTokens(): string[];
	/** POST a Conferma notification to a webhook URL (http or https; the sandbox CA is trusted). */
	notify(url: string, notification: ConfermaNotification, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
}

export interface ConfermaNotification {
	version: string;
	notificationMessageID: string;
	notificationCreationTime: string;
	notificationEventType: { id: number; name: string };
	content: Record<string, unknown>;
}

/** Counters this emulator adds to `counters.custom` (besides `http<status>`). */
export const CONFERMA_COUNTERS = ['creates', 'amends', 'reads', 'lists', 'revokedTokenUses', 'expiredTokenUses'] as const;

const MAX_PAGE_SIZE = 100;

/** Event 98, the one documented notification: a card of a deployment was used (api-facts §4). */
export function cardAuthorisation(deploymentId: string, overrides: Partial<ConfermaNotification> = {}): ConfermaNotification {
	return {
		version: '1.0',
		notificationMessageID: randomBytes(8).toString('hex'),
		notificationCreationTime: new Date().toISOString(),
		notificationEventType: { id: 98, name: 'Card Authorisation Activity' },
		content: {
			deploymentId,
			authorisation: { amount: 129.5, currencyCode: 'GBP', merchantName: 'Sandbox Hotel London', approved: true, authorisedAt: new Date().toISOString() },
		},
		...overrides,
	};
}

export async function startConferma(options: ConfermaOptions): Promise<ConfermaSandbox> {
	const clientId = options.clientId ?? 'conferma-sandbox-client';
	const clientSecret = options.clientSecret ?? `conferma-secret-${randomBytes(8).toString('hex')}`;
	const platformKeyName = options.platformKeyName ?? 'n8n-sandbox-platform';
	const rand = seeded(2019_11_08);
	/** token → expiry; only the last one issued per platform is in here (that is the revocation). */
	const live = new Map<string, { expiresAt: number; platform: string }>();
	const revoked = new Set<string>();
	const issued: string[] = [];
	const deployments = new Map<string, Deployment>();
	let nextId = 100_000;

	const error = (status: number, errorCode: string, message: string, details: Array<{ field: string; issue: string }> = []): SandboxReply =>
		json(status, { errorCode, message, details });

	function addDeployment(fields: Record<string, unknown>, createdAt = new Date()): Deployment {
		const id = String(nextId++);
		const d: Deployment = {
			id,
			status: 'Active',
			createdAt: createdAt.toISOString(),
			...fields,
			card: { maskedNumber: `5555 55** **** ${String(1000 + Math.floor(rand() * 9000))}`, expiryDate: '12/29', scheme: 'Mastercard' },
		};
		deployments.set(id, d);
		return d;
	}
	const start = Date.UTC(2026, 0, 1);
	for (let i = 0; i < (options.deployments ?? 120); i++) {
		addDeployment(
			{
				clientAccountCode: { type: 'BTA', value: `ACME-${(i % 5) + 1}` },
				spendType: i % 3 === 0 ? 'Hotel' : 'Air',
				consumerReference: `BOOKING-${String(i + 1).padStart(5, '0')}`,
				supplierReference: `SUP-${i + 1}`,
				deploymentAmount: { amount: 100 + (i % 40) * 12.5, currencyCode: i % 4 === 0 ? 'EUR' : 'GBP' },
				paymentRange: { startDate: '2026-02-01', endDate: '2026-02-28' },
				supplier: { name: `Sandbox Supplier ${i % 7}`, address: { city: 'London', countryCode: 'GB' } },
				travellers: [{ firstName: 'Alex', lastName: `Traveller${i}` }],
			},
			new Date(start + i * 3_600_000),
		);
	}

	function token(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.counters.tokenRequests++;
		const form = req.form();
		if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
		const basic = basicCredentials(req.headers.authorization);
		if (!basic || basic.id !== clientId || basic.secret !== clientSecret) return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
		const scope = form.get('scope') ?? '';
		if (scope !== platformKeyName) return json(400, { error: 'invalid_scope', error_description: `Unknown platform key name for this client` });
		return json(200, issue(scope));
	}

	function issue(platform: string) {
		// The rule the whole node is built around: a new token revokes every other active token of the platform.
		for (const [t, info] of live) {
			if (info.platform === platform) {
				live.delete(t);
				revoked.add(t);
			}
		}
		const accessToken = randomBytes(24).toString('base64url');
		const issuedAt = Date.now();
		const expiresAt = issuedAt + sandbox.tokenLifetimeSec * 1000;
		live.set(accessToken, { expiresAt, platform });
		issued.push(accessToken);
		return { access_token: accessToken, expires: new Date(expiresAt).toISOString(), issued: new Date(issuedAt).toISOString() };
	}

	function authorized(req: SandboxRequest, ctx: ServiceContext): SandboxReply | undefined {
		const t = bearerToken(req.headers.authorization);
		const info = t ? live.get(t) : undefined;
		if (info && info.expiresAt > Date.now()) return undefined;
		if (t && revoked.has(t)) ctx.count('revokedTokenUses');
		else if (info) ctx.count('expiredTokenUses');
		return error(401, 'ESEC001', 'Authorization has been denied for this request.');
	}

	function validate(body: Record<string, any>, partial: boolean): Array<{ field: string; issue: string }> {
		const issues: Array<{ field: string; issue: string }> = [];
		const need = (ok: boolean, field: string, issue: string) => ok || issues.push({ field, issue });
		const has = (v: unknown) => v !== undefined && v !== null && v !== '';
		if (!partial || body.clientAccountCode !== undefined) {
			need(has(body.clientAccountCode?.type), 'clientAccountCode.type', 'is required');
			need(has(body.clientAccountCode?.value), 'clientAccountCode.value', 'is required');
		}
		if (!partial || body.deploymentAmount !== undefined) {
			const amount = body.deploymentAmount?.amount;
			need(typeof amount === 'number' && amount > 0, 'deploymentAmount.amount', 'must be a number greater than 0');
			need(/^[A-Z]{3}$/.test(String(body.deploymentAmount?.currencyCode ?? '')), 'deploymentAmount.currencyCode', 'must be an ISO 4217 code such as GBP');
		}
		if (!partial || body.paymentRange !== undefined) {
			const { startDate, endDate } = body.paymentRange ?? {};
			need(/^\d{4}-\d{2}-\d{2}/.test(String(startDate ?? '')), 'paymentRange.startDate', 'must be a date (YYYY-MM-DD)');
			need(/^\d{4}-\d{2}-\d{2}/.test(String(endDate ?? '')), 'paymentRange.endDate', 'must be a date (YYYY-MM-DD)');
			if (startDate && endDate && String(endDate) < String(startDate)) issues.push({ field: 'paymentRange.endDate', issue: 'must not be before startDate' });
		}
		if (body.status !== undefined) need(['Active', 'Cancelled', 'Suspended'].includes(body.status), 'status', 'must be Active, Suspended or Cancelled');
		return issues;
	}

	function list(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('lists');
		const q = req.query;
		const pageNumber = Number(q.get('pageNumber') ?? 1);
		const pageSize = Number(q.get('pageSize') ?? 25);
		const details: Array<{ field: string; issue: string }> = [];
		if (!Number.isInteger(pageNumber) || pageNumber < 1) details.push({ field: 'pageNumber', issue: 'must be a whole number from 1' });
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) details.push({ field: 'pageSize', issue: `must be from 1 to ${MAX_PAGE_SIZE}` });
		for (const f of ['fromDate', 'toDate']) if (q.has(f) && Number.isNaN(Date.parse(q.get(f)!))) details.push({ field: f, issue: 'must be a date (YYYY-MM-DD)' });
		if (details.length) return error(400, 'EVAL000', 'The request is invalid.', details);
		let rows = [...deployments.values()];
		const eq = (field: string, get: (d: Deployment) => unknown) => {
			const v = q.get(field);
			if (v) rows = rows.filter((d) => String(get(d)).toLowerCase() === v.toLowerCase());
		};
		eq('status', (d) => d.status);
		eq('consumerReference', (d) => d.consumerReference);
		eq('clientAccountCode', (d) => (d.clientAccountCode as any)?.value);
		if (q.get('fromDate')) rows = rows.filter((d) => d.createdAt >= q.get('fromDate')!);
		if (q.get('toDate')) rows = rows.filter((d) => d.createdAt.slice(0, 10) <= q.get('toDate')!);
		const totalItems = rows.length;
		const page = rows.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
		return json(200, { deployments: page, pagination: { pageNumber, pageSize, totalPages: Math.ceil(totalItems / pageSize), totalItems } });
	}

	function create(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('creates');
		const body = req.json();
		if (!body || typeof body !== 'object') return error(400, 'EVAL000', 'The request body must be a JSON object.');
		const issues = validate(body as Record<string, any>, false);
		if (issues.length) return error(400, 'EVAL000', 'The request is invalid.', issues);
		const { id: _id, status: _status, card: _card, createdAt: _c, ...fields } = body as Record<string, unknown>;
		return json(201, addDeployment(fields));
	}

	function amend(req: SandboxRequest, ctx: ServiceContext, id: string): SandboxReply {
		ctx.count('amends');
		const d = deployments.get(id);
		if (!d) return error(404, 'ENF001', `Deployment ${id} was not found.`);
		const body = req.json();
		if (!body || typeof body !== 'object') return error(400, 'EVAL000', 'The request body must be a JSON object.');
		const issues = validate(body as Record<string, any>, true);
		if (d.status === 'Cancelled') issues.push({ field: 'status', issue: 'a cancelled deployment cannot be amended' });
		if (issues.length) return error(400, 'EVAL000', 'The request is invalid.', issues);
		const { id: _id, card: _card, createdAt: _c, ...fields } = body as Record<string, unknown>;
		Object.assign(d, fields, { amendedAt: new Date().toISOString() });
		return json(200, d);
	}

	const handler = (req: SandboxRequest, ctx: ServiceContext): SandboxReply => {
		if (req.path === '/token') return req.method === 'POST' ? token(req, ctx) : json(405, { error: 'method_not_allowed' });
		const m = /^\/deployments\/v1\/deployments(?:\/([^/]+))?\/?$/.exec(req.path);
		if (!m) return error(404, 'ENF000', `No resource at ${req.path}.`);
		const refused = authorized(req, ctx);
		if (refused) return refused;
		const id = m[1] ? decodeURIComponent(m[1]) : undefined;
		if (!id && req.method === 'GET') return list(req, ctx);
		if (!id && req.method === 'POST') return create(req, ctx);
		if (id && req.method === 'GET') {
			ctx.count('reads');
			const d = deployments.get(id);
			return d ? json(200, d) : error(404, 'ENF001', `Deployment ${id} was not found.`);
		}
		if (id && req.method === 'PUT') return amend(req, ctx, id);
		return error(405, 'EVAL405', `${req.method} is not allowed here.`);
	};

	const service = await startService({ name: 'conferma', handler, certs: options.certs, port: options.port });
	const sandbox: ConfermaSandbox = Object.assign(service, {
		clientId,
		clientSecret,
		platformKeyName,
		tokenLifetimeSec: options.tokenLifetimeSec ?? 300,
		deployments,
		revokeTokens: () => void issue(platformKeyName),
		expireTokens() {
			for (const info of live.values()) info.expiresAt = Date.now() - 1;
		},
		issuedTokens: () => [...issued],
		notify: (url: string, notification: ConfermaNotification, headers: Record<string, string> = {}) =>
			post(url, JSON.stringify(notification), headers, options.certs.ca.cert),
	});
	return sandbox;
}

function post(url: string, body: string, headers: Record<string, string>, ca: string): Promise<{ status: number; body: string }> {
	const target = new URL(url);
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise((resolve, reject) => {
		const req = send(
			target,
			{ method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, ca },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** For `npm run sandbox` (sandbox/cli.ts): how to fill the n8n credential to use this emulator. */
export function printConferma(sandbox: { conferma: ConfermaSandbox }, dir: string) {
	const c = sandbox.conferma;
	console.log(`Conferma Pay  (credential "Conferma Pay API")
  Environment: Cert (the overrides win)
  Client ID: ${c.clientId}
  Client Secret: ${c.clientSecret}
  Platform Key Name: ${c.platformKeyName}
  Base URL: ${c.url}
  Token URL: ${c.url}/token
  CA Certificate: paste ${dir}/ca.crt
`);
}
