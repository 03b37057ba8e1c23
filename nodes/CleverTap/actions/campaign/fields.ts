import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { instant, InvalidInput, shown } from '../../../transport';
import { readJsonObject, showFor, text } from '../common';

/**
 * What Create Campaign and Estimate send to POST /1/targets/create.json (developer.clevertap.com/docs/create-campaign-api):
 * `{name, target_mode, when, where, content, respect_frequency_caps, …}`. Estimate adds `estimate_only: true`.
 */
export function campaignFields(operation: 'create' | 'estimate'): INodeProperties[] {
	const show = showFor('campaign', operation);
	return [
		{
			displayName: 'Campaign Name',
			name: 'name',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. Price drop 2026-02-01',
			description: operation === 'create' ? 'Shown in the CleverTap dashboard; a unique name lets "Reuse Campaign With Same Name" make retries safe' : 'Shown in the CleverTap dashboard',
			displayOptions: show,
		},
		{
			displayName: 'Channel',
			name: 'targetMode',
			type: 'options',
			options: [
				{ name: 'App Inbox', value: 'notificationinbox' },
				{ name: 'Email', value: 'email' },
				{ name: 'Mobile Push', value: 'push' },
				{ name: 'SMS', value: 'sms' },
				{ name: 'Web Push', value: 'webpush' },
				{ name: 'Webhook', value: 'webhook' },
				{ name: 'WhatsApp', value: 'whatsapp' },
			],
			default: 'push',
			displayOptions: show,
		},
		{
			displayName: 'Send',
			name: 'when',
			type: 'options',
			options: [
				{ name: 'Now', value: 'now' },
				{ name: 'At a Date and Time', value: 'later' },
			],
			default: 'now',
			displayOptions: show,
		},
		{
			displayName: 'Send At',
			name: 'sendAt',
			type: 'dateTime',
			required: true,
			default: '',
			description: "Sent as YYYYMMDD HH:MM, the date and time as written (CleverTap reads it in your account's time zone)",
			displayOptions: { show: { ...show.show, when: ['later'] } },
		},
		{
			displayName: 'Audience',
			name: 'where',
			type: 'json',
			default: '',
			placeholder: '{"event_name": "Charged", "from": 20260101, "to": 20260131}',
			description: 'Who receives it, as CleverTap\'s "where" (events and profile properties); empty for every user',
			displayOptions: show,
		},
		{
			displayName: 'Content',
			name: 'content',
			type: 'json',
			required: true,
			default: '{"title": "", "body": ""}',
			description: 'The message, as CleverTap\'s "content" for the channel (title and body for push; subject, body and sender_name for email)',
			displayOptions: show,
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: show,
			options: [
				{
					displayName: 'Additional Fields (JSON)',
					name: 'additional',
					type: 'json',
					default: '{}',
					description: 'Other fields of the Create Campaign API, e.g. {"conversion_goal": {…}, "ttl": {…}}',
				},
				{
					displayName: 'Respect Frequency Caps',
					name: 'respectFrequencyCaps',
					type: 'boolean',
					default: true,
					description: 'Whether the account\'s frequency caps and dwell time apply to this campaign',
				},
				...(operation === 'create'
					? [
							{
								displayName: 'Reuse Campaign With Same Name',
								name: 'reuseByName',
								type: 'boolean' as const,
								default: false,
								description:
									'Whether to look for a campaign with this name first (made in the dashboard or through the API, scheduled to start from Look Back days ago through this campaign\'s own send date) and return it instead of creating a second one; if CleverTap\'s list cannot be read, nothing is created; items of one run with the same name create once',
							},
							{
								displayName: 'Look Back (Days)',
								name: 'lookBackDays',
								type: 'number' as const,
								typeOptions: { minValue: 0, maxValue: 30 },
								default: 1,
								description: 'How far back "Reuse Campaign With Same Name" looks, in days before today (0 = from today); it looks forward to this campaign\'s send date, with a day to spare either side for your account\'s time zone',
							},
						]
					: []),
			],
		},
	];
}

/** `YYYYMMDD HH:MM` from the date-time as written: the digits the user typed, checked to be a real moment. */
function sendAt(value: unknown): string {
	instant(value, 'Send At', { required: true });
	const written = value instanceof Date ? value.toISOString() : typeof (value as { toISO?: unknown })?.toISO === 'function' ? String((value as { toISO(): string }).toISO()) : String(value).trim();
	const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(written);
	if (!m) throw new InvalidInput('Send At', `Send At ${shown(value)} has no time of day`, 'Give a date and time, e.g. 2026-03-01T09:30.');
	return `${m[1]}${m[2]}${m[3]} ${m[4]}:${m[5]}`;
}

/** The request body of Create Campaign / Estimate, from one item's parameters. */
export function readCampaign(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as { respectFrequencyCaps?: boolean };
	const when = ctx.getNodeParameter('when', itemIndex, 'now') as string;
	const where = readJsonObject(ctx, itemIndex, 'where', 'Audience');
	const additional = readJsonObject(ctx, itemIndex, 'options.additional', 'Additional Fields (JSON)') ?? {};
	return {
		...additional,
		name: text(ctx, itemIndex, 'name', 'Campaign Name'),
		target_mode: ctx.getNodeParameter('targetMode', itemIndex, 'push'),
		when: when === 'later' ? sendAt(ctx.getNodeParameter('sendAt', itemIndex, '')) : 'now',
		...(where ? { where } : {}),
		content: readJsonObject(ctx, itemIndex, 'content', 'Content', { required: true }),
		respect_frequency_caps: options.respectFrequencyCaps !== false,
	};
}
