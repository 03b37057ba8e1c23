import { createHash, createHmac } from 'crypto';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { ApiError, InvalidInput, optionalText, redact, sameSecret, toNodeError } from '../transport';
import { claraApiTest } from './credentialTest';
import { claraFor, readCredentials, type Clara } from './transport';
import { claraWrite, writeErrors, type ClaraWrite } from './transport/write';

/**
 * Starts a workflow for each event Clara pushes, through Clara's webhook subscribers (`/api/v1/subscribers`).
 *
 * Publishing (activating) the workflow makes Clara hold exactly one subscriber for this node's URL: the trigger lists
 * Clara's subscribers, reuses the one whose callback URL is this node's (bringing its token, events and name up to
 * date, and enabling it), deletes any further one for the same URL, and registers a new one only when there is none.
 * Nothing is kept in the workflow, so a lost record cannot lead to a second subscriber. Unpublishing deletes the
 * subscribers for the URL; if Clara refuses a delete, the subscriber is disabled instead and n8n's log says so.
 *
 * Clara does not sign its deliveries, nor send a secret header (its subscriber has no field for one). So the URL
 * given to Clara carries a secret token (`?token=…`), and a request without it is refused with 401 and starts nothing.
 * By default the token is derived from the credential's client secret and the node's webhook id: nothing to fill
 * in, and it is never stored in the workflow (a token typed into a parameter is saved with the workflow and with
 * every execution). A token of one's own can be given instead; one that resolves empty refuses every request: the
 * check never silently switches off. The token, in every spelling it has in the URL, is removed from every message
 * the trigger produces, since Clara may quote the callback URL back in an error.
 */

/** The events Clara's subscribers page names; others can be typed in. */
export const CLARA_EVENTS = [
	{ name: 'Card Creation Request Created', value: 'CARD_CREATION_REQUEST_CREATED', description: 'A card was requested (e.g. by Card → Create)' },
	{ name: 'Card Creation Request Error', value: 'CARD_CREATION_REQUEST_ERROR', description: 'A requested card could not be created' },
	{ name: 'Payment Paid', value: 'PAYMENT_PAID', description: 'A payment to Clara was received' },
];

const EVENT_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Shorter tokens are guessable; the check refuses to register one. */
const MIN_TOKEN_LENGTH = 16;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Re-deliveries. Webhook senders deliver at least once, so one event can arrive twice (Clara retries when the
 * answer is slow or lost); the trigger remembers what it accepted and answers a repeat 200 without starting an
 * execution. It remembers at most SEEN_MAX deliveries for at most SEEN_DAYS days, whichever ends first: Clara
 * publishes no retry schedule, and the list is saved with the workflow, so it must stay small.
 *
 * Where it is remembered, and what holds: in this n8n process's memory, and in the workflow's static data. n8n reads
 * static data from its database for each webhook request and saves it after answering, but the execution it starts
 * reads its own copy first and saves that copy when it ends, dropping what the trigger added meanwhile (seen on n8n
 * 2.41.1). So memory is what holds: a re-delivery reaching the same n8n process (the main process in regular mode,
 * the same webhook process in queue mode) starts nothing, for as long as that process runs. Static data carries the
 * records only as far as they survive that overwrite: a re-delivery that reaches another webhook process, or
 * arrives after a restart, may start a second execution; so may two copies arriving at different processes at the
 * same moment. And a delivery n8n accepted but then failed to start (it answers 500 and logs why) is remembered
 * too: Clara's retry of it is answered as a repeat.
 */
const SEEN_MAX = 1000;
const SEEN_DAYS = 3;
/** Where Clara's event body may carry its id. The body is not published (a guess); see deliveryKey. */
const EVENT_ID_FIELDS = ['eventId', 'eventUuid', 'event_id'];

/** What n8n answers Clara (see `responseData` below). */
const ACCEPTED = { received: true };
const REPEATED = { received: true, duplicate: true };

interface Settings {
	name: string;
	callbackUrl: string;
	events: string[];
	companyUuid?: string;
}

/** A subscriber as Clara lists it (the fields the trigger reads). */
interface Subscriber {
	uuid: string;
	callbackUrl?: string;
}

/** One activation or deactivation: the Clara client and every value no message may carry. */
interface Scope {
	ctx: IHookFunctions;
	clara: Clara;
	secrets: string[];
}

/** The token a delivery must bring, when derived: only someone who holds the client secret can compute it. */
export function derivedToken(clientSecret: string, webhookId: string): string {
	return createHmac('sha256', clientSecret).update(`n8n-clara-webhook:${webhookId}`).digest('hex').slice(0, 40);
}

/** The token deliveries must carry, or undefined when not verifying; '' when it resolves empty (refuse all). */
function expectedToken(mode: unknown, typed: unknown, clientSecret: string | undefined, webhookId: string | undefined): string | undefined {
	if (mode === 'none') return undefined;
	if (mode === 'token') return String(typed ?? '').trim();
	return clientSecret && webhookId ? derivedToken(clientSecret, webhookId) : '';
}

/** The node's token as configured now (undefined: no check; '' when it resolves empty). */
function tokenOf(ctx: IHookFunctions, clara: Clara): string | undefined {
	const mode = ctx.getNodeParameter('verification', 'derived');
	return expectedToken(mode, mode === 'token' ? ctx.getNodeParameter('secretToken', '') : '', clara.credentials.clientSecret, ctx.getNode().webhookId);
}

/** The credential's secrets and the token, also as the URL spells it (percent- or form-encoded). */
function secretsOf(clara: Clara, token: string | undefined): string[] {
	const spellings = token ? [token, encodeURIComponent(token), new URLSearchParams({ t: token }).toString().slice(2)] : [];
	return [...clara.secrets, ...spellings].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** What to register, checked before anything is sent: events, the token, an https URL. */
function settings(ctx: IHookFunctions, clara: Clara, token: string | undefined): Settings {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave this trigger no webhook URL');
	const chosen = ctx.getNodeParameter('events', []) as string[];
	const typed = String(ctx.getNodeParameter('otherEvents', '') ?? '')
		.split(',')
		.map((e) => e.trim())
		.filter(Boolean);
	for (const e of typed) {
		if (!EVENT_NAME.test(e)) {
			throw new NodeOperationError(ctx.getNode(), `Other Events: "${e.slice(0, 40)}" is not a Clara event name`, {
				description: 'Write event names as Clara spells them, upper case with underscores (e.g. PAYMENT_PAID), separated by commas.',
			});
		}
	}
	const events = [...new Set([...chosen, ...typed])];
	if (!events.length) throw new NodeOperationError(ctx.getNode(), 'No event is selected', { description: 'Choose at least one event under Events (or type one under Other Events).' });
	const target = new URL(url);
	if (target.protocol !== 'https:' && !LOOPBACK.has(target.hostname)) {
		throw new NodeOperationError(ctx.getNode(), `n8n's webhook URL ${target.origin} is not https, so Clara would send its events (and the token) unencrypted`, {
			description: "Set n8n's WEBHOOK_URL to the public https address Clara can reach, then publish the workflow again. Nothing was registered at Clara.",
		});
	}
	const mode = ctx.getNodeParameter('verification', 'derived');
	if (token !== undefined) {
		if (mode === 'token' && token.length < MIN_TOKEN_LENGTH) {
			throw new NodeOperationError(ctx.getNode(), token ? `The Secret Token is too short (${token.length} characters)` : 'The Secret Token is empty', {
				description: `Fill Secret Token with at least ${MIN_TOKEN_LENGTH} random characters (or fix the expression that gives it). Without it every delivery would be refused, so nothing was registered at Clara.`,
			});
		}
		if (!token) {
			throw new NodeOperationError(ctx.getNode(), 'No token can be derived: the credential has no client secret (or n8n gave the node no webhook id)', {
				description: 'Fill Client Secret in the Clara credential. Nothing was registered at Clara.',
			});
		}
		target.searchParams.set('token', token);
	}
	const options = ctx.getNodeParameter('options', {}) as { subscriberName?: string; companyUuid?: string };
	let companyUuid: string | undefined;
	try {
		companyUuid = optionalText(options.companyUuid, 'Company UUID');
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as InvalidInput).message);
	}
	return {
		name: optionalText(options.subscriberName, 'Subscriber Name') ?? `n8n: ${ctx.getWorkflow().name ?? ctx.getWorkflow().id ?? 'workflow'} / ${ctx.getNode().name}`,
		callbackUrl: target.toString(),
		events,
		...(companyUuid ? { companyUuid } : {}),
	};
}

/** The Clara client for a hook; a credential field that cannot be used (an http:// Base URL Override) says which. */
async function claraOf(ctx: IHookFunctions): Promise<Clara> {
	try {
		return await claraFor(ctx);
	} catch (error) {
		if (error instanceof InvalidInput) throw new NodeOperationError(ctx.getNode(), error.message, { description: error.description });
		throw error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
	}
}

/** The n8n error for a failed subscriber call, with the token and the credential's secrets removed. */
function failure(scope: Scope, call: Pick<ClaraWrite, 'action' | 'permission'>, error: unknown) {
	return toNodeError(scope.ctx.getNode(), error, { errors: writeErrors(scope.clara, call), secrets: scope.secrets });
}

const refusal = (error: unknown) => (error instanceof ApiError && error.response.status >= 400 && error.response.status < 500 ? error.response.status : undefined);

/** Where a callback URL points, without its query: the token changes with the client secret, the path does not. */
function endpointOf(url: unknown): string | undefined {
	try {
		const u = new URL(String(url));
		return `${u.origin}${u.pathname}`;
	} catch {
		return undefined;
	}
}

/**
 * Clara's subscribers for this node's URL, read from the full list. Not through Clara's `callbackUrl` filter: that
 * matches the whole URL, token included, so it would miss a subscriber registered before the token changed. A list
 * that cannot be read is an error, and nothing is registered.
 */
async function ownSubscribers(scope: Scope): Promise<Subscriber[]> {
	const mine = endpointOf(scope.ctx.getNodeWebhookUrl('default'));
	let all: IDataObject[];
	try {
		all = await scope.clara.list('/v1/subscribers', {}, { returnAll: true, limit: 0 });
	} catch (error) {
		throw failure(scope, { action: 'the List Subscribers', permission: 'Webhooks' }, error);
	}
	return all.filter((s): s is IDataObject & Subscriber => typeof s?.uuid === 'string' && !!mine && endpointOf(s.callbackUrl) === mine);
}

/** Delete a subscriber; when Clara refuses the delete itself, disable it instead and say so in n8n's log. */
async function remove(scope: Scope, subscriber: Subscriber): Promise<void> {
	const path = `/v1/subscribers/${encodeURIComponent(subscriber.uuid)}`;
	const del = { action: 'the Delete Subscriber', permission: 'Webhooks' as const };
	try {
		await claraWrite(scope.ctx, scope.clara, { ...del, method: 'DELETE', path, repeatable: true, howToCheck: 'Unpublish the workflow again: deleting is harmless to repeat.' });
		return;
	} catch (error) {
		const status = refusal(error);
		if (status === 404) return;
		if (status === undefined) throw failure(scope, del, error);
		scope.ctx.logger.warn(
			redact(`Clara refused to delete webhook subscriber ${subscriber.uuid} (HTTP ${status}), so the Clara Webhook Trigger disabled it instead: it stays listed at Clara and receives nothing`, scope.secrets),
		);
	}
	const disable = { action: 'the Disable Subscriber', permission: 'Webhooks' as const };
	try {
		await claraWrite(scope.ctx, scope.clara, { ...disable, method: 'PATCH', path, json: { enabled: false }, repeatable: true, howToCheck: 'Unpublish the workflow again: disabling is harmless to repeat.' });
	} catch (error) {
		if (refusal(error) !== 404) throw failure(scope, disable, error);
	}
}

/**
 * Make Clara hold exactly one enabled subscriber for this node's URL, with the current token, events and name.
 * Registers one only when `register` and there is none; returns whether one exists now.
 */
async function reconcile(ctx: IHookFunctions, register: boolean): Promise<boolean> {
	const clara = await claraOf(ctx);
	const token = tokenOf(ctx, clara);
	const scope: Scope = { ctx, clara, secrets: secretsOf(clara, token) };
	const wanted = settings(ctx, clara, token);
	// Earlier versions kept the subscriber's uuid here; the list is the record now.
	delete (ctx.getWorkflowStaticData('node') as IDataObject).subscribers;
	const [keep, ...extra] = await ownSubscribers(scope);
	for (const subscriber of extra) await remove(scope, subscriber);
	if (keep) {
		const update = { action: 'the Update Subscriber', permission: 'Webhooks' as const };
		try {
			await claraWrite(ctx, clara, {
				...update,
				method: 'PATCH',
				path: `/v1/subscribers/${encodeURIComponent(keep.uuid)}`,
				json: { ...wanted, enabled: true },
				repeatable: true,
				howToCheck: 'Publish the workflow again: it sends the same settings, which is harmless.',
			});
			return true;
		} catch (error) {
			// Deleted at Clara between the list and the update: register anew below.
			if (refusal(error) !== 404) throw failure(scope, update, error);
		}
	}
	if (!register) return false;
	const create = { action: 'the Create Subscriber', permission: 'Webhooks' as const };
	try {
		await claraWrite(ctx, clara, {
			...create,
			method: 'POST',
			path: '/v1/subscribers',
			json: { ...wanted, enabled: true },
			howToCheck: 'Publish the workflow again: the trigger then finds a subscriber Clara registered for this URL and reuses it, so there is never a second one.',
		});
	} catch (error) {
		throw failure(scope, create, error);
	}
	return true;
}

/**
 * What identifies a delivery: the event's id when the body carries one, else a digest of the body (a re-delivery
 * repeats the body; two different events with byte-identical bodies and no id cannot be told apart from one).
 */
function deliveryKey(body: unknown, raw: unknown): string {
	const b = (body && typeof body === 'object' ? body : {}) as IDataObject;
	for (const field of EVENT_ID_FIELDS) {
		const id = b[field];
		if ((typeof id === 'string' && id) || typeof id === 'number') return `id:${String(id).slice(0, 200)}`;
	}
	const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null));
	return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Per n8n process: what each trigger (workflow and webhook id) accepted, key → when. */
const accepted = new Map<string, Record<string, number>>();

/**
 * Whether this delivery is new; if so, it is remembered (within SEEN_MAX and SEEN_DAYS) in memory and static data.
 * A repeat that static data had lost puts the records back there.
 */
function firstDelivery(ctx: IWebhookFunctions, key: string, now = Date.now()): boolean {
	const data = ctx.getWorkflowStaticData('node') as { seenEvents?: Record<string, number> };
	const where = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().webhookId ?? ctx.getNode().id}`;
	const known = { ...data.seenEvents, ...accepted.get(where) };
	const fresh = (at: unknown) => typeof at === 'number' && now - at < SEEN_DAYS * 86_400_000;
	const isNew = !fresh(known[key]);
	const kept = Object.entries(known)
		.filter(([, at]) => fresh(at))
		.sort((a, b) => a[1] - b[1])
		.slice(-(isNew ? SEEN_MAX - 1 : SEEN_MAX));
	const seen = Object.fromEntries(isNew ? [...kept, [key, now]] : kept);
	accepted.set(where, seen);
	// A new object, so that n8n notices the change and saves it.
	if (isNew || !fresh(data.seenEvents?.[key])) data.seenEvents = { ...seen };
	return isNew;
}

export class ClaraWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		// n8n's nodes panel files a trigger under an app only when its type name is the app's plus "Trigger" (its
		// generateMergedNodesAndActions); that is the polling Clara Trigger's (claraTrigger), and this type name must
		// stay as workflows know it. So this one is listed right beside the Clara app, where n8n shows its name minus
		// " Trigger": "Clara (Webhook)", Clara's webhook flavour rather than an app called "Clara Webhook".
		displayName: 'Clara (Webhook) Trigger',
		name: 'claraWebhookTrigger',
		icon: { light: 'file:clara.svg', dark: 'file:clara.dark.svg' },
		group: ['trigger'],
		version: 1,
		// The events chosen and typed in, by name (one or two), else how many; never the node's own name.
		subtitle: `={{ ((all) => all.length > 2 ? all.length + " events" : all.map((e) => (${JSON.stringify(Object.fromEntries(CLARA_EVENTS.map((e) => [e.value, e.name])))})[e] || e).join(", ") || "No event")([...new Set([].concat($parameter["events"] || [], String($parameter["otherEvents"] || "").split(",").map((e) => e.trim()).filter((e) => e)))]) }}`,
		description: 'Starts the workflow the moment Clara sends an event, such as a payment or a card request (needs webhook access)',
		defaults: { name: 'Clara Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claraApi', required: true, testedBy: 'claraApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
				// n8n's default, 'firstEntryJson', is sent as that literal text (200 text/html) by a webhook that answers
				// on receipt. An empty value is none of n8n's keywords, so n8n answers with what webhook() gives as
				// webhookResponse: JSON.
				responseData: '',
			},
		],
		// In the words of n8n 2.41's editor ("Execute step", "publish"), and naming Clara rather than this node.
		triggerPanel: {
			header: 'Pull in events from Clara',
			executionsHelp: {
				inactive:
					"<b>While building your workflow</b>, click the 'Execute step' button: this node registers its test URL with Clara and waits. Then make the event happen in Clara (for example, request a card). The execution shows up in this editor.<br /><br /><b>Once you're happy with your workflow</b>, publish it. The node then registers its production URL with Clara, and every matching event executes the workflow. These executions show up in the <a data-key=\"executions\">executions list</a>, but not in the editor.",
				active:
					"<b>While building your workflow</b>, click the 'Execute step' button: this node registers its test URL with Clara and waits. Then make the event happen in Clara (for example, request a card). The execution shows up in this editor.<br /><br /><b>Your workflow also executes automatically</b>, since it's published: every matching event Clara sends executes it. These executions show up in the <a data-key=\"executions\">executions list</a>, but not in the editor.",
			},
			activationHint: {
				inactive: "Once you've finished building your workflow, publish it: this node then registers its URL with Clara and listens continuously (you just won't see those executions here).",
				active: "This node also triggers automatically on new Clara events (but those executions won't show up here).",
			},
		},
		properties: [
			{
				displayName:
					"Publishing the workflow registers this node's URL with Clara (one subscriber per URL, reused when it exists); unpublishing deletes it. It needs an API project with webhook access; without it, use the Clara Trigger, which checks for new transactions on a schedule.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: CLARA_EVENTS,
				default: ['PAYMENT_PAID'],
			},
			{
				displayName: 'Other Events',
				name: 'otherEvents',
				type: 'string',
				default: '',
				placeholder: 'e.g. CARD_LOCKED, CARD_THRESHOLD_UPDATED',
				description: 'More Clara event names, as Clara spells them, separated by commas',
			},
			{
				displayName: 'Verify Deliveries',
				name: 'verification',
				type: 'options',
				options: [
					{
						name: 'Token Derived From the Credential',
						value: 'derived',
						description: 'Computed from the client secret and this node; nothing to fill in, never stored in the workflow. After changing the client secret, unpublish and publish the workflow.',
					},
					{ name: 'Secret Token of Your Own', value: 'token', description: 'Typed below; n8n saves it with the workflow' },
					{ name: 'None (Not Recommended)', value: 'none', description: 'Anyone who learns the URL can start the workflow' },
				],
				default: 'derived',
				description: 'Clara does not sign its deliveries, so the URL it is given carries a secret token that every delivery must bring back; requests without it get 401 and start nothing',
			},
			{
				displayName: 'Secret Token',
				name: 'secretToken',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description: 'At least 16 random characters. If it resolves empty (e.g. an expression that gives nothing), every request is refused.',
				displayOptions: { show: { verification: ['token'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{ displayName: 'Company UUID', name: 'companyUuid', type: 'string', default: '', description: 'Only when the credential does not already select the company' },
					{ displayName: 'Subscriber Name', name: 'subscriberName', type: 'string', default: '', description: 'How the subscriber is named in Clara; by default "n8n: (workflow name) / (node name)"' },
				],
			},
		],
	};

	methods = { credentialTest: { claraApiTest } };

	webhookMethods = {
		default: {
			/** A subscriber for this URL exists at Clara: bring it up to date (enabled, these events) and reuse it. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await reconcile(this, false);
			},

			async create(this: IHookFunctions): Promise<boolean> {
				return await reconcile(this, true);
			},

			/** Delete every subscriber for this URL (disable it where Clara refuses the delete). */
			async delete(this: IHookFunctions): Promise<boolean> {
				const clara = await claraOf(this);
				const scope: Scope = { ctx: this, clara, secrets: secretsOf(clara, tokenOf(this, clara)) };
				for (const subscriber of await ownSubscribers(scope)) await remove(scope, subscriber);
				delete (this.getWorkflowStaticData('node') as IDataObject).subscribers;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const mode = this.getNodeParameter('verification', 'derived');
		if (mode !== 'none') {
			let clientSecret: string | undefined;
			if (mode === 'derived') {
				try {
					clientSecret = readCredentials(await this.getCredentials('claraApi')).clientSecret;
				} catch {
					clientSecret = undefined;
				}
			}
			const expected = expectedToken(mode, mode === 'token' ? this.getNodeParameter('secretToken', '') : '', clientSecret, this.getNode().webhookId);
			if (!expected) {
				// Fail closed: an empty token (an expression that resolves to nothing, a credential without its secret)
				// must not mean "no check".
				res.status(401).json({
					message: mode === 'token'
						? "This trigger's Secret Token is empty, so it refuses every request. Fill it and publish the workflow again."
						: "This trigger cannot derive its token (the Clara credential has no client secret), so it refuses every request.",
				});
				return { noWebhookResponse: true };
			}
			const given = this.getQueryData() as IDataObject;
			if (typeof given.token !== 'string' || !sameSecret(given.token, expected)) {
				res.status(401).json({ message: 'Missing or wrong token' });
				return { noWebhookResponse: true };
			}
		}
		const body = this.getBodyData() as unknown;
		if (!firstDelivery(this, deliveryKey(body, (this.getRequestObject() as { rawBody?: unknown }).rawBody))) return { webhookResponse: REPEATED };
		// Clara publishes no event body: what came is passed on whole, never dropped for an unexpected shape.
		const event = body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : { body: body as IDataObject };
		return { workflowData: [this.helpers.returnJsonArray([event])], webhookResponse: ACCEPTED };
	}
}
