import { randomBytes } from 'crypto';
import { basicCredentials, bearerToken, fakeUuid, json, seeded, startService, type Service } from './framework';
import { ALL_GRANTS, claraWrites, type ClaraGrant, type ClaraSubscriber, type Delivery } from './clara-writes';
import type { SandboxCerts, SandboxReply, SandboxRequest } from './types';

/**
 * Clara's public API as the seeds and api-facts §1 describe it. One server stands for the three country hosts:
 * the country is the first path segment (`/mx/api/v3/...`), so a credential's base-URL override is
 * `https://127.0.0.1:PORT/{country}`. `/api-test/` (Clara's sandbox environment) serves the same data.
 */

type Obj = Record<string, any>;

export interface ClaraOptions {
	certs: SandboxCerts;
	clientId?: string;
	clientSecret?: string;
	/** The only country where this client exists (Clara issues credentials per country). */
	country?: 'mx' | 'co' | 'br';
	transactions?: number;
	/** Tax identifiers of the account's entities; the first is the default one. */
	entities?: string[];
	tokenLifetimeSec?: number;
	/** Write permissions of the API project (sandbox/clara-writes.ts); all of them unless given. */
	grants?: ClaraGrant[];
	port?: number;
}

export interface ClaraData {
	transactions: Obj[];
	billingStatements: Obj[];
	cards: Obj[];
	users: Obj[];
	groups: Obj[];
	locations: Obj[];
}

export interface ClaraSandbox extends Service {
	clientId: string;
	clientSecret: string;
	country: string;
	entities: string[];
	tokenLifetimeSec: number;
	/** The default entity's data (the first tax identifier). */
	data: ClaraData;
	/** Any entity's data, by tax identifier. */
	dataFor(taxIdentifier: string): ClaraData | undefined;
	/** Make every issued token stale, as a revoked or rotated project would. */
	revokeTokens(): void;
	/** Every token issued so far (tests grep outputs and logs for them). */
	issuedTokens(): string[];
	/** A new purchase dated now, for the polling trigger. */
	addTransaction(partial?: Obj): Obj;
	/** The project's write permissions now; tests take some away to see Clara's 403. */
	grants: Set<ClaraGrant>;
	/** Writes answer as Clara does when processing takes over 30 s: accepted, the result later. */
	asyncWrites: boolean;
	/** Webhook subscribers registered by the entity (the default one unless given). */
	subscribers(taxIdentifier?: string): ClaraSubscriber[];
	/** Clara sends `event` to every enabled subscriber of the entity that subscribed to it. */
	deliver(event: string, data?: Obj, taxIdentifier?: string): Promise<Delivery[]>;
}

const STATUSES = ['NOTIFICATION', 'PRE_AUTHORIZED', 'AUTHORIZED', 'REJECTED', 'SYSTEM_TRANSACTION'];
const TYPES = ['PURCHASE', 'PURCHASE', 'PURCHASE', 'REFUND', 'FEE'];
const MERCHANTS = [
	['Uber', 'Transportation'],
	['AWS', 'Software'],
	['Oxxo', 'Convenience store'],
	['Aeromexico', 'Airlines'],
	['WeWork', 'Office'],
	['Google Cloud', 'Software'],
	['Starbucks', 'Restaurants'],
	['Liverpool', 'Department store'],
];
const SORTS = new Set(['operationDate,DESC', 'operationDate,ASC', 'accountingDate,DESC', 'accountingDate,ASC']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: string) => DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
/** Distinct filtered lists kept at once; a benchmark pages one list, tests use a few dozen. */
const LIST_CACHE_SIZE = 64;
const DAY = 86_400_000;

function entityData(seed: number, count: number): ClaraData {
	const rand = seeded(seed);
	const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
	const groups = Array.from({ length: 5 }, (_, i) => ({ uuid: fakeUuid(rand), name: `Team ${i + 1}`, description: `Cost center ${100 + i}`, status: 'ACTIVE' }));
	const locations = ['CDMX', 'Monterrey', 'Guadalajara', 'Remote'].map((name, i) => ({
		uuid: fakeUuid(rand),
		name,
		code: `LOC-${i + 1}`,
		status: 'ACTIVE',
		createdAt: new Date(Date.UTC(2024, i, 1)).toISOString(),
	}));
	const roles = ['EMPLOYEE', 'EMPLOYEE', 'MANAGER', 'BOOKKEEPER', 'COMPANY_OWNER'];
	const users = Array.from({ length: 25 }, (_, i) => ({
		uuid: fakeUuid(rand),
		fullName: `Employee ${i + 1}`,
		email: `employee${i + 1}@example.com`,
		status: i % 9 === 8 ? 'LOCKED' : 'ACTIVE',
		role: roles[i % roles.length],
		erpId: `ERP-${1000 + i}`,
		locationUuid: locations[i % locations.length].uuid,
		createdAt: new Date(Date.UTC(2024, i % 12, 1 + (i % 27))).toISOString(),
	}));
	const cardStatuses = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'BLOCKED', 'CANCELLED', 'EXPIRED'];
	const periodicities = ['DAILY', 'WEEKLY', 'MONTHLY'];
	const cards = Array.from({ length: 30 }, (_, i) => {
		const user = users[i % users.length];
		const last = String(1000 + Math.floor(rand() * 9000));
		return {
			uuid: fakeUuid(rand),
			status: cardStatuses[i % cardStatuses.length],
			lockCode: null,
			alias: `Card ${i + 1}`,
			threshold: 5000 + 1000 * (i % 5),
			periodicity: periodicities[i % 3],
			maskedPan: `5555 **** **** ${last}`,
			type: i % 4 === 0 ? 'MASTER_PHYSICAL' : 'MASTER_VIRTUAL',
			user: { uuid: user.uuid, fullName: user.fullName, username: user.email },
			userErpId: user.erpId,
		};
	});
	// Six monthly statements ending with the current month.
	const now = new Date();
	const billingStatements = Array.from({ length: 6 }, (_, i) => {
		const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5 + i, 1));
		const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4 + i, 0));
		return { uuid: fakeUuid(rand), periodStart: start.toISOString().slice(0, 10), periodEnd: end.toISOString().slice(0, 10), status: i === 5 ? 'OPEN' : 'CLOSED', totalAmount: { value: 0, currency: 'MXN' } };
	});
	const span = Date.now() - Date.parse(billingStatements[0].periodStart);
	const transactions = Array.from({ length: count }, (_, i) => {
		const card = cards[i % cards.length];
		const [merchant, category] = pick(MERCHANTS);
		const operation = new Date(Date.now() - 3_600_000 - Math.floor((i / Math.max(1, count)) * span));
		const accounting = new Date(operation.getTime() + DAY).toISOString().slice(0, 10);
		const statement = billingStatements.find((s) => accounting >= s.periodStart && accounting <= s.periodEnd) ?? billingStatements[5];
		const value = Math.round(rand() * 500_000) / 100;
		statement.totalAmount.value = Math.round((statement.totalAmount.value + value) * 100) / 100;
		const status = STATUSES[Math.floor(rand() * 10) < 7 ? 2 : Math.floor(rand() * STATUSES.length)];
		return {
			uuid: fakeUuid(rand),
			type: pick(TYPES),
			transactionLabel: `${merchant} ${category}`,
			status: { code: status, description: status.replace(/_/g, ' ').toLowerCase() },
			amountValue: { value, currency: 'MXN' },
			merchant: { name: merchant, category },
			card: { lastFourDigits: card.maskedPan.slice(-4) },
			user: { name: card.user.fullName, uuid: card.user.uuid },
			billingStatement: { uuid: statement.uuid },
			hasAttachments: { value: rand() < 0.3 },
			hasInvoice: { value: rand() < 0.5 },
			maskedPan: card.maskedPan,
			authorizationNumber: String(100000 + Math.floor(rand() * 900000)),
			labels: [],
			operationDate: operation.toISOString(),
			accountingDate: accounting,
		};
	});
	return { transactions, billingStatements, cards, users, groups, locations };
}

const error = (status: number, code: string, message: string, details?: string[]): SandboxReply =>
	json(status, { code, message, timestamp: new Date().toISOString(), ...(details ? { details } : {}) });

export async function startClara(options: ClaraOptions): Promise<ClaraSandbox> {
	const clientId = options.clientId ?? 'sandbox-clara-client';
	const clientSecret = options.clientSecret ?? `clara-secret-${randomBytes(8).toString('hex')}`;
	const country = options.country ?? 'mx';
	const entities = options.entities ?? ['CLA900101AB1', 'CLA900101AB2'];
	const datasets = new Map(entities.map((tax, i) => [tax, entityData(42 + i, i === 0 ? options.transactions ?? 250 : 20)]));
	const tokens = new Map<string, number>();
	const issued: string[] = [];
	// Filtered + sorted lists, kept per query so that paging 50,000 rows does not redo the work per page.
	const listCache = new Map<string, Obj[]>();
	const validation = (message: string, details: string[]) => error(400, 'VALIDATION_ERROR', message, details);
	// Get by uuid through an index, as a real server would: a scan of 50,000 rows per request would spend the bench
	// process's CPU (server and client share it) on the emulator instead of on the client being measured.
	const indexes = new Map<string, { size: number; map: Map<unknown, Obj> }>();
	const byUuid = (key: string, rows: Obj[]) => {
		let index = indexes.get(key);
		// Rebuilt when a test pushes rows into the arrays.
		if (!index || index.size !== rows.length) indexes.set(key, (index = { size: rows.length, map: new Map(rows.map((r) => [r.uuid, r])) }));
		return index.map;
	};

	function issueToken(lifetime: number) {
		const exp = Math.floor(Date.now() / 1000) + lifetime;
		const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
		const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://clara.auth0.sandbox/', sub: `${clientId}@clients`, exp, jti: randomBytes(6).toString('hex') })}.${randomBytes(24).toString('base64url')}`;
		tokens.set(token, exp * 1000);
		issued.push(token);
		return token;
	}

	function page(req: SandboxRequest, rows: Obj[]): SandboxReply {
		const pageNo = Number(req.query.get('page') ?? 0);
		const size = Number(req.query.get('size') ?? 50);
		if (!Number.isInteger(pageNo) || pageNo < 0) return validation('Invalid request parameters', ['page: must be a non-negative integer']);
		if (!Number.isInteger(size) || size < 1 || size > 100) return validation('Invalid request parameters', [`size: must be between 1 and 100 (got ${req.query.get('size')})`]);
		const content = rows.slice(pageNo * size, pageNo * size + size);
		const totalPages = Math.ceil(rows.length / size);
		return json(200, {
			content,
			totalElements: rows.length,
			totalPages,
			size,
			number: pageNo,
			numberOfElements: content.length,
			first: pageNo === 0,
			last: pageNo >= totalPages - 1,
		});
	}

	/** `rows` is a function so that a cached list costs nothing, not even the scan that selects its rows. */
	function filtered(key: string, rows: () => Obj[], req: SandboxRequest, sortable: boolean): Obj[] | SandboxReply {
		const q = req.query;
		const dates: Record<string, string> = {};
		for (const name of ['operationDateRangeStart', 'operationDateRangeEnd', 'accountingDateRangeStart', 'accountingDateRangeEnd', 'createdAtStart', 'createdAtEnd']) {
			const v = q.get(name);
			if (v === null) continue;
			if (!isDate(v)) return validation(`${name} must be a date in the format YYYY-MM-DD`, [`${name}: invalid date "${v}"`]);
			dates[name] = v;
		}
		// Clara documents sort for transactions only; elsewhere it is ignored.
		const sort = sortable ? q.get('sort') : null;
		if (sort !== null && !SORTS.has(sort)) return validation('Invalid request parameters', [`sort: must be one of ${[...SORTS].join(', ')} (got "${sort}")`]);
		const status = q.get('status');
		const cacheKey = `${key}?${[...q.entries()].filter(([k]) => k !== 'page' && k !== 'size').sort().map((e) => e.join('=')).join('&')}`;
		const hit = listCache.get(cacheKey);
		if (hit) return hit;
		if (listCache.size >= LIST_CACHE_SIZE) listCache.delete(listCache.keys().next().value as string);
		const equals = (field: string, value: unknown) => (row: Obj) => value === null || String(row[field]) === String(value);
		let out = rows().filter((row) => {
			const op = String(row.operationDate ?? '').slice(0, 10);
			const acc = String(row.accountingDate ?? '');
			const created = String(row.createdAt ?? '').slice(0, 10);
			if (dates.operationDateRangeStart && op < dates.operationDateRangeStart) return false;
			if (dates.operationDateRangeEnd && op > dates.operationDateRangeEnd) return false;
			if (dates.accountingDateRangeStart && acc < dates.accountingDateRangeStart) return false;
			if (dates.accountingDateRangeEnd && acc > dates.accountingDateRangeEnd) return false;
			if (dates.createdAtStart && created < dates.createdAtStart) return false;
			if (dates.createdAtEnd && created > dates.createdAtEnd) return false;
			if (status !== null && (typeof row.status === 'object' ? row.status.code : row.status) !== status) return false;
			if (q.get('cardLastDigits') !== null && row.card?.lastFourDigits !== q.get('cardLastDigits')) return false;
			if (q.get('userUuid') !== null && row.user?.uuid !== q.get('userUuid')) return false;
			if (q.get('username') !== null && row.user?.username !== q.get('username')) return false;
			if (q.get('name') !== null && !String(row.fullName ?? row.name ?? '').toLowerCase().includes(String(q.get('name')).toLowerCase())) return false;
			return ['periodicity', 'type', 'role', 'email', 'erpId', 'userErpId', 'locationUuid'].every((f) => q.get(f) === null || equals(f, q.get(f))(row));
		});
		if (sortable) {
			const [field, dir] = (sort ?? 'operationDate,DESC').split(',');
			out = [...out].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) * (dir === 'ASC' ? 1 : -1));
		}
		listCache.set(cacheKey, out);
		return out;
	}

	const handler = (req: SandboxRequest): SandboxReply => {
		const match = /^\/(mx|co|br)(\/.*)$/.exec(req.path);
		if (!match) return error(404, 'NOT_FOUND', `No Clara host for ${req.path}: the path starts with /mx, /co or /br`);
		const [, reqCountry, path] = match;

		if (path === '/v2/health' && req.method === 'GET') return json(200, { status: 'UP' });

		if (path === '/oauth/token' && req.method === 'POST') {
			sandbox.counters.tokenRequests++;
			const basic = basicCredentials(req.headers.authorization);
			const grant = req.form().get('grant_type');
			if (req.body.length && grant !== null && grant !== 'client_credentials') return error(400, 'VALIDATION_ERROR', 'unsupported grant_type');
			if (!basic || basic.id !== clientId || basic.secret !== clientSecret || reqCountry !== country) {
				return error(401, 'UNAUTHORIZED', 'Unauthorized');
			}
			return json(200, { access_token: issueToken(sandbox.tokenLifetimeSec), token_type: 'Bearer', expires_in: sandbox.tokenLifetimeSec, scope: 'read' });
		}

		const api = /^\/(api|api-test)(\/v[123]\/.*)$/.exec(path);
		if (!api) return error(404, 'NOT_FOUND', `No such endpoint: ${path}`);
		const cert = req.clientCert;
		if (!cert.presented) return error(511, 'NETWORK_AUTHENTICATION_REQUIRED', 'Client certificate required');
		if (!cert.authorized) {
			const why = /EXPIRED/.test(cert.error ?? '') ? 'the client certificate has expired' : 'the client certificate was not issued by Clara';
			return error(406, 'NOT_ACCEPTABLE', `Not acceptable: ${why}`);
		}
		const token = bearerToken(req.headers.authorization);
		const exp = token ? tokens.get(token) : undefined;
		if (!exp || exp <= Date.now()) return error(401, 'UNAUTHORIZED', 'Unauthorized');

		const taxHeader = req.headers['x-tax-identifier'];
		const tax = (Array.isArray(taxHeader) ? taxHeader[0] : taxHeader) ?? entities[0];
		const data = datasets.get(tax);
		if (!data) return error(403, 'FORBIDDEN', `The tax identifier ${tax} is not an entity of this account`);

		const route = api[2];
		// Writes and webhook subscribers: sandbox/clara-writes.ts.
		if (req.method !== 'GET' || route.startsWith('/v1/')) {
			return writes.handle(req, route, data, tax) ?? error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${route}`);
		}
		const collections: Array<[RegExp, keyof typeof data]> = [
			[/^\/v3\/transactions(?:\/([^/]+))?$/, 'transactions'],
			[/^\/v3\/cards(?:\/([^/]+))?$/, 'cards'],
			[/^\/v3\/users(?:\/([^/]+))?$/, 'users'],
			[/^\/v2\/groups(?:\/([^/]+))?$/, 'groups'],
			[/^\/v2\/locations(?:\/([^/]+))?$/, 'locations'],
		];
		if (route === '/v3/billing-statements/current') return json(200, data.billingStatements[data.billingStatements.length - 1]);
		const statementTx = /^\/v3\/billing-statements\/([^/]+)\/transactions$/.exec(route);
		if (statementTx) {
			if (!data.billingStatements.some((s) => s.uuid === statementTx[1])) return error(404, 'NOT_FOUND', 'Billing statement not found');
			const rows = filtered(`${tax}:${data.transactions.length}:tx-of-${statementTx[1]}`, () => data.transactions.filter((t) => t.billingStatement.uuid === statementTx[1]), req, true);
			return Array.isArray(rows) ? page(req, rows) : rows;
		}
		collections.push([/^\/v3\/billing-statements(?:\/([^/]+))?$/, 'billingStatements']);
		for (const [pattern, key] of collections) {
			const m = pattern.exec(route);
			if (!m) continue;
			if (m[1]) {
				const found = byUuid(`${tax}:${key}`, data[key]).get(decodeURIComponent(m[1]));
				return found ? json(200, found) : error(404, 'NOT_FOUND', `${key.replace(/s$/, '')} not found`);
			}
			// The length is in the key so that rows a test pushes into the arrays are seen.
			const rows = filtered(`${tax}:${data[key].length}:${key}`, () => data[key], req, key === 'transactions');
			return Array.isArray(rows) ? page(req, rows) : rows;
		}
		return error(404, 'NOT_FOUND', `No such endpoint: ${route}`);
	};

	const grants = new Set<ClaraGrant>(options.grants ?? ALL_GRANTS);
	const writes = claraWrites({
		country,
		grants,
		ca: options.certs.ca.cert,
		changed: () => {
			listCache.clear();
			indexes.clear();
		},
	});

	const service = await startService({ name: 'clara', handler, certs: options.certs, mtls: true, port: options.port });
	const primary = datasets.get(entities[0])!;
	const sandbox: ClaraSandbox = Object.assign(service, {
		clientId,
		clientSecret,
		country,
		entities,
		tokenLifetimeSec: options.tokenLifetimeSec ?? 3600,
		data: primary,
		dataFor: (taxIdentifier: string) => datasets.get(taxIdentifier),
		revokeTokens: () => tokens.clear(),
		grants,
		asyncWrites: false,
		subscribers: (taxIdentifier = entities[0]) => writes.subscribers(taxIdentifier),
		deliver: (event: string, data?: Obj, taxIdentifier = entities[0]) => writes.deliver(taxIdentifier, event, data),
		issuedTokens: () => [...issued],
		addTransaction(partial: Obj = {}) {
			const template = primary.transactions[0];
			const tx = {
				...template,
				uuid: fakeUuid(Math.random),
				status: { code: 'AUTHORIZED', description: 'authorized' },
				operationDate: new Date().toISOString(),
				accountingDate: new Date().toISOString().slice(0, 10),
				...partial,
			};
			primary.transactions.unshift(tx);
			listCache.clear();
			return tx;
		},
	});
	// A live property (Object.assign would copy the value once): tests flip it while the server runs.
	Object.defineProperty(sandbox, 'asyncWrites', { get: () => writes.async, set: (value: boolean) => (writes.async = value) });
	return sandbox;
}

/** For `npm run sandbox` (sandbox/cli.ts): how to fill the n8n credential to use this emulator. */
export function printClara(sandbox: { clara: ClaraSandbox }, dir: string) {
	const c = sandbox.clara;
	const names = { mx: 'Mexico', co: 'Colombia', br: 'Brazil' } as Record<string, string>;
	console.log(`Clara  (credential "Clara API")
  Environment: Production or Sandbox (/api-test/); both serve the same data
  Country: ${names[c.country]} (${c.country}); the client exists only there, other countries answer 401
  Client ID: ${c.clientId}
  Client Secret: ${c.clientSecret}
  Client Certificate: paste ${dir}/client.crt
  Private Key: paste ${dir}/client.key  (or client-encrypted.key with Passphrase: the text of passphrase.txt)
  Clara CA Certificate: paste ${dir}/ca.crt
  Tax Identifier: empty (= ${c.entities[0]}), or ${c.entities.slice(1).join(', ')}; any other answers 403
  Base URL Override: ${c.url}/{country}
  To see the errors: foreign.crt/.key → HTTP 406, expired.crt/.key → HTTP 406 (expired), no certificate → HTTP 511
  Writes (cards, users, groups) and webhook subscribers: allowed (${[...c.grants].join(', ')}); a Clara Webhook Trigger's
  subscriber is registered here when its workflow is activated
`);
}
