import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { instant, integer, InvalidInput, itemParameter, requiredText, shown } from '../../transport';
import { eventNameProperty, optionsProperty, readJsonObject, showFor, text } from './common';

/**
 * What Profile → Upload and Event → Upload share: their fields, and the parts of one upload record read from an item
 * (who it is about, its properties, when).
 */

/** The fields of Upload for profiles or events. */
export function uploadFields(resource: 'profile' | 'event'): INodeProperties[] {
	const show = showFor(resource, 'upload');
	const dataLabel = resource === 'profile' ? 'Profile Data' : 'Event Data';
	return [
		{
			displayName: 'Identify By',
			name: 'identifyBy',
			type: 'options',
			options: [
				{ name: 'Identity', value: 'identity', description: 'Your own user ID, email or phone, as set in CleverTap' },
				{ name: 'Object ID', value: 'objectId', description: "CleverTap's own ID of the user (CleverTap ID)" },
			],
			default: 'identity',
			displayOptions: show,
		},
		{
			displayName: 'Identifier',
			name: 'identifier',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. {{ $json.email }}',
			description: 'The identity or object ID of the user this record belongs to; a new profile is created for an unknown identity',
			displayOptions: show,
		},
		...(resource === 'event' ? [eventNameProperty(resource, 'upload', 'The name of the event, e.g. Charged (not a system event such as App Launched)')] : []),
		{
			displayName: `Specify ${dataLabel}`,
			name: 'specifyData',
			type: 'options',
			options: [
				{ name: 'Using Fields Below', value: 'fields', description: 'A name and a value per property; drag a field of the input in as a value' },
				{ name: 'Using JSON', value: 'json', description: 'One object of properties, written out or taken from the input' },
			],
			// JSON was the only way before: a saved workflow without this parameter keeps working as it was.
			default: 'json',
			displayOptions: show,
		},
		{
			displayName: `${resource === 'profile' ? 'Profile' : 'Event'} Properties`,
			name: 'properties',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Property',
			default: {},
			displayOptions: { show: { ...show.show, specifyData: ['fields'] } },
			options: [
				{
					displayName: 'Property',
					name: 'property',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: resource === 'profile' ? 'e.g. Plan' : 'e.g. Amount' },
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							placeholder: resource === 'profile' ? 'e.g. {{ $json.plan }}' : 'e.g. {{ $json.amount }}',
							description: 'A value mapped from the input keeps its type (a number stays a number); one typed here is text',
						},
					],
				},
			],
		},
		{
			displayName: dataLabel,
			name: resource === 'profile' ? 'profileData' : 'eventData',
			type: 'json',
			default: '{}',
			description: resource === 'profile' ? 'The profile properties to set, e.g. {{ $json.profile }}' : 'The event properties, e.g. {{ $json.order }}',
			displayOptions: { show: { ...show.show, specifyData: ['json'] } },
		},
		optionsProperty(resource, 'upload', [
			{
				displayName: 'Timestamp',
				name: 'timestamp',
				type: 'dateTime',
				default: '',
				description: resource === 'event' ? 'When the event happened (a date-time, or UNIX seconds); now when empty' : 'When the profile data was true; CleverTap uses the time of upload when empty',
			},
		]),
	];
}

/** Who a record is about: `{identity}` or `{objectId}`, as Identify By says. */
export function readIdentifier(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const by = ctx.getNodeParameter('identifyBy', itemIndex, 'identity') as 'identity' | 'objectId';
	return { [by]: text(ctx, itemIndex, 'identifier', 'Identifier') };
}

/** `{uploaded: true, type, identity | objectId}`: an upload item's output. */
export const uploaded = ({ type, identity, objectId }: IDataObject): IDataObject => ({ uploaded: true, type, ...(identity !== undefined ? { identity } : { objectId }) });

// Characters CleverTap's SDKs strip from event names, and the events CleverTap raises itself: an upload of one is
// refused (code 513), so it is refused here before anything is sent.
const EVENT_NAME_CHARS = /[.:$'"\\]/;
const SYSTEM_EVENTS = new Set(['App Launched', 'App Uninstalled', 'Notification Sent', 'Notification Viewed', 'Notification Clicked', 'Notification Bounced', 'UTM Visited', 'Stayed', 'Geofence Entered', 'Geofence Exited', 'wzrk_d']);

/** An event name to upload: not empty, none of . : $ ' " \, not a system event. */
export function uploadEventName(value: unknown): string {
	const name = requiredText(value, 'Event Name');
	if (EVENT_NAME_CHARS.test(name)) {
		throw new InvalidInput('Event Name', `Event Name ${shown(name)} contains a character CleverTap does not take in event names`, 'Leave out . : $ \' " and \\.');
	}
	if (SYSTEM_EVENTS.has(name)) {
		throw new InvalidInput('Event Name', `Event Name ${shown(name)} is a system event CleverTap raises itself`, 'CleverTap refuses uploads of it (code 513): use an event name of your own.');
	}
	return name;
}

/**
 * A record's properties, as the node was told to take them: from Properties (a name and a value each, a value read
 * from the item as itemParameter reads it) or from one JSON object.
 */
export function readProperties(ctx: IExecuteFunctions, itemIndex: number, resource: 'profile' | 'event'): IDataObject {
	const label = resource === 'profile' ? 'Profile Data' : 'Event Data';
	if (ctx.getNodeParameter('specifyData', itemIndex, 'json') === 'json') return readJsonObject(ctx, itemIndex, resource === 'profile' ? 'profileData' : 'eventData', label) ?? {};
	// Counted as saved, so that no value is evaluated here: each one is read for this item below.
	const rows = (ctx.getNode().parameters.properties as IDataObject | undefined)?.property;
	const data: IDataObject = {};
	(Array.isArray(rows) ? rows : []).forEach((_row, j) => {
		const name = String(ctx.getNodeParameter(`properties.property[${j}].name`, itemIndex, '')).trim();
		const which = `${resource === 'profile' ? 'Profile' : 'Event'} Property ${j + 1}`;
		if (!name) throw new InvalidInput(label, `${which} has no name`, 'Give it the name CleverTap should store the value under, or remove it.');
		if (Object.hasOwn(data, name)) throw new InvalidInput(label, `${which}: "${name}" is given twice`, 'Give each property once.');
		data[name] = itemParameter(ctx, `properties.property[${j}].value`, itemIndex) as IDataObject[string];
	});
	return data;
}

/** When it happened, as UNIX seconds: a date-time, or a number of seconds (milliseconds are refused, not guessed). */
export function readTimestamp(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const { timestamp } = ctx.getNodeParameter('options', itemIndex, {}) as { timestamp?: unknown };
	if (timestamp === undefined || timestamp === null || timestamp === '') return undefined;
	const digits = typeof timestamp === 'number' || (typeof timestamp === 'string' && /^\d+$/.test(timestamp.trim()));
	if (!digits) return Math.floor(instant(timestamp, 'Timestamp')! / 1000);
	const seconds = integer(timestamp, 'Timestamp', { min: 0 })!;
	if (seconds > 99_999_999_999) {
		throw new InvalidInput('Timestamp', `Timestamp ${shown(timestamp)} looks like milliseconds`, 'Give UNIX time in seconds (10 digits today), or a date-time like 2026-01-31T09:30:00Z.');
	}
	return seconds;
}
