import { randomBytes } from 'crypto';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { basicCredentials, bearerToken, json, seeded, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * Conferma Pay, as seed 004 and Conferma's published reference describe it; every behaviour below names its row of
 * sandbox/contracts/conferma.md (`contract: <row>`), which gives its source. One server plays both hosts: the
 * authorisation server (`POST /token`, assure.cert-confermapay.com) and the API (`/deployments/v1/deployments`,
 * api.cert-confermapay.com).
 *
 * The behaviour that matters: **issuing a token revokes every earlier token of the platform** (the platform key
 * name sent as `scope`). A revoked or expired token gets 401 `ESEC001`. `revokeTokens()` does what another client
 * of the platform does when it takes a token.
 */

export interface ConfermaOptions {
	certs: SandboxCerts;
	clientId?: string;
	clientSecret?: string;
	platformKeyName?: string;
	tokenLifetimeSec?: number;
	/** Deployments created at start. */
	deployments?: number;
	/**
	 * Keep the deployments on the dates written here (created 1–5 January 2026, paid in February), which tests pin.
	 * By default every date moves by the same whole days, so the last one was created yesterday.
	 */
	fixedDates?: boolean;
	port?: number;
	/** Where to listen (default 127.0.0.1). */
	host?: string;
}

export interface Deployment {
	deploymentId: number;
	status: string;
	createdAt: string;
	[field: string]: unknown;
}

/** contract: card-details. A deployment's virtual card as Create answers it. */
export interface CardDetails {
	number: string;
	cvv: string;
	expiryMonth: number;
	expiryYear: number;
}

export interface Invoice {
	invoiceId: number;
	[field: string]: unknown;
}

export interface ConfermaSandbox extends Service {
	clientId: string;
	clientSecret: string;
	platformKeyName: string;
	tokenLifetimeSec: number;
	/** By deployment id (as text). */
	deployments: Map<string, Deployment>;
	/** A deployment's invoices, by deployment id (as text). */
	invoices: Map<string, Invoice[]>;
	/** Each deployment's card, full number and CVV, by deployment id (as text): what tests look for in outputs and logs. */
	cards: Map<string, CardDetails>;
	/**
	 * Off (default): only Create's answer carries the full card, as published; Get, Get Many and Amend show it masked.
	 * On: every answer carries it — what those answers hold is not published, so a test can prove the node masks them.
	 */
	fullCardOnReads: boolean;
	/** The card pools Create accepts: `CLIENTID` values and client account codes (`CAC`). */
	cardPools: Array<{ type: string; value: string; currencyCode: string }>;
	/** What another client of the platform does: takes a token, which revokes all of ours. */
	revokeTokens(): void;
	/** Every token issued so far expires now (server side), as if its lifetime had run out. */
	expireTokens(): void;
	/** Every token issued so far (tests grep outputs and logs for them). */
	issuedTokens(): string[];
	/** POST a Conferma notification to a webhook URL (http or https; the sandbox CA is trusted). */
	notify(url: string, notification: ConfermaNotification, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
}

/** contract: webhook-payload */
export interface ConfermaNotification {
	version: number;
	notificationMessageID: number;
	notificationCreationTime: string;
	notificationEventType: { id: number; name: string };
	content: Record<string, unknown>;
}

/** Counters this emulator adds to `counters.custom` (besides `http<status>`). */
export const CONFERMA_COUNTERS = ['creates', 'amends', 'reads', 'lists', 'invoiceLists', 'revokedTokenUses', 'expiredTokenUses'] as const;

/** contract: paging-range */
export const PAGE_SIZE = { min: 10, max: 1000, default: 100 };

/** contract: deployment-shape (DeploymentType in Conferma's deployment report) */
export const DEPLOYMENT_TYPES = ['Air', 'Rail', 'Car', 'Hotel', 'Generic'];

/** contract: client-account-code */
export const CLIENT_ACCOUNT_CODE_TYPES = ['CLIENTID', 'CAC'];

let nextMessageId = 123_456;
/** `YYYY-MM-DD HH:mm:ss`, the form of Conferma's sample notification. */
const notificationTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** Event 98, the one documented notification: a card of a deployment was used. contract: webhook-payload, webhook-content */
export function cardAuthorisation(deploymentId: number | string, overrides: Partial<ConfermaNotification> = {}): ConfermaNotification {
	return {
		version: 1,
		notificationMessageID: nextMessageId++,
		notificationCreationTime: notificationTime(new Date()),
		notificationEventType: { id: 98, name: 'Card Authorisation Activity' },
		content: {
			deploymentId: Number(deploymentId),
			authorisation: { amount: 129.5, currencyCode: 'GBP', merchantName: 'Sandbox Hotel London', approved: true, authorisedAt: new Date().toISOString() },
		},
		...overrides,
	};
}

type Issue = { field: string; issue: string };

const DAY = 86_400_000;

export async function startConferma(options: ConfermaOptions): Promise<ConfermaSandbox> {
	const clientId = options.clientId ?? 'conferma-sandbox-client';
	const clientSecret = options.clientSecret ?? `conferma-secret-${randomBytes(8).toString('hex')}`;
	const platformKeyName = options.platformKeyName ?? 'n8n-sandbox-platform';
	const rand = seeded(2019_11_08);
	/** token → expiry; only the last one issued per platform is in here (that is the revocation). */
	const live = new Map<string, { expiresAt: number; platform: string }>();
	/** Tokens a newer one revoked while they still worked. */
	const revoked = new Set<string>();
	/** Tokens a newer one replaced after they had run out: their use counts as an expired token's. */
	const expired = new Set<string>();
	const issued: string[] = [];
	const deployments = new Map<string, Deployment>();
	const invoices = new Map<string, Invoice[]>();
	const cards = new Map<string, CardDetails>();
	const cardPools = [
		{ type: 'CLIENTID', value: '1234', currencyCode: 'GBP' },
		{ type: 'CLIENTID', value: '54321', currencyCode: 'EUR' },
		{ type: 'CAC', value: 'ACMEGBP', currencyCode: 'GBP' },
		{ type: 'CAC', value: 'ACMEEUR', currencyCode: 'EUR' },
	];
	let nextId = 100_000;
	let nextInvoiceId = 700_000;

	// contract: errors
	const error = (status: number, errorCode: string, message: string, details: Issue[] = []): SandboxReply => json(status, { errorCode, message, details });

	/**
	 * contract: card-details. A Mastercard-range test number (5555 55…, the range of Mastercard's published test
	 * card 5555 5555 5555 4444) with a valid Luhn check digit, a CVV and an expiry: what Conferma shows for a new card.
	 */
	function newCard(): CardDetails {
		const body = `555555${Array.from({ length: 9 }, () => Math.floor(rand() * 10)).join('')}`;
		const check = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((d) => luhnValid(`${body}${d}`))!;
		return { number: `${body}${check}`, cvv: String(100 + Math.floor(rand() * 900)), expiryMonth: 1 + Math.floor(rand() * 12), expiryYear: 2029 };
	}

	// contract: deployment-shape, card-details
	function addDeployment(fields: Record<string, unknown>, createdAt = new Date(), status = 'Deployed'): Deployment {
		const deploymentId = nextId++;
		const d: Deployment = { deploymentId, status, createdAt: createdAt.toISOString(), ...fields };
		deployments.set(String(deploymentId), d);
		cards.set(String(deploymentId), newCard());
		return d;
	}

	/**
	 * A deployment as an answer shows it. contract: card-details — Create carries the full card [doc, code]; what
	 * Get, Get Many and Amend carry is not published [guess]: masked to the last four, unless `fullCardOnReads`.
	 */
	function shown(d: Deployment, full: boolean): Deployment {
		const card = cards.get(String(d.deploymentId))!;
		const { number, cvv: _cvv, ...expiry } = card;
		return { ...d, cardDetails: full ? { ...card } : { maskedNumber: `555555******${number.slice(-4)}`, ...expiry } };
	}
	// The dates as written end on 5 January 2026; by default each moves so that day is yesterday.
	const shiftMs = options.fixedDates ? 0 : (Math.floor(Date.now() / DAY) - 1 - Math.floor(Date.UTC(2026, 0, 5) / DAY)) * DAY;
	const moved = (date: string) => new Date(Date.parse(date) + shiftMs).toISOString().slice(0, 10);
	// contract: invoices (their fields are a guess)
	function addInvoice(d: Deployment, n: number) {
		const amount = d.deploymentAmount as { amount: number; currencyCode: string };
		const list = invoices.get(String(d.deploymentId)) ?? [];
		list.push({
			invoiceId: nextInvoiceId++,
			invoiceNumber: `INV-${d.deploymentId}-${n + 1}`,
			invoiceDate: moved('2026-02-15'),
			invoiceAmount: { amount: Math.round((amount.amount / (n + 2)) * 100) / 100, currencyCode: amount.currencyCode },
			supplierName: (d.supplier as { name?: string } | undefined)?.name,
		});
		invoices.set(String(d.deploymentId), list);
	}
	const start = Date.UTC(2026, 0, 1) + shiftMs;
	for (let i = 0; i < (options.deployments ?? 120); i++) {
		const pool = cardPools[i % cardPools.length];
		const d = addDeployment(
			{
				clientAccountCode: { type: pool.type, value: pool.value },
				spendType: DEPLOYMENT_TYPES[i % 3 === 0 ? 3 : i % 5 === 0 ? 4 : 0],
				consumerReference: `BOOKING-${String(i + 1).padStart(5, '0')}`,
				supplierReference: `SUP-${i + 1}`,
				deploymentAmount: { amount: 100 + (i % 40) * 12.5, currencyCode: pool.currencyCode },
				paymentRange: { startDate: moved('2026-02-01'), endDate: moved('2026-02-28') },
				supplier: { name: `Sandbox Supplier ${i % 7}`, address: { city: 'London', countryCode: 'GB' } },
				travellers: [{ firstName: 'Alex', lastName: `Traveller${i}` }],
			},
			new Date(start + i * 3_600_000),
			i % 12 === 11 ? 'CancelledWithSupplier' : 'Deployed',
		);
		// Most deployments have no invoice yet; the sixth has more than two pages of the smallest size.
		const count = i === 5 ? 23 : i % 4 === 1 ? 1 : 0;
		for (let n = 0; n < count; n++) addInvoice(d, n);
	}

	// contract: token, token-revokes, token-refusals
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
				// Counting only [guess]: either way the answer is the same 401. A use of a token that had run out before
				// the next one was issued is the expiry meeting a process that did not know yet, not two token holders
				// revoking each other, and the tests tell the two apart.
				(info.expiresAt > Date.now() ? revoked : expired).add(t);
			}
		}
		const accessToken = randomBytes(24).toString('base64url');
		const issuedAt = Date.now();
		const expiresAt = issuedAt + sandbox.tokenLifetimeSec * 1000;
		live.set(accessToken, { expiresAt, platform });
		issued.push(accessToken);
		return { access_token: accessToken, expires: new Date(expiresAt).toISOString(), issued: new Date(issuedAt).toISOString() };
	}

	// contract: auth
	function authorized(req: SandboxRequest, ctx: ServiceContext): SandboxReply | undefined {
		const t = bearerToken(req.headers.authorization);
		const info = t ? live.get(t) : undefined;
		if (info && info.expiresAt > Date.now()) return undefined;
		if (t && revoked.has(t)) ctx.count('revokedTokenUses');
		else if (info || (t && expired.has(t))) ctx.count('expiredTokenUses');
		return error(401, 'ESEC001', 'Authorization has been denied for this request.');
	}

	const has = (v: unknown) => v !== undefined && v !== null && v !== '';
	const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

	/** What Conferma refuses in a deployment body; `partial` for an Amend (only what is given is checked). */
	function validate(body: Record<string, any>, partial: boolean): Issue[] {
		const issues: Issue[] = [];
		const need = (ok: boolean, field: string, issue: string) => ok || issues.push({ field, issue });
		// contract: create-required
		if (!partial) {
			for (const field of ['clientAccountCode', 'deploymentAmount', 'paymentRange', 'supplier']) need(body[field] !== undefined && body[field] !== null, field, 'is required');
		}
		// contract: client-account-code
		if (body.clientAccountCode) {
			const { type, value } = body.clientAccountCode;
			if (!CLIENT_ACCOUNT_CODE_TYPES.includes(type)) issues.push({ field: 'clientAccountCode.type', issue: `must be one of ${CLIENT_ACCOUNT_CODE_TYPES.join(', ')}` });
			else if (!has(value)) issues.push({ field: 'clientAccountCode.value', issue: 'is required' });
			else if (!cardPools.some((p) => p.type === type && p.value === String(value))) issues.push({ field: 'clientAccountCode.value', issue: 'no card pool has this code' });
		}
		// contract: amount. The sub-field names `{amount, currencyCode}` are a [guess]: the reference says only "a
		// monetary value and currency code"; unofficial clients disagree (`{amount, currencyCode}` vs `{value, currency}`).
		if (body.deploymentAmount) {
			const amount = body.deploymentAmount.amount;
			need(typeof amount === 'number' && amount > 0, 'deploymentAmount.amount', 'must be a number greater than 0');
			need(/^[A-Z]{3}$/.test(String(body.deploymentAmount.currencyCode ?? '')), 'deploymentAmount.currencyCode', 'must be an ISO 4217 code such as GBP');
		}
		// contract: payment-range
		if (body.paymentRange) {
			const { startDate, endDate } = body.paymentRange;
			need(isDate(startDate), 'paymentRange.startDate', 'must be a date (YYYY-MM-DD)');
			need(isDate(endDate), 'paymentRange.endDate', 'must be a date (YYYY-MM-DD)');
			if (isDate(startDate) && isDate(endDate) && endDate < startDate) issues.push({ field: 'paymentRange.endDate', issue: 'must not be before startDate' });
		}
		// contract: create-required (supplier.name is a guess)
		if (body.supplier !== undefined) need(has(body.supplier?.name), 'supplier.name', 'is required');
		// contract: deployment-shape
		if (body.spendType !== undefined) need(DEPLOYMENT_TYPES.includes(body.spendType), 'spendType', `must be one of ${DEPLOYMENT_TYPES.join(', ')}`);
		return issues;
	}

	/** contract: paging, paging-range. Zero-based `PageNumber`, `PageSize` 10–1000 (default 100). */
	function page<T>(req: SandboxRequest, rows: T[]): SandboxReply {
		const q = req.query;
		const pageNumber = Number(q.get('PageNumber') ?? 0);
		const pageSize = Number(q.get('PageSize') ?? PAGE_SIZE.default);
		const details: Issue[] = [];
		if (!Number.isInteger(pageNumber) || pageNumber < 0) details.push({ field: 'PageNumber', issue: 'must be a whole number from 0' });
		if (!Number.isInteger(pageSize) || pageSize < PAGE_SIZE.min || pageSize > PAGE_SIZE.max) details.push({ field: 'PageSize', issue: `must be from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}` });
		if (details.length) return error(400, 'EVAL000', 'The request is invalid.', details);
		const totalItems = rows.length;
		const items = rows.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize);
		return json(200, { totalItems, totalPages: Math.ceil(totalItems / pageSize), pageNumber, pageSize, items });
	}

	// contract: list-filters
	function list(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('lists');
		const q = req.query;
		const details: Issue[] = [];
		for (const f of ['fromDate', 'toDate']) if (q.has(f) && !isDate(q.get(f))) details.push({ field: f, issue: 'must be a date (YYYY-MM-DD)' });
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
		return page(req, rows.map((d) => shown(d, sandbox.fullCardOnReads)));
	}

	/** Fields Conferma sets itself (its deployment report names Conferma their data controller): a body cannot set them. */
	const CONTROLLED = ['deploymentId', 'status', 'cardDetails', 'createdAt', 'amendedAt'];
	const settable = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !CONTROLLED.includes(k)));

	// contract: create-required
	function create(req: SandboxRequest, ctx: ServiceContext): SandboxReply {
		ctx.count('creates');
		const body = req.json();
		if (!body || typeof body !== 'object' || Array.isArray(body)) return error(400, 'EVAL000', 'The request body must be a JSON object.');
		const issues = validate(body as Record<string, any>, false);
		if (issues.length) return error(400, 'EVAL000', 'The request is invalid.', issues);
		return json(201, shown(addDeployment(settable(body as Record<string, unknown>)), true));
	}

	// contract: amend, amend-cancelled
	function amend(req: SandboxRequest, ctx: ServiceContext, id: string): SandboxReply {
		ctx.count('amends');
		const d = deployments.get(id);
		if (!d) return error(404, 'ENF001', `Deployment ${id} was not found.`);
		const body = req.json();
		if (!body || typeof body !== 'object' || Array.isArray(body)) return error(400, 'EVAL000', 'The request body must be a JSON object.');
		const issues = validate(body as Record<string, any>, true);
		if (d.status === 'CancelledWithSupplier') issues.push({ field: 'status', issue: 'a cancelled deployment cannot be amended' });
		if (issues.length) return error(400, 'EVAL000', 'The request is invalid.', issues);
		Object.assign(d, settable(body as Record<string, unknown>), { amendedAt: new Date().toISOString() });
		return json(200, shown(d, sandbox.fullCardOnReads));
	}

	const handler = (req: SandboxRequest, ctx: ServiceContext): SandboxReply => {
		if (req.path === '/token') return req.method === 'POST' ? token(req, ctx) : json(405, { error: 'method_not_allowed' });
		const m = /^\/deployments\/v1\/deployments(?:\/([^/]+)(\/invoices)?)?\/?$/.exec(req.path);
		if (!m) return error(404, 'ENF000', `No resource at ${req.path}.`);
		const refused = authorized(req, ctx);
		if (refused) return refused;
		const id = m[1] ? decodeURIComponent(m[1]) : undefined;
		if (!id && req.method === 'GET') return list(req, ctx);
		if (!id && req.method === 'POST') return create(req, ctx);
		if (id && m[2] && req.method === 'GET') {
			// contract: invoices
			ctx.count('invoiceLists');
			return deployments.has(id) ? page(req, invoices.get(id) ?? []) : error(404, 'ENF001', `Deployment ${id} was not found.`);
		}
		if (id && !m[2] && req.method === 'GET') {
			// contract: get
			ctx.count('reads');
			const d = deployments.get(id);
			return d ? json(200, shown(d, sandbox.fullCardOnReads)) : error(404, 'ENF001', `Deployment ${id} was not found.`);
		}
		if (id && !m[2] && req.method === 'PUT') return amend(req, ctx, id);
		// contract: cancel (not published, so not here)
		return error(405, 'EVAL405', `${req.method} is not allowed here.`);
	};

	const service = await startService({ name: 'conferma', handler, certs: options.certs, port: options.port, host: options.host });
	const sandbox: ConfermaSandbox = Object.assign(service, {
		clientId,
		clientSecret,
		platformKeyName,
		tokenLifetimeSec: options.tokenLifetimeSec ?? 300,
		deployments,
		invoices,
		cards,
		fullCardOnReads: false,
		cardPools,
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

function luhnValid(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = Number(digits[digits.length - 1 - i]);
		if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return sum % 10 === 0;
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
  Card pools for Create: ${c.cardPools.map((p) => `${p.type} ${p.value} (${p.currencyCode})`).join(', ')}
`);
}
