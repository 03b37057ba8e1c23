import { createHmac } from 'crypto';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { ApiError, InvalidInput, optionalText, sameSecret } from '../transport';
import { claraApiTest } from './credentialTest';
import { claraFor, readCredentials, type Clara } from './transport';
import { claraWrite, writeError } from './transport/write';

/**
 * Starts a workflow for each event Clara pushes, through Clara's webhook subscribers (`/api/v1/subscribers`).
 *
 * Activation registers a subscriber for this node's URL; deactivation disables it. Clara documents creating a
 * subscriber and changing it (including `enabled`), but no way to delete or list them, so the subscriber's uuid is
 * kept in the workflow's static data: the next activation re-enables the same subscriber with the current events
 * instead of piling up new ones.
 *
 * Clara does not sign its deliveries, nor send a secret header (its subscriber has no field for one). So the URL
 * given to Clara carries a secret token (`?token=…`), and a request without it is refused with 401 and starts nothing.
 * By default the token is derived from the credential's client secret and the node's webhook id: nothing to fill
 * in, and it is never stored in the workflow (a token typed into a parameter is saved with the workflow and with
 * every execution). A token of one's own can be given instead; one that resolves empty refuses every request: the
 * check never silently switches off.
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

interface SubscriberState {
	/** Clara's subscriber for each webhook URL of this node (production and test differ). */
	subscribers?: Record<string, { uuid: string; enabled: boolean }>;
}

interface Settings {
	name: string;
	callbackUrl: string;
	events: string[];
	companyUuid?: string;
}

const CALL = { action: 'the Create Subscriber', permission: 'Webhooks' as const };

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

/** What to register, checked before anything is sent: events, the token, an https URL. */
function settings(ctx: IHookFunctions, clara: Clara): Settings {
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
			description: "Set n8n's WEBHOOK_URL to the public https address Clara can reach, then activate the workflow again. Nothing was registered at Clara.",
		});
	}
	const mode = ctx.getNodeParameter('verification', 'derived');
	const token = expectedToken(mode, mode === 'token' ? ctx.getNodeParameter('secretToken', '') : '', clara.credentials.clientSecret, ctx.getNode().webhookId);
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

function state(ctx: IHookFunctions): Required<SubscriberState>['subscribers'] {
	const data = ctx.getWorkflowStaticData('node') as SubscriberState;
	data.subscribers ??= {};
	return data.subscribers;
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

const notFound = (error: unknown) => error instanceof ApiError && error.response.status === 404;

export class ClaraWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clara Webhook Trigger',
		name: 'claraWebhookTrigger',
		icon: { light: 'file:clara.svg', dark: 'file:clara.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).length === 1 ? "1 event" : ($parameter["events"] || []).length + " events" }}',
		description: 'Starts the workflow when Clara sends an event, such as a payment or a card request (needs webhook access)',
		defaults: { name: 'Clara Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claraApi', required: true, testedBy: 'claraApiTest' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'On activation this trigger registers its URL with Clara, and disables it on deactivation. It needs an API project with webhook access; without it, use the Clara Trigger, which polls for new transactions.',
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
						description: 'Computed from the client secret and this node; nothing to fill in, never stored in the workflow. After changing the client secret, deactivate and activate the workflow.',
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
			/** A subscriber this node registered before: make it match the node again (enabled, these events). */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default')!;
				const known = state(this)[url];
				if (!known) return false;
				const clara = await claraOf(this);
				const wanted = settings(this, clara);
				const call = { action: 'the Update Subscriber', permission: 'Webhooks' as const };
				try {
					await claraWrite(this, clara, {
						...call,
						method: 'PATCH',
						path: `/v1/subscribers/${encodeURIComponent(known.uuid)}`,
						json: { name: wanted.name, callbackUrl: wanted.callbackUrl, events: wanted.events, enabled: true },
						repeatable: true,
						howToCheck: 'Activate the workflow again: it sends the same settings, which is harmless.',
					});
				} catch (error) {
					if (notFound(error)) {
						delete state(this)[url];
						return false;
					}
					throw writeError(this, clara, call, error);
				}
				known.enabled = true;
				return true;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default')!;
				const clara = await claraOf(this);
				const wanted = settings(this, clara);
				let answer: unknown;
				try {
					({ body: answer } = await claraWrite(this, clara, {
						...CALL,
						method: 'POST',
						path: '/v1/subscribers',
						json: { ...wanted, enabled: true },
						howToCheck:
							'Clara may have registered the subscriber. Clara has no API to list subscribers: if the workflow later runs twice for one event, ask Clara to remove the extra subscriber for this URL.',
					}));
				} catch (error) {
					throw writeError(this, clara, CALL, error);
				}
				const body = (answer ?? {}) as IDataObject;
				const uuid = body.uuid ?? body.id ?? (body.data as IDataObject | undefined)?.uuid;
				if (typeof uuid !== 'string' || !uuid) {
					throw new NodeOperationError(this.getNode(), 'Clara registered the subscriber but its answer carries no uuid, so this trigger could not disable it on deactivation', {
						description: 'Ask Clara to disable the subscriber for this workflow\'s URL when you deactivate it.',
					});
				}
				state(this)[url] = { uuid, enabled: true };
				return true;
			},

			/** Disable the subscriber (Clara documents no delete); keep its uuid to re-enable it on the next activation. */
			async delete(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default')!;
				const known = state(this)[url];
				if (!known) return true;
				const clara = await claraOf(this);
				const call = { action: 'the Disable Subscriber', permission: 'Webhooks' as const };
				try {
					await claraWrite(this, clara, {
						...call,
						method: 'PATCH',
						path: `/v1/subscribers/${encodeURIComponent(known.uuid)}`,
						json: { enabled: false },
						repeatable: true,
						howToCheck: 'Deactivate the workflow again: it only disables the subscriber, which is harmless to repeat.',
					});
				} catch (error) {
					if (notFound(error)) {
						delete state(this)[url];
						return true;
					}
					throw writeError(this, clara, call, error);
				}
				known.enabled = false;
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
						? "This trigger's Secret Token is empty, so it refuses every request. Fill it and activate the workflow again."
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
		// Clara publishes no event body: what came is passed on whole, never dropped for an unexpected shape.
		const event = body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : { body: body as IDataObject };
		return { workflowData: [this.helpers.returnJsonArray([event])] };
	}
}
