import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sameSecret } from '../transport';

/** The one notification type Conferma documents ("Card Authorisation Activity"); others can be added by id. */
export const EVENT_TYPES = [{ id: 98, name: 'Card authorisation' }];
const EVENT_NAMES: Record<string, string> = { ...Object.fromEntries(EVENT_TYPES.map((e) => [String(e.id), e.name])), '*': 'Any event' };

/**
 * Deliveries already seen, so a sender's retry does not start a second execution: the notificationMessageIDs of the
 * last 48 hours, at most 1,000 of them (newest kept), in the workflow's static data (about 30 KB at most). Webhook
 * senders retry within minutes to hours; a repeat older than 48 hours, or pushed out by 1,000 newer deliveries,
 * starts the workflow again.
 *
 * What holds: within one n8n process, and across restarts (n8n saves a webhook trigger's static data after each
 * delivery it answers). What does not: in queue mode with several webhook processes, each request reads the
 * workflow's static data as last saved, so the same notification arriving at two processes at once is accepted by
 * both (two executions), and the later save overwrites the earlier one's list. Deduplicate downstream by
 * notificationMessageID (e.g. a unique key in your database) where a second execution would do harm.
 */
export const SEEN = { max: 1_000, maxAgeMs: 48 * 3_600_000 };

interface SeenData {
	/** notificationMessageID → when it was accepted (ms since the epoch). */
	seen?: Record<string, number>;
}

/** The ids still inside the bounds, newest last; `now` bounds their age. */
function recent(seen: Record<string, number>, now: number): Array<[string, number]> {
	return Object.entries(seen)
		.filter(([, at]) => typeof at === 'number' && now - at < SEEN.maxAgeMs && at <= now + 60_000)
		.sort((a, b) => a[1] - b[1])
		.slice(-SEEN.max);
}

interface Notification {
	version?: unknown;
	notificationMessageID?: unknown;
	notificationEventType?: { id?: unknown; name?: unknown };
}

/** Conferma documents these as integers; "98" or 98.5 is not one of its notifications. */
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * Starts a workflow for each Conferma notification of the chosen event types (by default 98, a card of a deployment
 * was used). Other event types are acknowledged with 200 and start nothing, so Conferma does not redeliver them.
 */
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete -- Conferma has no public API to subscribe a notification URL: it is set up with Conferma
export class ConfermaPayTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Conferma Pay Trigger',
		name: 'confermaPayTrigger',
		icon: { light: 'file:confermaPay.svg', dark: 'file:confermaPay.dark.svg' },
		group: ['trigger'],
		version: 1,
		// The events by name, as the Events list shows them (not their ids).
		subtitle: `={{ $parameter["events"].map((e) => (${JSON.stringify(EVENT_NAMES)})[e] || "event " + e).join(", ") }}`,
		description: 'Starts the workflow when Conferma Pay notifies an event, e.g. a virtual card being used',
		defaults: { name: 'Conferma Pay Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// responseData: without it n8n answers a delivery that starts the workflow with the literal text "firstEntryJson".
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '={{ { "received": true } }}', path: 'webhook' }],
		properties: [
			{
				displayName:
					'Give Conferma this node\'s Production URL (under Webhook URLs) as your platform\'s notification address: it answers once the workflow is published. The Test URL answers while this node is listening for a test event (Execute step).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					...EVENT_TYPES.map((e) => ({ name: `${e.name} (event ${e.id})`, value: String(e.id) })),
					{ name: 'Any Event', value: '*' },
				],
				default: ['98'],
				description: 'Notifications of other types are acknowledged and start nothing',
			},
			{
				displayName: 'Other Event Type IDs',
				name: 'otherEventIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. 12, 40',
				description: 'Numeric event type IDs from Conferma not in the list above, separated by commas',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Required Header Name',
						name: 'headerName',
						type: 'string',
						default: '',
						placeholder: 'e.g. X-Conferma-Secret',
						description: 'A header Conferma is set up to send with every notification; requests without the right value get 401 and start nothing',
					},
					{
						displayName: 'Required Header Value',
						name: 'headerValue',
						type: 'string',
						typeOptions: { password: true },
						default: '',
						description:
							'The secret the header must carry. While a header name is set and this is empty (e.g. an expression that resolves to nothing), every request is refused with 500 and starts nothing: the check is never skipped.',
					},
				],
			},
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const refuse = (status: number, message: string): IWebhookResponseData => {
			res.status(status).json({ message });
			return { noWebhookResponse: true };
		};
		const options = this.getNodeParameter('options', {}) as { headerName?: string; headerValue?: string };
		const headerName = String(options.headerName ?? '').trim();
		const headerValue = String(options.headerValue ?? '').trim();
		// Fails closed: half a configuration (a name without a value, or the reverse) means a check was wanted.
		if (headerName || headerValue) {
			if (!headerName || !headerValue) {
				const missing = headerName ? 'Required Header Value' : 'Required Header Name';
				this.logger.warn(`Conferma Pay Trigger "${this.getNode().name}": ${missing} is empty, so every notification is refused`);
				return refuse(500, `This trigger is set to require a shared-secret header but its ${missing} is empty, so it refuses every request: set it in the node`);
			}
			const given = this.getHeaderData()[headerName.toLowerCase()];
			if (typeof given !== 'string' || !sameSecret(given, headerValue)) return refuse(401, `Missing or wrong ${headerName} header`);
		}
		const wantedIds: number[] = [];
		for (const part of String(this.getNodeParameter('otherEventIds', '')).split(',').map((s) => s.trim()).filter(Boolean)) {
			if (!/^\d{1,9}$/.test(part)) return refuse(500, `This trigger's Other Event Type IDs has "${part.slice(0, 20)}", which is not a whole number: fix it in the node`);
			wantedIds.push(Number(part));
		}
		const body = this.getBodyData() as IDataObject & Notification;
		const id = body && typeof body === 'object' ? body.notificationEventType?.id : undefined;
		if (!isInteger(id)) return refuse(400, 'Not a Conferma notification: notificationEventType.id is missing or not an integer');
		if (!isInteger(body.notificationMessageID)) return refuse(400, 'Not a Conferma notification: notificationMessageID is missing or not an integer');
		if (body.version !== undefined && !isInteger(body.version)) return refuse(400, 'Not a Conferma notification: version is not an integer');
		const events = this.getNodeParameter('events', []) as string[];
		const wanted = events.includes('*') || events.map(Number).includes(id) || wantedIds.includes(id);
		if (!wanted) return { webhookResponse: { received: true, ignored: `event type ${id} is not selected in this trigger` } };
		// Only after the secret and the body were checked: a stranger must not be able to mark ids as seen. A test
		// event (the editor listening) is never held back, so the same sample can be sent again while building.
		if (this.getMode() !== 'manual') {
			const data = this.getWorkflowStaticData('node') as SeenData;
			const now = Date.now();
			const kept = recent(data.seen ?? {}, now);
			const key = String(body.notificationMessageID);
			const earlier = kept.find(([seenId]) => seenId === key);
			if (earlier) {
				return { webhookResponse: { received: true, duplicate: `notification ${key} was already received at ${new Date(earlier[1]).toISOString()}; no new execution was started` } };
			}
			kept.push([key, now]);
			data.seen = Object.fromEntries(kept.slice(-SEEN.max));
		}
		return { workflowData: [this.helpers.returnJsonArray([body])] };
	}
}
