import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sameSecret } from '../transport';

/** The one notification type Conferma documents; others can be added by id. */
export const EVENT_TYPES = [{ id: 98, name: 'Card Authorisation Activity' }];
const EVENT_NAMES: Record<string, string> = { ...Object.fromEntries(EVENT_TYPES.map((e) => [String(e.id), e.name])), '*': 'Any event' };

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
		return { workflowData: [this.helpers.returnJsonArray([body])] };
	}
}
