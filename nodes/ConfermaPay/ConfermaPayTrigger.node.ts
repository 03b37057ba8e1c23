import { timingSafeEqual } from 'crypto';
import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/** The one notification type Conferma documents; others can be added by id. */
export const EVENT_TYPES = [{ id: 98, name: 'Card Authorisation Activity' }];
const EVENT_NAMES: Record<string, string> = { ...Object.fromEntries(EVENT_TYPES.map((e) => [String(e.id), e.name])), '*': 'Any event' };

interface Notification {
	notificationMessageID?: unknown;
	notificationEventType?: { id?: unknown; name?: unknown };
}

const sameSecret = (given: string, expected: string) => {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
};

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
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Give Conferma this node\'s Production URL (above) as the notification address of your platform; the Test URL works while "Listen for test event" is on',
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
					...EVENT_TYPES.map((e) => ({ name: `${e.name} (${e.id})`, value: String(e.id) })),
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
					},
				],
			},
		],
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const options = this.getNodeParameter('options', {}) as { headerName?: string; headerValue?: string };
		if (options.headerName && options.headerValue) {
			const given = this.getHeaderData()[options.headerName.toLowerCase()];
			if (typeof given !== 'string' || !sameSecret(given, options.headerValue)) {
				res.status(401).json({ message: `Missing or wrong ${options.headerName} header` });
				return { noWebhookResponse: true };
			}
		}
		const body = this.getBodyData() as IDataObject & Notification;
		const id = Number(body?.notificationEventType?.id);
		if (!body || typeof body !== 'object' || !Number.isInteger(id)) {
			res.status(400).json({ message: 'Not a Conferma notification: notificationEventType.id is missing' });
			return { noWebhookResponse: true };
		}
		const events = this.getNodeParameter('events', []) as string[];
		const others = String(this.getNodeParameter('otherEventIds', '')).split(',').map((s) => s.trim()).filter(Boolean);
		const wanted = events.includes('*') || [...events, ...others].includes(String(id));
		if (!wanted) return { webhookResponse: { received: true, ignored: `event type ${id} is not selected in this trigger` } };
		return { workflowData: [this.helpers.returnJsonArray([body])] };
	}
}
