import { randomBytes } from 'crypto';
import { basicCredentials, bearerToken, fakeUuid, json, seeded, startService, type Service } from './framework';
import { ALL_GRANTS, claraWrites, type ClaraGrant, type ClaraSubscriber, type ClaraWriteQuirks, type Delivery, type SubscriberKnobs } from './clara-writes';
import type { SandboxCerts, SandboxReply, SandboxRequest } from './types';

/**
 * Clara's public API as its reference pages describe it. Every behaviour here is a row of
 * `sandbox/contracts/clara.md`, named in a `// contract: <row>` comment, with the page (or seed) it comes from.
 * One server stands for the three country hosts: the country is the first path segment (`/mx/api/v3/...`), so a
 * credential's base-URL override is `https://127.0.0.1:PORT/{country}`. `/api-test/` (Clara's sandbox
 * environment) serves the same data.
 */

type Obj = Record<string, any>;
type Country = 'mx' | 'co' | 'br';

export interface ClaraOptions {
	certs: SandboxCerts;
	clientId?: string;
	clientSecret?: string;
	/** The only country where this client exists (Clara issues credentials per country). */
	country?: Country;
	transactions?: number;
	/** Tax identifiers of the account's entities; the first is the default one. */
	entities?: string[];
	tokenLifetimeSec?: number;
	/** Write permissions of the API project (sandbox/clara-writes.ts); all of them unless given. */
	grants?: ClaraGrant[];
	port?: number;
	/** Where to listen (default 127.0.0.1). */
	host?: string;
}

export interface ClaraData {
	transactions: Obj[];
	billingStatements: Obj[];
	cards: Obj[];
	users: Obj[];
	groups: Obj[];
	locations: Obj[];
	reimbursements: Obj[];
	/** Movements of the Brazilian digital account (PIX, TED, bills); served only on the br host. */
	digitalAccount: Obj[];
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
	/** The token of every webhook callback URL registered so far, deleted subscribers' too. */
	webhookTokens(): string[];
	/** A new purchase dated now, for the polling trigger. */
	addTransaction(partial?: Obj): Obj;
	/** The project's write permissions now; tests take some away to see Clara's 403. */
	grants: Set<ClaraGrant>;
	/** Writes answer as Clara does when processing takes over 30 s: accepted, the result later. */
	asyncWrites: boolean;
	/** Ways Clara's writes could differ from the package's reading (sandbox/clara-writes.ts); tests change them in place. */
	writeQuirks: ClaraWriteQuirks;
	/** Webhook subscribers registered by the entity (the default one unless given). */
	subscribers(taxIdentifier?: string): ClaraSubscriber[];
	/** Clara sends `event` to every enabled subscriber of the entity that subscribed to it; `eventId` repeats a delivery. */
	deliver(event: string, data?: Obj, taxIdentifier?: string, eventId?: string): Promise<Delivery[]>;
	/** Test knobs for the subscriber endpoints (sandbox/clara-writes.ts SubscriberKnobs); set fields, clear them after. */
	subscriberKnobs: SubscriberKnobs;
	/** The v2 view of a statement (`/v2/billing-statements/current` and `/{month}/{year}`). */
	v2Statement(statement: Obj): Obj;
}

const CURRENCY: Record<Country, string> = { mx: 'MXN', co: 'COP', br: 'BRL' };
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
const FIRST_NAMES = ['Ana', 'Luis', 'María', 'Carlos', 'Sofía', 'Diego', 'Lucía', 'Jorge', 'Valeria', 'Mateo'];
const LAST_NAMES = ['García', 'Hernández', 'López', 'Martínez', 'Pérez', 'Ramírez', 'Torres', 'Flores'];
const REIMBURSEMENT_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'PAID'];
const DIGITAL_METHODS: Array<[string, string]> = [
	['PIX', 'Transfer sent'],
	['PIX', 'Transfer received'],
	['TED', 'Transfer sent'],
	['BILL', 'Bill payment'],
	['TRANSACTION', 'Card bill payment'],
];
const SORTS = new Set(['operationDate,DESC', 'operationDate,ASC', 'accountingDate,DESC', 'accountingDate,ASC']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: string) => DATE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
/** Query parameters that Clara documents as yyyy-MM-dd dates, on every endpoint. */
const DATE_PARAM = /(?:DateRange|Date|At)(?:Start|End)$|^(?:start|end)Date$/;
/** Distinct filtered lists kept at once; a benchmark pages one list, tests use a few dozen. */
const LIST_CACHE_SIZE = 64;
const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function entityData(seed: number, count: number, currency: string): ClaraData {
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
	const users = Array.from({ length: 25 }, (_, i) => {
		const [first, last] = [FIRST_NAMES[i % FIRST_NAMES.length], LAST_NAMES[(i * 3) % LAST_NAMES.length]];
		return {
			uuid: fakeUuid(rand),
			fullName: `${first} ${last}`,
			email: `${first.normalize('NFD').replace(/[^a-z]/gi, '').toLowerCase()}.${i + 1}@example.com`,
			status: i % 9 === 8 ? 'LOCKED' : 'ACTIVE',
			role: roles[i % roles.length],
			erpId: `ERP-${1000 + i}`,
			taxIdentifier: `${first.slice(0, 2).toUpperCase()}${last.slice(0, 2).toUpperCase()}9001${String(10 + i)}AB1`,
			mobilePhone: `55${String(10_000_000 + i * 7919).padStart(8, '0')}`,
			locationUuid: locations[i % locations.length].uuid,
			createdAt: new Date(Date.UTC(2024, i % 12, 1 + (i % 27))).toISOString(),
		};
	});
	// Every employee reports to the first manager.
	const manager = users.find((u) => u.role === 'MANAGER')!;
	for (const u of users) if (u !== manager) Object.assign(u, { managerUuid: manager.uuid });
	const cardStatuses = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'BLOCKED', 'CANCELLED', 'EXPIRED'];
	const periodicities = ['DAILY', 'WEEKLY', 'MONTHLY'];
	const cards = Array.from({ length: 30 }, (_, i) => {
		const user = users[i % users.length];
		const last = String(1000 + Math.floor(rand() * 9000));
		// contract: cards-fields
		return {
			uuid: fakeUuid(rand),
			claraStatus: cardStatuses[i % cardStatuses.length],
			status: cardStatuses[i % cardStatuses.length],
			lockCode: 'UNLOCKED',
			alias: `Card ${i + 1}`,
			threshold: 5000 + 1000 * (i % 5),
			periodicity: periodicities[i % 3],
			maskedPan: `555555******${last}`,
			type: i % 4 === 0 ? 'MASTER_PHYSICAL' : 'MASTER_VIRTUAL',
			user: { uuid: user.uuid, fullName: user.fullName, username: user.email },
			userErpId: user.erpId,
		};
	});
	// Six monthly statements ending with the current (open) month. contract: statements-fields
	const now = new Date();
	const billingStatements = Array.from({ length: 6 }, (_, i) => {
		const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5 + i, 1);
		const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4 + i, 0);
		const open = i === 5;
		return {
			uuid: fakeUuid(rand),
			statementStartDate: day(start),
			statementEndDate: day(end),
			currency,
			totalAmount: 0,
			status: open ? 'open' : 'closed',
			generatedAt: open ? null : new Date(end + DAY + 10 * 3_600_000).toISOString().replace('.000Z', 'Z'),
		};
	});
	const span = Date.now() - Date.parse(billingStatements[0].statementStartDate);
	const transactions = Array.from({ length: count }, (_, i) => {
		const card = cards[i % cards.length];
		const [merchant, category] = pick(MERCHANTS);
		const operation = new Date(Date.now() - 3_600_000 - Math.floor((i / Math.max(1, count)) * span));
		const accounting = day(operation.getTime() + DAY);
		const statement = billingStatements.find((s) => accounting >= s.statementStartDate && accounting <= s.statementEndDate) ?? billingStatements[5];
		const value = Math.round(rand() * 500_000) / 100;
		statement.totalAmount = Math.round((statement.totalAmount + value) * 100) / 100;
		const status = STATUSES[Math.floor(rand() * 10) < 7 ? 2 : Math.floor(rand() * STATUSES.length)];
		return {
			uuid: fakeUuid(rand),
			type: pick(TYPES),
			transactionLabel: `${merchant} ${category}`,
			status: { code: status, description: status.replace(/_/g, ' ').toLowerCase() },
			amountValue: { value, currency },
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
	// contract: reimbursements-fields
	const reimbursements = Array.from({ length: 45 }, (_, i) => {
		const requester = users[(i * 7) % users.length];
		const expense = Date.now() - (3 + i * 4) * DAY;
		const status = REIMBURSEMENT_STATUSES[i % REIMBURSEMENT_STATUSES.length];
		const approved = status === 'APPROVED' || status === 'PAID' ? expense + 4 * DAY : null;
		const paid = status === 'PAID' ? expense + 6 * DAY : null;
		return {
			uuid: fakeUuid(rand),
			requester: { uuid: requester.uuid, fullName: requester.fullName },
			status,
			categoryCode: String(20 + (i % 8)),
			description: `Out-of-pocket expense ${i + 1}`,
			amount: { value: Math.round(rand() * 300_000) / 100, currency },
			requestCreationDate: day(expense + DAY),
			expenseDate: day(expense),
			finalApprovalDate: approved === null ? null : day(approved),
			paymentDate: paid === null ? null : day(paid),
			lastUpdateDate: day(paid ?? approved ?? expense + DAY),
		};
	});
	// contract: digital-accounts-fields
	const company = { name: 'EMPRESA EXEMPLO LTDA', taxId: '11222333000181', institution: null };
	const digitalAccount = Array.from({ length: 130 }, (_, i) => {
		const [method, type] = DIGITAL_METHODS[i % DIGITAL_METHODS.length];
		const other = { name: `FORNECEDOR ${1 + (i % 12)} LTDA`, taxId: String(41538332000100 + i), institution: i % 3 ? 'CLARA PAGAMENTOS' : null };
		const received = type === 'Transfer received';
		return {
			id: 3_865_272_123 - i * 977,
			transactionDate: `${day(Date.now() - Math.floor(i / 3) * DAY)}T00:00:00`,
			amount: Math.round(rand() * 2_000_000) / 100,
			method,
			type,
			source: received ? other : company,
			beneficiary: received ? company : other,
		};
	});
	return { transactions, billingStatements, cards, users, groups, locations, reimbursements, digitalAccount };
}

// contract: error-body
const error = (status: number, code: string, message: string, details?: string[]): SandboxReply =>
	json(status, { code, message, timestamp: new Date().toISOString(), ...(details ? { details } : {}) });

export async function startClara(options: ClaraOptions): Promise<ClaraSandbox> {
	const clientId = options.clientId ?? 'sandbox-clara-client';
	const clientSecret = options.clientSecret ?? `clara-secret-${randomBytes(8).toString('hex')}`;
	const country = options.country ?? 'mx';
	const entities = options.entities ?? ['CLA900101AB1', 'CLA900101AB2'];
	const datasets = new Map(entities.map((tax, i) => [tax, entityData(42 + i, i === 0 ? options.transactions ?? 250 : 20, CURRENCY[country])]));
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

	/** page and size as Clara reads them; a reply when they are not valid. contract: paging-validation */
	function paging(req: SandboxRequest, defaultSize: number, required = false): { pageNo: number; size: number } | SandboxReply {
		const [rawPage, rawSize] = [req.query.get('page'), req.query.get('size')];
		if (required && (rawPage === null || rawSize === null)) return validation('Invalid request parameters', ['page and size are required']);
		const pageNo = Number(rawPage ?? 0);
		const size = Number(rawSize ?? defaultSize);
		if (!Number.isInteger(pageNo) || pageNo < 0) return validation('Invalid request parameters', ['page: must be a non-negative integer']);
		if (!Number.isInteger(size) || size < 1 || size > 100) return validation('Invalid request parameters', [`size: must be between 1 and 100 (got ${rawSize})`]);
		return { pageNo, size };
	}

	/** A Spring page. contract: paging-spring */
	function page(req: SandboxRequest, rows: Obj[], defaultSize = 50): SandboxReply {
		const p = paging(req, defaultSize);
		if ('status' in p) return p;
		const { pageNo, size } = p;
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

	/** One page of a list answered as a plain JSON array (no envelope, no totals). contract: paging-array */
	function arrayPage(req: SandboxRequest, rows: Obj[], defaultSize: number, required = false): SandboxReply {
		const p = paging(req, defaultSize, required);
		if ('status' in p) return p;
		return json(200, rows.slice(p.pageNo * p.size, p.pageNo * p.size + p.size));
	}

	/** Every documented yyyy-MM-dd query parameter must be a real date (2024-02-30 is refused, not rolled over). */
	function badDate(req: SandboxRequest): SandboxReply | undefined {
		for (const [name, v] of req.query.entries()) {
			if (DATE_PARAM.test(name) && !isDate(v)) return validation(`${name} must be a date in the format YYYY-MM-DD`, [`${name}: invalid date "${v}"`]);
		}
		return undefined;
	}

	/** Rows cached by query: `rows` runs only on a miss, so paging a cached list costs no scan. */
	function cached(key: string, req: SandboxRequest, rows: () => Obj[]): Obj[] {
		const cacheKey = `${key}?${[...req.query.entries()].filter(([k]) => k !== 'page' && k !== 'size').sort().map((e) => e.join('=')).join('&')}`;
		const hit = listCache.get(cacheKey);
		if (hit) return hit;
		if (listCache.size >= LIST_CACHE_SIZE) listCache.delete(listCache.keys().next().value as string);
		// Counted so a test can see that paging a long list filters and sorts it once, not once per page.
		sandbox.counters.custom.listScans = (sandbox.counters.custom.listScans ?? 0) + 1;
		const out = rows();
		listCache.set(cacheKey, out);
		return out;
	}

	const inRange = (value: string | null | undefined, start: string | null, end: string | null) =>
		(start === null || (!!value && value.slice(0, 10) >= start)) && (end === null || (!!value && value.slice(0, 10) <= end));
	const contains = (text: unknown, part: string | null) => part === null || String(text ?? '').toLowerCase().includes(part.toLowerCase());

	/** Transactions, cards and users: their documented filters. `rows` is a function so a cache hit costs no scan. */
	function filtered(key: string, rows: () => Obj[], req: SandboxRequest, sortable: boolean, locations: Obj[] = []): Obj[] | SandboxReply {
		const q = req.query;
		const bad = badDate(req);
		if (bad) return bad;
		// Clara documents sort for transactions only; elsewhere it is ignored. contract: transactions-sort
		const sort = sortable ? q.get('sort') : null;
		if (sort !== null && !SORTS.has(sort)) return validation('Invalid request parameters', [`sort: must be one of ${[...SORTS].join(', ')} (got "${sort}")`]);
		// contract: cards-filters
		if (q.get('userUuid') !== null && q.get('userErpId') !== null) return validation('Invalid request parameters', ['userUuid and userErpId cannot be used together']);
		const status = q.get('status');
		const words = (row: Obj) => String(row.fullName ?? '').split(' ');
		const locationName = q.get('locationName');
		const locationUuids = locationName === null ? null : new Set(locations.filter((l) => contains(l.name, locationName)).map((l) => l.uuid));
		return cached(key, req, () => {
			const equals = (field: string, value: unknown) => (row: Obj) => value === null || String(row[field]) === String(value);
			// contract: transactions-filters, users-filters
			let out = rows().filter((row) => {
				if (!inRange(row.operationDate, q.get('operationDateRangeStart'), q.get('operationDateRangeEnd'))) return false;
				if (!inRange(row.accountingDate, q.get('accountingDateRangeStart'), q.get('accountingDateRangeEnd'))) return false;
				if (!inRange(row.createdAt, q.get('createdAtStart'), q.get('createdAtEnd'))) return false;
				if (status !== null && (typeof row.status === 'object' ? row.status.code : row.status) !== status) return false;
				if (q.get('cardLastDigits') !== null && row.card?.lastFourDigits !== q.get('cardLastDigits')) return false;
				if (q.get('userUuid') !== null && row.user?.uuid !== q.get('userUuid')) return false;
				if (q.get('username') !== null && row.user?.username !== q.get('username')) return false;
				if (!contains(words(row)[0], q.get('name')) || !contains(words(row).slice(1).join(' '), q.get('lastName')) || !contains(row.fullName, q.get('fullName'))) return false;
				if (locationUuids && !locationUuids.has(row.locationUuid)) return false;
				return ['uuid', 'periodicity', 'type', 'role', 'email', 'mobilePhone', 'taxIdentifier', 'erpId', 'userErpId', 'locationUuid', 'managerUuid'].every(
					(f) => q.get(f) === null || equals(f, q.get(f))(row),
				);
			});
			if (sortable) {
				const [field, dir] = (sort ?? 'operationDate,DESC').split(',');
				out = [...out].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) * (dir === 'ASC' ? 1 : -1));
			}
			return out;
		});
	}

	/** GET /v3/reimbursements: five date ranges and four list filters (comma-separated). contract: reimbursements-list */
	function reimbursements(data: ClaraData, tax: string, req: SandboxRequest): SandboxReply {
		const q = req.query;
		const bad = badDate(req);
		if (bad) return bad;
		const list = (name: string) => (q.get(name) === null ? null : new Set(q.get(name)!.split(',').map((v) => v.trim())));
		const categories = list('categoryCodes');
		if (categories && [...categories].some((c) => !/^\d+$/.test(c))) return validation('Invalid request parameters', ['categoryCodes: digits only, comma-separated']);
		const [requesters, statuses, uuids] = [list('requesterUuids'), list('statuses'), list('uuids')];
		const rows = cached(`${tax}:${data.reimbursements.length}:reimbursements`, req, () =>
			data.reimbursements.filter(
				(r) =>
					['requestCreationDate', 'expenseDate', 'finalApprovalDate', 'paymentDate', 'lastUpdateDate'].every((f) => inRange(r[f], q.get(`${f}Start`), q.get(`${f}End`))) &&
					(!categories || categories.has(r.categoryCode)) &&
					(!requesters || requesters.has(r.requester.uuid)) &&
					(!statuses || statuses.has(r.status)) &&
					(!uuids || uuids.has(r.uuid)) &&
					contains(r.requester.fullName, q.get('requesterName')),
			),
		);
		// contract: reimbursements-default-size
		return page(req, rows, 20);
	}

	/** GET /v3/digital-accounts (Brazil): a plain array, page and size required. contract: digital-accounts */
	function digitalAccount(data: ClaraData, tax: string, req: SandboxRequest): SandboxReply {
		const q = req.query;
		const bad = badDate(req);
		if (bad) return bad;
		const [start, end] = [q.get('startDate'), q.get('endDate')];
		if (start !== null && end !== null && end < start) return validation('Invalid request parameters', ['endDate must be on or after startDate']);
		const type = q.get('transactionTypeName');
		if (type !== null && !['PIX', 'TED', 'BILL', 'TRANSACTION'].includes(type)) return validation('Invalid request parameters', [`transactionTypeName: must be one of PIX, TED, BILL, TRANSACTION (got "${type}")`]);
		const sort = q.get('sort');
		if (sort !== null && !/^transactionDate,(ASC|DESC)$/.test(sort)) return validation('Invalid request parameters', [`sort: must be transactionDate,ASC or transactionDate,DESC (got "${sort}")`]);
		const rows = cached(`${tax}:${data.digitalAccount.length}:digital`, req, () => {
			const out = data.digitalAccount.filter((r) => inRange(r.transactionDate, start, end) && (type === null || r.method === type));
			return sort === 'transactionDate,ASC' ? [...out].reverse() : out;
		});
		return arrayPage(req, rows, 50, true);
	}

	const handler = (req: SandboxRequest): SandboxReply => {
		// contract: hosts
		const match = /^\/(mx|co|br)(\/.*)$/.exec(req.path);
		if (!match) return error(404, 'NOT_FOUND', `No Clara host for ${req.path}: the path starts with /mx, /co or /br`);
		const [, reqCountry, path] = match;

		// contract: health
		if (path === '/v2/health' && req.method === 'GET') return json(200, { status: 'UP' });

		// contract: token
		if (path === '/oauth/token' && req.method === 'POST') {
			sandbox.counters.tokenRequests++;
			const basic = basicCredentials(req.headers.authorization);
			const grant = req.form().get('grant_type');
			if (req.body.length && grant !== null && grant !== 'client_credentials') return error(400, 'VALIDATION_ERROR', 'unsupported grant_type');
			// contract: token-per-country
			if (!basic || basic.id !== clientId || basic.secret !== clientSecret || reqCountry !== country) {
				return error(401, 'UNAUTHORIZED', 'Unauthorized');
			}
			return json(200, { access_token: issueToken(sandbox.tokenLifetimeSec), token_type: 'Bearer', expires_in: sandbox.tokenLifetimeSec, scope: 'read' });
		}

		const api = /^\/(api|api-test)(\/v[123]\/.*)$/.exec(path);
		if (!api) return error(404, 'NOT_FOUND', `No such endpoint: ${path}`);
		// contract: mtls-511, mtls-406
		const cert = req.clientCert;
		if (!cert.presented) return error(511, 'NETWORK_AUTHENTICATION_REQUIRED', 'Client certificate required');
		if (!cert.authorized) {
			const why = /EXPIRED/.test(cert.error ?? '') ? 'the client certificate has expired' : 'the client certificate was not issued by Clara';
			return error(406, 'NOT_ACCEPTABLE', `Not acceptable: ${why}`);
		}
		// contract: bearer-401
		const token = bearerToken(req.headers.authorization);
		const exp = token ? tokens.get(token) : undefined;
		if (!exp || exp <= Date.now()) return error(401, 'UNAUTHORIZED', 'Unauthorized');

		// contract: tax-identifier
		const taxHeader = req.headers['x-tax-identifier'];
		const tax = (Array.isArray(taxHeader) ? taxHeader[0] : taxHeader) ?? entities[0];
		const data = datasets.get(tax);
		if (!data) return error(403, 'FORBIDDEN', `The tax identifier ${tax} is not an entity of this account`);

		const route = api[2];
		// contract: method-not-get — writes and webhook subscribers are sandbox/clara-writes.ts.
		if (req.method !== 'GET' || route.startsWith('/v1/')) {
			return writes.handle(req, route, data, tax) ?? error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${route}`);
		}
		const notFound = (what: string) => error(404, 'NOT_FOUND', `${what} not found`);

		// contract: statement-current-v2, statement-by-period-v2
		if (route === '/v2/billing-statements/current') return json(200, sandbox.v2Statement(data.billingStatements[data.billingStatements.length - 1]));
		const period = /^\/v2\/billing-statements\/([^/]+)\/([^/]+)$/.exec(route);
		if (period) {
			const [month, year] = [Number(period[1]), Number(period[2])];
			if (!/^\d{1,2}$/.test(period[1]) || month < 1 || month > 12 || !/^\d{4}$/.test(period[2])) {
				return validation('Invalid request parameters', [`month must be 1 to 12 and year four digits (got ${period[1]}/${period[2]})`]);
			}
			const prefix = `${year}-${String(month).padStart(2, '0')}`;
			const found = data.billingStatements.find((s) => s.statementStartDate.startsWith(prefix));
			return found ? json(200, sandbox.v2Statement(found)) : notFound(`Billing statement for ${month}/${year}`);
		}
		// contract: statement-transactions
		const statementTx = /^\/v3\/billing-statements\/([^/]+)\/transactions$/.exec(route);
		if (statementTx) {
			if (!data.billingStatements.some((s) => s.uuid === statementTx[1])) return notFound('Billing statement');
			const rows = filtered(`${tax}:${data.transactions.length}:tx-of-${statementTx[1]}`, () => data.transactions.filter((t) => t.billingStatement.uuid === statementTx[1]), req, true);
			return Array.isArray(rows) ? page(req, rows) : rows;
		}
		// contract: statements-list
		if (route === '/v3/billing-statements') return arrayPage(req, data.billingStatements, 50);

		// contract: transaction-documents, transaction-invoices
		const attached = /^\/v3\/transactions\/([^/]+)\/(documents|invoices)$/.exec(route);
		if (attached) {
			const [, uuid, kind] = attached;
			// contract: country-only
			if (kind === 'invoices' && reqCountry !== 'mx') return error(404, 'NOT_FOUND', 'Invoices exist only for Mexico');
			const tx = byUuid(`${tax}:transactions`, data.transactions).get(decodeURIComponent(uuid));
			if (!tx) return notFound('Transaction');
			return json(200, kind === 'documents' ? documentsOf(tx) : invoicesOf(tx));
		}

		if (route === '/v3/reimbursements') return reimbursements(data, tax, req);
		if (route === '/v3/digital-accounts') {
			// contract: country-only
			if (reqCountry !== 'br') return error(404, 'NOT_FOUND', 'Digital accounts exist only in Brazil');
			return digitalAccount(data, tax, req);
		}

		// contract: groups-list, locations-list (plain arrays, the whole list)
		if (route === '/v2/groups') return json(200, data.groups);
		if (route === '/v2/locations') return json(200, data.locations);

		// contract: transactions-list, cards-list, users-list (Spring pages)
		const pages: Array<[string, 'transactions' | 'cards' | 'users']> = [
			['/v3/transactions', 'transactions'],
			['/v3/cards', 'cards'],
			['/v3/users', 'users'],
		];
		for (const [path, key] of pages) {
			if (route !== path) continue;
			// The length is in the key so that rows a test pushes into the arrays are seen.
			const rows = filtered(`${tax}:${data[key].length}:${key}`, () => data[key], req, key === 'transactions', data.locations);
			return Array.isArray(rows) ? page(req, rows) : rows;
		}

		// contract: get-by-uuid
		const collections: Array<[RegExp, keyof ClaraData]> = [
			[/^\/v3\/transactions\/([^/]+)$/, 'transactions'],
			[/^\/v3\/cards\/([^/]+)$/, 'cards'],
			[/^\/v3\/users\/([^/]+)$/, 'users'],
			[/^\/v2\/groups\/([^/]+)$/, 'groups'],
			[/^\/v2\/locations\/([^/]+)$/, 'locations'],
			[/^\/v3\/billing-statements\/([^/]+)$/, 'billingStatements'],
		];
		for (const [pattern, key] of collections) {
			const m = pattern.exec(route);
			if (!m) continue;
			const found = byUuid(`${tax}:${key}`, data[key]).get(decodeURIComponent(m[1]));
			return found ? json(200, found) : notFound(key.replace(/s$/, ''));
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

	/** The attachments of a transaction, each with a download link that expires 12 hours after it was made. */
	function documentsOf(tx: Obj): Obj {
		const attachments = !tx.hasAttachments.value
			? []
			: [0, 1].slice(0, 1 + (parseInt(tx.uuid.slice(0, 2), 16) % 2)).map((n) => {
					const uuid = `${tx.uuid.slice(0, -2)}${String(n).padStart(2, '0')}`;
					const expires = new Date(Date.now() + 12 * 3_600_000).toISOString();
					return {
						uuid,
						fileName: n === 0 ? 'receipt.jpg' : 'receipt-2.pdf',
						updateAt: tx.operationDate,
						format: n === 0 ? 'jpeg' : 'pdf',
						download: { urlExpiration: expires, url: `${service.url}/files/${uuid}?X-Amz-Expires=43200&X-Amz-Signature=${randomBytes(16).toString('hex')}` },
					};
				});
		return { transactionUuid: tx.uuid, attachments };
	}

	/** The CFDI invoices of a Mexican transaction (only when hasInvoice). */
	function invoicesOf(tx: Obj): Obj {
		const total = tx.amountValue.value;
		const invoices = !tx.hasInvoice.value
			? []
			: [
					{
						invoiceId: `${tx.uuid.slice(0, -2)}1f`,
						invoiceNumber: null,
						taxRegime: '601',
						issuer: { rfc: 'EEX900101AB1', businessName: tx.merchant.name.toUpperCase() },
						taxReceipts: { cfdi: 'G03', paymentMethod: 'PUE' },
						tax: { retained: { isr: null, iva: null, ieps: null }, transferred: { iva: Math.round((total - total / 1.16) * 100) / 100, ieps: 0 } },
						amount: { total, subTotal: Math.round((total / 1.16) * 100) / 100, currency: tx.amountValue.currency },
						documentDate: tx.accountingDate,
						xmlStatus: 'Vigente',
						xmlCode: 'S - Comprobante obtenido satisfactoriamente.',
					},
				];
		return { transactionUuid: tx.uuid, invoices };
	}

	const service = await startService({ name: 'clara', handler, certs: options.certs, mtls: true, port: options.port, host: options.host });
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
		writeQuirks: writes.quirks,
		subscribers: (taxIdentifier = entities[0]) => writes.subscribers(taxIdentifier),
		deliver: (event: string, data?: Obj, taxIdentifier = entities[0], eventId?: string) => writes.deliver(taxIdentifier, event, data, eventId),
		subscriberKnobs: writes.knobs,
		issuedTokens: () => [...issued],
		webhookTokens: () => [...writes.callbackTokens],
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
		v2Statement: (s: Obj) => ({
			month: Number(s.statementStartDate.slice(5, 7)),
			year: Number(s.statementStartDate.slice(0, 4)),
			status: s.status.toUpperCase(),
			statementUuid: s.uuid,
			totalAmount: s.totalAmount,
			currency: s.currency,
			closingDate: s.statementEndDate,
		}),
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
