import { randomBytes, randomUUID } from 'crypto';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { json } from './framework';
import type { SandboxReply, SandboxRequest } from './types';

/**
 * Clara's write endpoints and its webhook subscribers, as sandbox/contracts/clara.md "## Writes" and "## Webhook
 * subscribers" list them; each handler names its row (`contract: w-…` / `s-…`). Kept apart from sandbox/clara.ts,
 * which owns the read side: clara.ts hands every non-GET request and every `/v1/` route here.
 */

type Obj = Record<string, any>;

/** What an API project may be granted besides reading (developers.clara.team/authentication). */
export type ClaraGrant = 'cards' | 'users' | 'transactions' | 'webhooks';
export const ALL_GRANTS: ClaraGrant[] = ['cards', 'users', 'transactions', 'webhooks'];

export interface ClaraSubscriber {
	uuid: string;
	name: string;
	callbackUrl: string;
	events: string[];
	enabled: boolean;
	companyUuid?: string;
	createdAt: string;
}

export interface Delivery {
	callbackUrl: string;
	event: string;
	eventId: string;
	status: number;
	body: string;
	/** The answer's content-type header ('' when none). */
	contentType: string;
}

/**
 * Test knobs for the subscriber endpoints, not Clara's documented behaviour [guess: answers Clara may give].
 * Tests set them through `sandbox.clara.subscriberKnobs` and clear them after.
 */
export interface SubscriberKnobs {
	/**
	 * Create and update answer with this status and a message quoting the callbackUrl it was given, token included:
	 * 400 "callbackUrl https://… is not reachable", or an unclear 500 that echoes it.
	 */
	echoCallbackUrl?: 400 | 500;
	/** DELETE of a subscriber is refused with this status (e.g. 403 or 405): the trigger must fall back to disabling. */
	refuseDelete?: number;
}

/** The entity data this module changes (the same arrays clara.ts serves). */
interface EntityData {
	cards: Obj[];
	users: Obj[];
	groups: Obj[];
	locations: Obj[];
}

export interface ClaraWritesOptions {
	country: 'mx' | 'co' | 'br';
	grants: Set<ClaraGrant>;
	/** Called after any change, so clara.ts drops its cached lists and indexes. */
	changed(): void;
	/** The sandbox CA, trusted when delivering to an https callback. */
	ca: string;
}

// contract: w-threshold-minimum — the smallest threshold per country.
export const MIN_THRESHOLD = { mx: 500, br: 50, co: 100_000 } as const;
/** The company credit line a threshold may not exceed, in the country's currency (a guess: per account in reality). */
const CREDIT_LINE = { mx: 1_000_000, br: 200_000, co: 400_000_000 } as const;
const ROLES = ['EMPLOYEE', 'MANAGER', 'COMPANY_OWNER', 'BOOKKEEPER'];
const USER_FIELDS = ['fullName', 'email', 'phoneNumber', 'jobTitle', 'department', 'role', 'erpId', 'locationUuid'];
const EVENT_NAME = /^[A-Z][A-Z0-9_]*$/;
const BULK_MAX = 100;
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const error = (status: number, code: string, message: string, details?: string[]): SandboxReply =>
	json(status, { code, message, timestamp: new Date().toISOString(), ...(details ? { details } : {}) });
// contract: w-validation — Clara's error body for a request it cannot accept.
const invalid = (...details: string[]) => error(400, 'VALIDATION_ERROR', 'Invalid request body', details);

const PERMISSION_NAMES: Record<ClaraGrant, string> = { cards: 'Write cards', users: 'Write users', transactions: 'Write transactions', webhooks: 'Webhooks' };

/**
 * Ways Clara could differ from the package's reading of its reference, for tests to prove the node notices. Each
 * default is the documented or most likely behaviour; see the w-quirks row of sandbox/contracts/clara.md.
 */
export interface ClaraWriteQuirks {
	/** The lock body means the opposite: `true` unlocks, `false` locks (Clara does not publish which it is). */
	invertLock: boolean;
	/** The threshold body's field is not the one Clara reads: answered UPDATED, the threshold stays. */
	ignoreThreshold: boolean;
	/** Bulk create's answer: 204 and no body as documented, the created cards, or that list missing its last card. */
	bulkAnswer: 'none' | 'list' | 'partial';
	/** The method group update takes: PATCH as the groups guide says, or PUT (replacing) as the sidebar says. */
	groupUpdate: 'PATCH' | 'PUT';
}

// contract: w-quirks
export const defaultWriteQuirks = (): ClaraWriteQuirks => ({ invertLock: false, ignoreThreshold: false, bulkAnswer: 'none', groupUpdate: 'PATCH' });

export interface ClaraWrites {
	handle(req: SandboxRequest, route: string, data: EntityData, entity: string): SandboxReply | undefined;
	/** Subscribers of an entity (tests read them). */
	subscribers(entity: string): ClaraSubscriber[];
	/** The `token` of every callback URL ever given, deleted subscribers' too: secrets a leak sweep watches. */
	callbackTokens: Set<string>;
	/** POST an event to every enabled subscriber of the entity that subscribed to it; `eventId` repeats a delivery. */
	deliver(entity: string, event: string, data?: Obj, eventId?: string): Promise<Delivery[]>;
	/** See SubscriberKnobs; a live object. */
	knobs: SubscriberKnobs;
	/** Answer writes the way Clara does when processing takes longer than 30 s: accepted, result later. */
	async: boolean;
	/** Changed in place by tests (sandbox.clara.writeQuirks). */
	quirks: ClaraWriteQuirks;
}

export function claraWrites(options: ClaraWritesOptions): ClaraWrites {
	const subscribersByEntity = new Map<string, Map<string, ClaraSubscriber>>();
	const subscribersOf = (entity: string) => {
		let map = subscribersByEntity.get(entity);
		if (!map) subscribersByEntity.set(entity, (map = new Map()));
		return map;
	};

	// contract: w-permission — a project without the write permission is refused with 403.
	const refuse = (grant: ClaraGrant) =>
		options.grants.has(grant) ? undefined : error(403, 'FORBIDDEN', `This API project does not have the ${PERMISSION_NAMES[grant]} permission`);

	function cardFrom(body: Obj, data: EntityData): { card?: Obj; problem?: SandboxReply } {
		const details: string[] = [];
		// contract: w-card-create — type 1 = physical, 2 = virtual; periodicityType 1 = monthly, 2 = daily
		// [doc: clara-api.readme.io/docs/cards-how-to-use-and-restrictions]. The bulk example writes type as "virtual"
		// [doc: clara-api.readme.io/reference, "Create Cards (Bulk)"], so the words are accepted on both routes; the node
		// sends the codes on both.
		const type = body.type === 1 || body.type === 'physical' ? 'MASTER_PHYSICAL' : body.type === 2 || body.type === 'virtual' ? 'MASTER_VIRTUAL' : undefined;
		if (!type) details.push('type: must be 1 (physical) or 2 (virtual)');
		if (typeof body.alias !== 'string' || !body.alias.trim()) details.push('alias: must not be blank');
		const periodicity = body.periodicityType === 1 ? 'MONTHLY' : body.periodicityType === 2 ? 'DAILY' : undefined;
		if (!periodicity) details.push('periodicityType: must be 1 (monthly) or 2 (daily)');
		const min = MIN_THRESHOLD[options.country];
		if (typeof body.threshold !== 'number' || !Number.isFinite(body.threshold)) details.push('threshold: must be a number');
		else if (body.threshold < min) details.push(`threshold: must be at least ${min}`);
		const user = typeof body.userUUID === 'string' ? data.users.find((u) => u.uuid === body.userUUID) : undefined;
		if (typeof body.userUUID !== 'string') details.push('userUUID: must not be blank');
		if (details.length) return { problem: invalid(...details) };
		if (!user) return { problem: error(404, 'NOT_FOUND', `User ${body.userUUID} not found`) };
		// contract: w-card-rules — the cardholder must be active and the threshold within the credit line.
		if (user.status !== 'ACTIVE') return { problem: error(422, 'USER_NOT_ACTIVE', 'The user must be active (email verified, 2FA) to receive a card') };
		if (body.threshold > CREDIT_LINE[options.country]) return { problem: error(422, 'THRESHOLD_EXCEEDS_CREDIT_LINE', 'The threshold exceeds the company credit line') };
		const last = String(1000 + Math.floor(Math.random() * 9000));
		return {
			card: {
				uuid: randomUUID(),
				claraStatus: 'ACTIVE',
				status: 'ACTIVE',
				lockCode: 'UNLOCKED',
				alias: body.alias.trim(),
				threshold: body.threshold,
				periodicity,
				maskedPan: `510979******${last}`,
				type,
				user: { uuid: user.uuid, fullName: user.fullName, username: user.email },
				userErpId: user.erpId,
			},
		};
	}

	const accepted = () => json(202, { status: 'IN_PROGRESS', requestId: randomBytes(8).toString('hex') });

	function cards(req: SandboxRequest, route: string, data: EntityData): SandboxReply | undefined {
		const body = req.json();
		if (route === '/v3/cards' && req.method === 'POST') {
			const { card, problem } = cardFrom((body ?? {}) as Obj, data);
			if (problem) return problem;
			data.cards.unshift(card!);
			options.changed();
			return writes.async ? accepted() : json(201, card);
		}
		if (route === '/v3/cards/bulk-create' && req.method === 'POST') {
			// contract: w-card-bulk
			const requests = (body as Obj)?.cardsRequests;
			if (!Array.isArray(requests) || requests.length === 0) return invalid('cardsRequests: must be a non-empty list');
			if (requests.length > BULK_MAX) return invalid(`cardsRequests: at most ${BULK_MAX} cards per request`);
			const made: Obj[] = [];
			for (const [i, one] of requests.entries()) {
				const { card, problem } = cardFrom((one ?? {}) as Obj, data);
				if (problem) {
					const said = (problem.json as Obj);
					return json(problem.status, { ...said, message: `cardsRequests[${i}]: ${said.message}` });
				}
				made.push(card!);
			}
			data.cards.unshift(...made);
			options.changed();
			// [doc: clara-api.readme.io/reference/createcards-1] lists 204 No content as the answer; the list answers
			// are [guess] ("the Card UUID is returned directly in the response body", same page), kept as knobs.
			const { bulkAnswer } = writes.quirks;
			if (bulkAnswer === 'none' || writes.async) return { status: 204 };
			return json(200, bulkAnswer === 'partial' ? made.slice(0, -1) : made);
		}
		const m = /^\/v3\/cards\/([^/]+)(?:\/(threshold|lock))?$/.exec(route);
		if (!m || !['PATCH', 'DELETE'].includes(req.method)) return undefined;
		const card = data.cards.find((c) => c.uuid === decodeURIComponent(m[1]));
		if (!card) return error(404, 'NOT_FOUND', 'Card not found');
		if (m[2] === 'threshold' && req.method === 'PATCH') {
			// contract: w-card-threshold
			const threshold = (body as Obj)?.threshold;
			const min = MIN_THRESHOLD[options.country];
			if (typeof threshold !== 'number' || !Number.isFinite(threshold)) return invalid('threshold: must be a number');
			if (threshold < min) return invalid(`threshold: must be at least ${min}`);
			if (threshold > CREDIT_LINE[options.country]) return error(422, 'THRESHOLD_EXCEEDS_CREDIT_LINE', 'The threshold exceeds the company credit line');
			if (card.status === 'CANCELLED') return error(422, 'CARD_CANCELLED', 'The card is cancelled');
			// [guess] knob: a field Clara does not read is ignored and still answered UPDATED.
			if (!writes.quirks.ignoreThreshold) card.threshold = threshold;
			options.changed();
			return writes.async ? accepted() : json(200, { status: 'UPDATED' });
		}
		if (m[2] === 'lock' && req.method === 'PATCH') {
			// contract: w-card-lock — the body is a bare JSON boolean [doc: togglecardlock]; `true` = lock is [guess],
			// and the invertLock knob reads it the other way round.
			if (typeof body !== 'boolean') return invalid('body: must be true (lock) or false (unlock)');
			if (card.status === 'CANCELLED') return error(422, 'CARD_CANCELLED', 'The card is cancelled');
			card.lockCode = body !== writes.quirks.invertLock ? 'LOCKED' : 'UNLOCKED';
			options.changed();
			return writes.async ? accepted() : json(200, { status: 'UPDATED' });
		}
		if (!m[2] && req.method === 'DELETE') {
			// contract: w-card-delete
			if (card.status === 'CANCELLED') return error(422, 'CARD_CANCELLED', 'The card is already cancelled');
			card.status = 'CANCELLED';
			card.claraStatus = 'CANCELLED';
			options.changed();
			return writes.async ? accepted() : json(200, { status: 'DELETED' });
		}
		return undefined;
	}

	function userFields(body: Obj, data: EntityData, required: boolean): string[] {
		const details: string[] = [];
		for (const key of Object.keys(body)) if (!USER_FIELDS.includes(key)) details.push(`${key}: unknown field`);
		if (required || body.fullName !== undefined) if (typeof body.fullName !== 'string' || !body.fullName.trim()) details.push('fullName: must not be blank');
		if (required || body.email !== undefined) if (typeof body.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email)) details.push('email: must be a well-formed email address');
		if (body.role !== undefined && !ROLES.includes(body.role)) details.push(`role: must be one of ${ROLES.join(', ')}`);
		if (body.locationUuid !== undefined && !data.locations.some((l) => l.uuid === body.locationUuid)) details.push('locationUuid: no such location');
		return details;
	}

	function users(req: SandboxRequest, route: string, data: EntityData): SandboxReply | undefined {
		const body = (req.json() ?? {}) as Obj;
		if (route === '/v2/users' && req.method === 'POST') {
			// contract: w-user-create
			const details = userFields(body, data, true);
			if (details.length) return invalid(...details);
			if (data.users.some((u) => String(u.email).toLowerCase() === body.email.toLowerCase())) return error(409, 'CONFLICT', 'A user with this email already exists');
			const user = { uuid: randomUUID(), status: 'ACTIVE', role: 'EMPLOYEE', createdAt: new Date().toISOString(), ...body, fullName: body.fullName.trim() };
			data.users.unshift(user);
			options.changed();
			return json(201, user);
		}
		const m = /^\/v3\/users\/([^/]+)$/.exec(route);
		if (!m || !['PATCH', 'DELETE'].includes(req.method)) return undefined;
		const index = data.users.findIndex((u) => u.uuid === decodeURIComponent(m[1]));
		if (index < 0) return error(404, 'NOT_FOUND', 'User not found');
		if (req.method === 'DELETE') {
			// contract: w-user-delete
			data.users.splice(index, 1);
			options.changed();
			return { status: 204 };
		}
		// contract: w-user-update
		const details = userFields(body, data, false);
		if (!Object.keys(body).length) details.push('body: give at least one field to change');
		if (details.length) return invalid(...details);
		if (body.email && data.users.some((u, i) => i !== index && String(u.email).toLowerCase() === body.email.toLowerCase())) return error(409, 'CONFLICT', 'A user with this email already exists');
		Object.assign(data.users[index], body);
		options.changed();
		return json(200, data.users[index]);
	}

	function groups(req: SandboxRequest, route: string, data: EntityData): SandboxReply | undefined {
		const body = (req.json() ?? {}) as Obj;
		const fields = (required: boolean) => {
			const details: string[] = [];
			for (const key of Object.keys(body)) if (!['name', 'description'].includes(key)) details.push(`${key}: unknown field`);
			if ((required || body.name !== undefined) && (typeof body.name !== 'string' || !body.name.trim())) details.push('name: must not be blank');
			if (body.description !== undefined && typeof body.description !== 'string') details.push('description: must be text');
			return details;
		};
		if (route === '/v2/groups' && req.method === 'POST') {
			// contract: w-group-create
			const details = fields(true);
			if (details.length) return invalid(...details);
			const group = { uuid: randomUUID(), name: body.name.trim(), description: body.description ?? '', status: 'ACTIVE' };
			data.groups.unshift(group);
			options.changed();
			return json(201, group);
		}
		const m = /^\/v2\/groups\/([^/]+)$/.exec(route);
		if (!m || !['PATCH', 'PUT', 'DELETE'].includes(req.method)) return undefined;
		// contract: w-group-update — PATCH [doc: clara-api.readme.io/reference/groups-1, the guide's table]; PUT
		// [doc: the reference sidebar] only with the groupUpdate knob, and then it replaces: a field not sent is blanked.
		if (req.method !== 'DELETE' && req.method !== writes.quirks.groupUpdate) return methodNotAllowed(req);
		const index = data.groups.findIndex((g) => g.uuid === decodeURIComponent(m[1]));
		if (index < 0) return error(404, 'NOT_FOUND', 'Group not found');
		if (req.method === 'DELETE') {
			// contract: w-group-delete
			data.groups.splice(index, 1);
			options.changed();
			return { status: 204 };
		}
		const details = fields(req.method === 'PUT');
		if (!Object.keys(body).length) details.push('body: give at least one field to change');
		if (details.length) return invalid(...details);
		if (req.method === 'PUT') Object.assign(data.groups[index], { name: body.name.trim(), description: body.description ?? '' });
		else Object.assign(data.groups[index], body);
		options.changed();
		return json(200, data.groups[index]);
	}

	function subscriberProblems(body: Obj, required: boolean): string[] {
		const details: string[] = [];
		if ((required || body.name !== undefined) && (typeof body.name !== 'string' || !body.name.trim())) details.push('name: must not be blank');
		if (required || body.callbackUrl !== undefined) {
			let ok = false;
			try {
				ok = ['http:', 'https:'].includes(new URL(String(body.callbackUrl)).protocol);
			} catch {
				ok = false;
			}
			if (!ok) details.push('callbackUrl: must be an absolute http(s) URL');
		}
		if (required || body.events !== undefined) {
			if (!Array.isArray(body.events) || body.events.length === 0) details.push('events: must be a non-empty list');
			else for (const e of body.events) if (typeof e !== 'string' || !EVENT_NAME.test(e)) details.push(`events: "${String(e).slice(0, 40)}" is not an event name`);
		}
		if (body.enabled !== undefined && typeof body.enabled !== 'boolean') details.push('enabled: must be true or false');
		if (body.companyUuid !== undefined && (typeof body.companyUuid !== 'string' || !UUID_LIKE.test(body.companyUuid))) details.push('companyUuid: must be a UUID');
		return details;
	}

	/** The knob's answer to a create or update, quoting the URL it was given (see SubscriberKnobs). */
	function echoed(body: Obj): SandboxReply | undefined {
		// contract: s-knobs
		const status = writes.knobs.echoCallbackUrl;
		if (!status || typeof body.callbackUrl !== 'string') return undefined;
		return status === 400
			? error(400, 'VALIDATION_ERROR', `callbackUrl ${body.callbackUrl} is not reachable`, [`callbackUrl: ${body.callbackUrl} did not answer`])
			: error(500, 'INTERNAL_SERVER_ERROR', `Unexpected error registering ${body.callbackUrl}`);
	}

	/** `GET /v1/subscribers`: the documented filters, then one Spring page. */
	function list(req: SandboxRequest, all: Map<string, ClaraSubscriber>): SandboxReply {
		// contract: s-list
		const q = req.query;
		const page = Number(q.get('page') ?? 0);
		const size = Number(q.get('size') ?? 20);
		if (!Number.isInteger(page) || page < 0) return invalid('page: must be 0 or more');
		if (!Number.isInteger(size) || size < 1 || size > 100) return invalid('size: must be between 1 and 100');
		const enabled = q.get('enabled');
		if (enabled !== null && enabled !== 'true' && enabled !== 'false') return invalid('enabled: must be true or false');
		const events = q.get('events')?.split(',').map((e) => e.trim()).filter(Boolean);
		const matching = [...all.values()].filter(
			(s) =>
				(!q.has('uuid') || s.uuid === q.get('uuid')) &&
				(!q.has('name') || s.name === q.get('name')) &&
				(!q.has('callbackUrl') || s.callbackUrl === q.get('callbackUrl')) &&
				(!q.has('companyUuid') || s.companyUuid === q.get('companyUuid')) &&
				(enabled === null || s.enabled === (enabled === 'true')) &&
				(!events?.length || events.some((e) => s.events.includes(e))),
		);
		const totalPages = Math.ceil(matching.length / size);
		const content = matching.slice(page * size, page * size + size);
		return json(200, { content, totalElements: matching.length, totalPages, size, number: page, last: page >= totalPages - 1 });
	}

	const callbackTokens = new Set<string>();

	function subscribers(req: SandboxRequest, route: string, entity: string): SandboxReply | undefined {
		const all = subscribersOf(entity);
		const body = (req.json() ?? {}) as Obj;
		if (typeof body.callbackUrl === 'string') {
			try {
				const token = new URL(body.callbackUrl).searchParams.get('token');
				if (token) callbackTokens.add(token);
			} catch {
				// not a URL: refused below
			}
		}
		if (route === '/v1/subscribers' && req.method === 'GET') return list(req, all);
		if (route === '/v1/subscribers' && req.method === 'POST') {
			// contract: s-create
			const details = subscriberProblems(body, true);
			if (details.length) return invalid(...details);
			const refused = echoed(body);
			if (refused) return refused;
			const subscriber: ClaraSubscriber = {
				uuid: randomUUID(),
				name: body.name.trim(),
				callbackUrl: body.callbackUrl,
				events: [...new Set<string>(body.events)],
				enabled: body.enabled ?? true,
				...(body.companyUuid ? { companyUuid: body.companyUuid } : {}),
				createdAt: new Date().toISOString(),
			};
			all.set(subscriber.uuid, subscriber);
			return json(201, subscriber);
		}
		if ((route === '/v1/subscribers/add-event' && req.method === 'POST') || (route === '/v1/subscribers/delete-event' && req.method === 'DELETE')) {
			// contract: s-add-event, s-delete-event — the subscriber is named by its callback URL.
			const details: string[] = [];
			if (typeof body.callbackUrl !== 'string' || !body.callbackUrl) details.push('callbackUrl: must not be blank');
			if (typeof body.event !== 'string' || !EVENT_NAME.test(body.event)) details.push('event: must be an event name');
			if (details.length) return invalid(...details);
			const found = [...all.values()].filter((s) => s.callbackUrl === body.callbackUrl);
			if (!found.length) return error(404, 'NOT_FOUND', 'No subscriber with this callbackUrl');
			for (const s of found) {
				if (req.method === 'POST' && !s.events.includes(body.event)) s.events.push(body.event);
				if (req.method === 'DELETE') s.events = s.events.filter((e) => e !== body.event);
			}
			return json(200, found[0]);
		}
		const m = /^\/v1\/subscribers\/([^/]+)$/.exec(route);
		if (m && req.method === 'PATCH') {
			// contract: s-update
			const subscriber = all.get(decodeURIComponent(m[1]));
			if (!subscriber) return error(404, 'NOT_FOUND', 'Subscriber not found');
			const details = subscriberProblems(body, false);
			if (details.length) return invalid(...details);
			const refused = echoed(body);
			if (refused) return refused;
			if (body.name !== undefined) subscriber.name = body.name.trim();
			if (body.callbackUrl !== undefined) subscriber.callbackUrl = body.callbackUrl;
			if (body.events !== undefined) subscriber.events = [...new Set<string>(body.events)];
			if (body.enabled !== undefined) subscriber.enabled = body.enabled;
			return json(200, subscriber);
		}
		if (m && req.method === 'DELETE') {
			// contract: s-delete (and s-knobs: refuseDelete)
			if (writes.knobs.refuseDelete) return error(writes.knobs.refuseDelete, 'FORBIDDEN', 'Deleting subscribers is not allowed for this API project');
			if (!all.delete(decodeURIComponent(m[1]))) return error(404, 'NOT_FOUND', 'Subscriber not found');
			return { status: 204 };
		}
		return undefined;
	}

	const writes: ClaraWrites = {
		async: false,
		quirks: defaultWriteQuirks(),
		knobs: {},
		handle(req, route, data, entity) {
			if (route.startsWith('/v1/subscribers')) return refuse('webhooks') ?? subscribers(req, route, entity) ?? methodNotAllowed(req);
			if (req.method === 'GET') return undefined;
			if (route.startsWith('/v3/cards')) return refuse('cards') ?? cards(req, route, data) ?? methodNotAllowed(req);
			// Groups come under the users permission: Clara lists no separate one for them.
			if (route.startsWith('/v2/users') || route.startsWith('/v3/users') || route.startsWith('/v2/groups')) {
				return refuse('users') ?? (route.includes('/groups') ? groups(req, route, data) : users(req, route, data)) ?? methodNotAllowed(req);
			}
			return methodNotAllowed(req);
		},
		subscribers: (entity) => [...subscribersOf(entity).values()],
		callbackTokens,
		async deliver(entity, event, data = {}, eventId = randomUUID()) {
			// contract: s-deliver — one POST per enabled subscriber of the event, JSON, no signature (s-signature).
			const targets = [...subscribersOf(entity).values()].filter((s) => s.enabled && s.events.includes(event));
			const payload = { event, eventId, createdAt: new Date().toISOString(), data };
			return Promise.all(
				targets.map(async (s) => ({ callbackUrl: s.callbackUrl, event, eventId, ...(await postJson(s.callbackUrl, payload, options.ca)) })),
			);
		},
	};
	return writes;
}

const methodNotAllowed = (req: SandboxRequest) => error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on this endpoint`);

/** POST a JSON body to a URL, http or https (the sandbox CA trusted); resolves with the answer, whatever its status. */
export function postJson(url: string, payload: unknown, ca: string): Promise<{ status: number; body: string; contentType: string }> {
	const target = new URL(url);
	const body = JSON.stringify(payload);
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise((resolve, reject) => {
		const req = send(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, ca }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }));
		});
		req.on('error', reject);
		req.end(body);
	});
}
