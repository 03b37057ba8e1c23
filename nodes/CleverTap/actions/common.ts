import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import {
	calendarDateCompact,
	dateRange,
	describeShape,
	instant,
	integer,
	InvalidInput,
	itemParameter,
	mapConcurrent,
	tried,
	redact,
	requiredText,
	returnAllProperties,
	runPerItem,
	shown,
	showFor,
	toOutput,
	TransportError,
	type ItemResult,
} from '../../transport';
import { LIMITS, MAX_UPLOAD_RECORDS, uploadCode, type Action, type CleverTap } from '../transport';
import type { Attribution } from '../transport/upload';

/** Every operation file exports this pair; the router calls `execute` with the credential's CleverTap client. */
export interface CleverTapOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, ct: CleverTap): Promise<INodeExecutionData[]>;
}

export { operationProperty, showFor } from '../../transport';

/**
 * Items run `LIMITS.read` at a time: more would only queue on the account's limiter, which is what really keeps
 * every execution of the process under CleverTap's 3 concurrent requests.
 */
export function perItem(ctx: IExecuteFunctions, ct: CleverTap, handler: (itemIndex: number) => Promise<IDataObject | IDataObject[]>) {
	return runPerItem(
		ctx,
		async (i) => {
			try {
				return await handler(i);
			} catch (error) {
				throw ct.toNodeError(ctx, error, i);
			}
		},
		{ concurrency: LIMITS.read },
	);
}


// ---------------------------------------------------------------------------------------------------------------
// Parameters

const dateProperty = (resource: string, operation: string, displayName: string, name: string): INodeProperties => ({
	displayName,
	name,
	type: 'dateTime',
	required: true,
	default: '',
	description: 'Sent to CleverTap as YYYYMMDD; 20260131 is accepted too',
	displayOptions: showFor(resource, operation),
});

export const rangeProperties = (resource: string, operation: string) => [
	dateProperty(resource, operation, 'From Date', 'from'),
	dateProperty(resource, operation, 'To Date', 'to'),
];

export const eventNameProperty = (resource: string, operation: string, description: string): INodeProperties => ({
	displayName: 'Event Name',
	name: 'eventName',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. Charged',
	description,
	displayOptions: showFor(resource, operation),
});

export const maxWaitOption: INodeProperties = {
	displayName: 'Wait Up To (Seconds)',
	name: 'maxWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 3600 },
	default: 300,
	description: 'CleverTap prepares results in the background; how long to keep asking before giving up',
};

/** A date the user typed or mapped, as CleverTap's YYYYMMDD number. An 8-digit number is taken as written. */
function readDate(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): number {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	return Number(calendarDateCompact(typeof value === 'number' ? String(value) : value, label, { required: true }));
}

const DAY_MS = 86_400_000;
const dayOf = (d: number) => Date.UTC(Math.floor(d / 10000), (Math.floor(d / 100) % 100) - 1, d % 100);

/** From Date and To Date, real dates, From not after To; `maxDays` for an API that takes a bounded window. */
export function readRange(ctx: IExecuteFunctions, itemIndex: number, options: { maxDays?: number } = {}) {
	const from = readDate(ctx, itemIndex, 'from', 'From Date');
	const to = readDate(ctx, itemIndex, 'to', 'To Date');
	dateRange(from, to, ['From Date', 'To Date']);
	if (options.maxDays !== undefined && (dayOf(to) - dayOf(from)) / DAY_MS > options.maxDays) {
		throw new InvalidInput('To Date', `From Date (${from}) to To Date (${to}) is more than ${options.maxDays} days`, `CleverTap answers this for at most one year: split the range.`);
	}
	return { from, to };
}

export const text = (ctx: IExecuteFunctions, itemIndex: number, name: string, label: string) => requiredText(itemParameter(ctx, name, itemIndex), label);

/** A campaign id: CleverTap's are positive integers (10 digits, epoch-based). */
export const campaignId = (ctx: IExecuteFunctions, itemIndex: number) => integer(ctx.getNodeParameter('campaignId', itemIndex, ''), 'Campaign ID', { min: 1, required: true })!;

/** What an answer (a report, a campaign) holds, without CleverTap's bookkeeping; one without "success" is an error. */
export function resultOf(body: IDataObject): IDataObject {
	if (body.status !== 'success') throw new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a result`);
	const { status: _status, req_id: _reqId, ...rest } = body;
	return rest;
}

/** Event name and date range: what the cursor flow and counts ask about. */
export function readQuery(ctx: IExecuteFunctions, itemIndex: number, options: { maxDays?: number } = {}) {
	return { eventName: text(ctx, itemIndex, 'eventName', 'Event Name'), ...readRange(ctx, itemIndex, options) };
}

function readLimit(ctx: IExecuteFunctions, itemIndex: number) {
	return ctx.getNodeParameter('returnAll', itemIndex) ? Infinity : integer(ctx.getNodeParameter('limit', itemIndex, 50), 'Limit', { min: 1, required: true })!;
}

export function readMaxWaitMs(ctx: IExecuteFunctions, itemIndex: number) {
	const { maxWaitSeconds } = ctx.getNodeParameter('options', itemIndex, {}) as { maxWaitSeconds?: unknown };
	return (integer(maxWaitSeconds, 'Wait Up To (Seconds)', { min: 1, max: 3600 }) ?? 300) * 1000;
}

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

/** A JSON object typed in the node or mapped by an expression. */
export function readJsonObject(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string, options: { required?: boolean } = {}): IDataObject | undefined {
	let value = ctx.getNodeParameter(name, itemIndex, {}) as unknown;
	if (typeof value === 'string') {
		if (!value.trim()) {
			if (options.required) throw new InvalidInput(label, `${label} is empty`, `Give an object, e.g. {"key": "value"}.`);
			return undefined;
		}
		const parsed = tried(() => JSON.parse(value as string) as unknown);
		if ('error' in parsed) throw new InvalidInput(label, `${label} is not valid JSON`, 'Give an object, e.g. {{ $json.profile }} or {"Plan": "gold"}.');
		value = parsed.value;
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw new InvalidInput(label, `${label} must be an object of properties, not ${Array.isArray(value) ? 'a list' : shown(value)}`, 'Give an object, e.g. {"Plan": "gold"}.');
	}
	return value as IDataObject;
}

/**
 * An upload's properties, as the node was told to take them: from Properties (a name and a value each, a value read
 * from the item as itemParameter reads it) or from one JSON object.
 */
function readData(ctx: IExecuteFunctions, itemIndex: number, jsonName: string, label: string, noun: string): IDataObject {
	if (ctx.getNodeParameter('specifyData', itemIndex, 'json') === 'json') return readJsonObject(ctx, itemIndex, jsonName, label) ?? {};
	// Counted as saved, so that no value is evaluated here: each one is read for this item below.
	const rows = (ctx.getNode().parameters.properties as IDataObject | undefined)?.property;
	const data: IDataObject = {};
	(Array.isArray(rows) ? rows : []).forEach((_row, j) => {
		const name = String(ctx.getNodeParameter(`properties.property[${j}].name`, itemIndex, '')).trim();
		const which = `${noun} Property ${j + 1}`;
		if (!name) throw new InvalidInput(label, `${which} has no name`, 'Give it the name CleverTap should store the value under, or remove it.');
		if (Object.hasOwn(data, name)) throw new InvalidInput(label, `${which}: "${name}" is given twice`, 'Give each property once.');
		data[name] = itemParameter(ctx, `properties.property[${j}].value`, itemIndex) as IDataObject[string];
	});
	return data;
}

/** When it happened, as UNIX seconds: a date-time, or a number of seconds (milliseconds are refused, not guessed). */
function readTimestamp(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
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

// ---------------------------------------------------------------------------------------------------------------
// Operations shared by profiles and events

/** Get Many through the cursor flow, for the people or the events of one event name in a date range. */
export function cursorListOperation(resource: 'profile' | 'event'): CleverTapOperation {
	const kind = resource === 'profile' ? 'profiles' : 'events';
	return {
		description: [
			eventNameProperty(resource, 'getAll', resource === 'profile' ? 'Get the profiles of the people who did this event in the date range' : 'The event to download'),
			...rangeProperties(resource, 'getAll'),
			...returnAllProperties(resource, 'getAll'),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: showFor(resource, 'getAll'),
				options: [
					{
						displayName: 'Batch Size',
						name: 'batchSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 5000 },
						default: 1000,
						description: 'Records per page CleverTap prepares (at most 5000)',
					},
					maxWaitOption,
				],
			},
		],
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			return perItem(this, ct, async (i) => {
				const query = readQuery(this, i);
				const { batchSize } = this.getNodeParameter('options', i, {}) as { batchSize?: unknown };
				return ct.cursorList(kind, query, {
					limit: readLimit(this, i),
					batchSize: integer(batchSize, 'Batch Size', { min: 1, max: 5000 }) ?? 1000,
					maxWaitMs: readMaxWaitMs(this, i),
				});
			});
		},
	};
}

/** Count, through CleverTap's asynchronous counts (the result at once, or a req_id polled to the result). */
export function countOperation(resource: 'profile' | 'event'): CleverTapOperation {
	const kind = resource === 'profile' ? 'profiles' : 'events';
	return {
		description: [
			eventNameProperty(resource, 'count', resource === 'profile' ? 'Count the people who did this event in the date range' : 'Count how many times this event happened in the date range'),
			...rangeProperties(resource, 'count'),
			{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: showFor(resource, 'count'), options: [maxWaitOption] },
		],
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			return perItem(this, ct, async (i) => {
				const query = readQuery(this, i);
				return { count: await ct.count(kind, query, readMaxWaitMs(this, i)), ...query };
			});
		},
	};
}

/** A list read for a date range (campaigns, message reports), with Return All + Limit applied to the answer. */
export function dateListOperation(resource: string, operation: string, path: string, listKey: string): CleverTapOperation {
	return {
		description: [...rangeProperties(resource, operation), ...returnAllProperties(resource, operation)],
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			return perItem(this, ct, async (i) => {
				const range = readRange(this, i);
				const limit = readLimit(this, i);
				const body = await ct.query(path, range);
				// The list key, or a plain list; anything else is an error naming what came, never 0 items.
				const list = Array.isArray(body[listKey]) ? (body[listKey] as IDataObject[]) : undefined;
				if (!list) throw new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a list under "${listKey}"`);
				return list.slice(0, limit);
			});
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Batches of records (upload, subscribe)

/** Batch calls of one execution in flight at once; the account limiter is what bounds them all. */
const BATCH_CALLS_IN_FLIGHT = 4;

/**
 * Build one record per input item (an item whose input is bad becomes its own error and is never sent), send them
 * in calls of at most 1000, and give every item its own result: the records CleverTap lists as `unprocessed` are
 * mapped back to their items and become those items' errors. A call without a clear answer gives each of its items
 * the error saying it may have been stored and how to check.
 */
export async function sendBatches(
	ctx: IExecuteFunctions,
	ct: CleverTap,
	options: {
		build: (itemIndex: number) => IDataObject;
		send: (records: IDataObject[]) => Promise<Attribution>;
		ok: (record: IDataObject) => IDataObject;
		/** "record" or "entry", in messages. */
		noun: string;
	},
): Promise<INodeExecutionData[]> {
	const results: ItemResult[] = ctx.getInputData().map((_, i) => {
		try {
			return options.build(i);
		} catch (error) {
			return ct.toNodeError(ctx, error, i);
		}
	});
	// Without continueOnFail one bad item fails the run: fail it before anything is written.
	const bad = results.find((r) => r instanceof Error);
	if (bad && !ctx.continueOnFail()) throw bad;

	const ready = results.flatMap((r, i) => (r instanceof Error ? [] : [i]));
	const batches = Array.from({ length: Math.ceil(ready.length / MAX_UPLOAD_RECORDS) }, (_, b) => ready.slice(b * MAX_UPLOAD_RECORDS, (b + 1) * MAX_UPLOAD_RECORDS));
	const sent = `The other ${options.noun}s of this execution were sent. With "On Error: Continue" every refused item becomes its own error item.`;
	await mapConcurrent(batches, BATCH_CALLS_IN_FLIGHT, async (itemIndexes) => {
		const records = itemIndexes.map((i) => results[i] as IDataObject);
		try {
			const { rejected, unmatched } = await options.send(records);
			itemIndexes.forEach((itemIndex, at) => {
				const refusal = rejected.get(at);
				if (refusal) {
					const known = uploadCode(refusal.code);
					const code = refusal.code !== undefined ? ` (code ${String(refusal.code)}${known ? `: ${known.meaning}` : ''})` : '';
					results[itemIndex] = new NodeApiError(ctx.getNode(), { status: 'fail', code: String(refusal.code ?? ''), error: refusal.error } as JsonObject, {
						message: redact(`CleverTap refused this ${options.noun}${code}: ${refusal.error}`, ct.secrets),
						description: `${known ? `${known.fix} ` : 'Fix the item and send it again. '}${sent}`,
						itemIndex,
					});
				} else if (unmatched.length) {
					const said = [...new Set(unmatched.map((u) => u.error))].join('; ');
					results[itemIndex] = new NodeApiError(ctx.getNode(), { unmatched: unmatched.length } as JsonObject, {
						message: redact(`CleverTap refused ${unmatched.length} ${options.noun}(s) of this call without saying which: ${said}`, ct.secrets),
						description: `This item may or may not have been stored; check it in CleverTap before sending it again (an event sent twice is counted twice). ${sent}`,
						itemIndex,
					});
				} else {
					results[itemIndex] = options.ok(records[at]);
				}
			});
		} catch (error) {
			// The whole call failed: each item says so (and, if the call may have been stored, how to check).
			for (const itemIndex of itemIndexes) results[itemIndex] = ct.toNodeError(ctx, error, itemIndex);
		}
	});
	return toOutput(ctx, results);
}

// ---------------------------------------------------------------------------------------------------------------
// Upload

const UPLOADS: Record<'profile' | 'event', Action> = {
	profile: {
		action: 'the Upload Profiles call',
		howToCheck:
			'Profile uploads are safe to repeat: sending the same records again sets the same properties. Run these items again (with "On Error: Continue", only the failed ones).',
	},
	event: {
		action: 'the Upload Events call',
		howToCheck:
			'Do not simply run it again: events CleverTap stored would be counted twice. Check first with Event → Count or Event → Get Many for this event name and day, then upload only the events that are missing.',
	},
};

/** Upload the input items as profiles or events, at most 1000 records a call (POST /1/upload). */
export function uploadOperation(resource: 'profile' | 'event'): CleverTapOperation {
	const dataName = resource === 'profile' ? 'profileData' : 'eventData';
	const dataLabel = resource === 'profile' ? 'Profile Data' : 'Event Data';
	const propertyNoun = resource === 'profile' ? 'Profile' : 'Event';
	const show = showFor(resource, 'upload');
	return {
		description: [
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
				displayName: `${propertyNoun} Properties`,
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
				name: dataName,
				type: 'json',
				default: '{}',
				description: resource === 'profile' ? 'The profile properties to set, e.g. {{ $json.profile }}' : 'The event properties, e.g. {{ $json.order }}',
				displayOptions: { show: { ...show.show, specifyData: ['json'] } },
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
						displayName: 'Timestamp',
						name: 'timestamp',
						type: 'dateTime',
						default: '',
						description: resource === 'event' ? 'When the event happened (a date-time, or UNIX seconds); now when empty' : 'When the profile data was true; CleverTap uses the time of upload when empty',
					},
				],
			},
		],
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			return sendBatches(this, ct, {
				noun: 'record',
				build: (i) => {
					const by = this.getNodeParameter('identifyBy', i, 'identity') as 'identity' | 'objectId';
					const record: IDataObject = { type: resource, [by]: text(this, i, 'identifier', 'Identifier') };
					const ts = readTimestamp(this, i);
					if (resource === 'event') {
						record.evtName = uploadEventName(this.getNodeParameter('eventName', i, ''));
						record.evtData = readData(this, i, dataName, dataLabel, propertyNoun);
						record.ts = ts ?? Math.floor(Date.now() / 1000);
					} else {
						record.profileData = readData(this, i, dataName, dataLabel, propertyNoun);
						if (ts !== undefined) record.ts = ts;
					}
					return record;
				},
				send: (records) => ct.batch('upload', '/1/upload', records, UPLOADS[resource]),
				ok: ({ type, identity, objectId, evtName }) => ({ uploaded: true, type, ...(identity !== undefined ? { identity } : { objectId }), ...(evtName ? { evtName } : {}) }),
			});
		},
	};
}
