import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import { mapConcurrent, redact, returnAllProperties, runPerItem, showFor, toOutput, type ItemResult } from '../../transport';
import { LIMITS, MAX_UPLOAD_RECORDS, type CleverTap } from '../transport';

/** Every operation file exports this pair; the router calls `execute` with the credential's CleverTap client. */
export interface CleverTapOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, ct: CleverTap): Promise<INodeExecutionData[]>;
}

export { operationProperty, showFor } from '../../transport';

/**
 * Items run `LIMITS.read` at a time: more would only queue on the account's limiter, which is what really keeps
 * every execution of the process under CleverTap's 3 concurrent reads.
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

const maxWaitOption: INodeProperties = {
	displayName: 'Wait Up To (Seconds)',
	name: 'maxWaitSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 300,
	description: 'CleverTap prepares results in the background; how long to keep asking before giving up',
};

/** YYYYMMDD from n8n's date picker (ISO), a YYYY-MM-DD string, or 8 digits. */
function readDate(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): number {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const text = String(value ?? '').trim();
	const digits = /^\d{8}$/.test(text) ? text : /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text)?.slice(1, 4).join('');
	const iso = digits && `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
	if (!digits || !iso || new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso) {
		throw new NodeOperationError(ctx.getNode(), `"${label}" must be a date like 2026-01-31 or 20260131, not "${text.slice(0, 40)}"`, { itemIndex });
	}
	return Number(digits);
}

export function readRange(ctx: IExecuteFunctions, itemIndex: number) {
	const from = readDate(ctx, itemIndex, 'from', 'From Date');
	const to = readDate(ctx, itemIndex, 'to', 'To Date');
	if (from > to) throw new NodeOperationError(ctx.getNode(), `"From Date" (${from}) is after "To Date" (${to})`, { itemIndex });
	return { from, to };
}

export function requiredText(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): string {
	const value = String(ctx.getNodeParameter(name, itemIndex, '') ?? '').trim();
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), `"${label}" is empty`, { itemIndex, description: 'Fill it or map it from the input, e.g. {{ $json.email }}. Nothing was sent to CleverTap for this item.' });
	}
	return value;
}

/** Event name and date range: what the cursor flow and counts ask about. */
function readQuery(ctx: IExecuteFunctions, itemIndex: number) {
	return { eventName: requiredText(ctx, itemIndex, 'eventName', 'Event Name'), ...readRange(ctx, itemIndex) };
}

function readLimit(ctx: IExecuteFunctions, itemIndex: number) {
	return ctx.getNodeParameter('returnAll', itemIndex) ? Infinity : Math.max(1, ctx.getNodeParameter('limit', itemIndex) as number);
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
				const options = this.getNodeParameter('options', i, {}) as { batchSize?: number; maxWaitSeconds?: number };
				return ct.cursorList(
					kind,
					query,
					{ limit: readLimit(this, i), batchSize: Math.min(5000, Math.max(1, options.batchSize ?? 1000)), maxWaitMs: (options.maxWaitSeconds ?? 300) * 1000 },
				);
			});
		},
	};
}

/** Count, through CleverTap's asynchronous counts (a req_id polled to the result). */
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
				const { maxWaitSeconds } = this.getNodeParameter('options', i, {}) as { maxWaitSeconds?: number };
				return { count: await ct.count(kind, query, (maxWaitSeconds ?? 300) * 1000), ...query };
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
				const body = await ct.query(path, range);
				const list = Array.isArray(body[listKey]) ? (body[listKey] as IDataObject[]) : [];
				return list.slice(0, readLimit(this, i));
			});
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Upload

/** Upload calls of one execution in flight at once; the account limiter (15) is what bounds them all. */
const UPLOAD_CALLS_IN_FLIGHT = 4;

function readJsonObject(ctx: IExecuteFunctions, itemIndex: number, name: string, label: string): IDataObject {
	let value = ctx.getNodeParameter(name, itemIndex, {}) as unknown;
	if (typeof value === 'string') {
		try {
			value = value.trim() ? JSON.parse(value) : {};
		} catch {
			throw new NodeOperationError(ctx.getNode(), `"${label}" is not valid JSON`, { itemIndex, description: 'Give an object, e.g. {{ $json.profile }} or {"Plan": "gold"}. Nothing was sent for this item.' });
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw new NodeOperationError(ctx.getNode(), `"${label}" must be an object of properties`, { itemIndex, description: 'Nothing was sent for this item.' });
	}
	return value as IDataObject;
}

function readTimestamp(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const { timestamp } = ctx.getNodeParameter('options', itemIndex, {}) as { timestamp?: unknown };
	if (timestamp === undefined || timestamp === null || timestamp === '') return undefined;
	const seconds = typeof timestamp === 'number' ? timestamp : /^\d+$/.test(String(timestamp)) ? Number(timestamp) : Date.parse(String(timestamp)) / 1000;
	if (!Number.isFinite(seconds)) throw new NodeOperationError(ctx.getNode(), `"Timestamp" is not a date: "${String(timestamp).slice(0, 40)}"`, { itemIndex });
	return Math.floor(seconds);
}

/**
 * Upload the input items as profiles or events, at most 1000 records a call. Every item gets its own result: the
 * records CleverTap lists as `unprocessed` are mapped back to their input items and become those items' errors.
 */
export function uploadOperation(resource: 'profile' | 'event'): CleverTapOperation {
	const dataName = resource === 'profile' ? 'profileData' : 'eventData';
	const dataLabel = resource === 'profile' ? 'Profile Data' : 'Event Data';
	const show = showFor(resource, 'upload');
	return {
		description: [
			{
				displayName: 'Identify By',
				name: 'identifyBy',
				type: 'options',
				options: [
					{ name: 'Identity', value: 'identity', description: 'Your own user ID, email or phone, as set in CleverTap' },
					{ name: 'Object ID', value: 'objectId', description: 'CleverTap\'s own ID of the user (CleverTap ID)' },
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
			...(resource === 'event' ? [eventNameProperty(resource, 'upload', 'The name of the event, e.g. Charged')] : []),
			{
				displayName: dataLabel,
				name: dataName,
				type: 'json',
				default: '{}',
				description: resource === 'profile' ? 'The profile properties to set, e.g. {{ $json.profile }}' : 'The event properties, e.g. {{ $json.order }}',
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
						displayName: 'Timestamp',
						name: 'timestamp',
						type: 'dateTime',
						default: '',
						description: resource === 'event' ? 'When the event happened; now when empty' : 'When the profile data was true; CleverTap uses the time of upload when empty',
					},
				],
			},
		],
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			const results: ItemResult[] = this.getInputData().map((_, i) => {
				try {
					const by = this.getNodeParameter('identifyBy', i, 'identity') as 'identity' | 'objectId';
					const record: IDataObject = { type: resource, [by]: requiredText(this, i, 'identifier', 'Identifier') };
					const ts = readTimestamp(this, i);
					if (resource === 'event') {
						record.evtName = requiredText(this, i, 'eventName', 'Event Name');
						record.evtData = readJsonObject(this, i, dataName, dataLabel);
						record.ts = ts ?? Math.floor(Date.now() / 1000);
					} else {
						record.profileData = readJsonObject(this, i, dataName, dataLabel);
						if (ts !== undefined) record.ts = ts;
					}
					return record;
				} catch (error) {
					return error as Error;
				}
			});
			// Without continueOnFail one bad item fails the run: fail it before anything is written.
			const bad = results.find((r) => r instanceof Error);
			if (bad && !this.continueOnFail()) throw bad;

			const ready = results.flatMap((r, i) => (r instanceof Error ? [] : [i]));
			const batches = Array.from({ length: Math.ceil(ready.length / MAX_UPLOAD_RECORDS) }, (_, b) => ready.slice(b * MAX_UPLOAD_RECORDS, (b + 1) * MAX_UPLOAD_RECORDS));
			const sent = 'The other records of this execution were sent. With "On Error: Continue" every refused item becomes its own error item.';
			await mapConcurrent(batches, UPLOAD_CALLS_IN_FLIGHT, async (itemIndexes) => {
				const records = itemIndexes.map((i) => results[i] as IDataObject);
				try {
					const { rejected, unmatched } = await ct.upload(records);
					itemIndexes.forEach((itemIndex, at) => {
						const refusal = rejected.get(at);
						if (refusal) {
							const code = refusal.code !== undefined ? ` (code ${String(refusal.code)})` : '';
							results[itemIndex] = new NodeApiError(this.getNode(), { status: 'fail', code: String(refusal.code ?? ''), error: refusal.error } as JsonObject, {
								message: redact(`CleverTap refused this record${code}: ${refusal.error}`, ct.secrets),
								description: `Fix the item's data and send it again. ${sent}`,
								itemIndex,
							});
						} else if (unmatched.length) {
							const said = [...new Set(unmatched.map((u) => u.error))].join('; ');
							results[itemIndex] = new NodeApiError(this.getNode(), { unmatched: unmatched.length } as JsonObject, {
								message: redact(`CleverTap refused ${unmatched.length} record(s) of this call without saying which: ${said}`, ct.secrets),
								description: `This item may or may not have been stored; send it again (an event would then be counted twice if it had been). ${sent}`,
								itemIndex,
							});
						} else {
							const { type, identity, objectId, evtName } = records[at];
							results[itemIndex] = { uploaded: true, type, ...(identity !== undefined ? { identity } : { objectId }), ...(evtName ? { evtName } : {}) };
						}
					});
				} catch (error) {
					// The whole call failed: no record of it is known to be stored, and each item says so.
					for (const itemIndex of itemIndexes) results[itemIndex] = ct.toNodeError(this, error, itemIndex);
				}
			});
			return toOutput(this, results);
		},
	};
}
