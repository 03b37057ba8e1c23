import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { calendarDateCompact, dateRange, describeShape, integer, InvalidInput, itemParameter, tried, requiredText, runPerItem, showFor, shown, TransportError } from '../../transport';
import { LIMITS, type CleverTap } from '../transport';

/** Every operation file exports this pair; the router calls `execute` with the credential's CleverTap client. */
export interface CleverTapOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, ct: CleverTap): Promise<INodeExecutionData[]>;
}

export { operationProperty, returnAllProperties, showFor } from '../../transport';

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
// Fields

const dateProperty = (resource: string, operation: string, displayName: string, name: string): INodeProperties => ({
	displayName,
	name,
	type: 'dateTime',
	required: true,
	default: '',
	description: 'Sent to CleverTap as YYYYMMDD; 20260131 is accepted too',
	displayOptions: showFor(resource, operation),
});

/** From Date and To Date. */
export const rangeProperties = (resource: string, operation: string) => [dateProperty(resource, operation, 'From Date', 'from'), dateProperty(resource, operation, 'To Date', 'to')];

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

/** The Options collection of one operation. */
export const optionsProperty = (resource: string, operation: string, options: INodeProperties[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showFor(resource, operation),
	options,
});

/** The options of a cursor read (Get Many of profiles or events). */
export const cursorOptions: INodeProperties[] = [
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 5000 },
		default: 1000,
		description: 'Records per page CleverTap prepares (at most 5000)',
	},
	maxWaitOption,
];

// ---------------------------------------------------------------------------------------------------------------
// Reading one item's parameters

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

/** Event name and date range: what the cursor flow and counts ask about. */
export function readQuery(ctx: IExecuteFunctions, itemIndex: number, options: { maxDays?: number } = {}) {
	return { eventName: text(ctx, itemIndex, 'eventName', 'Event Name'), ...readRange(ctx, itemIndex, options) };
}

/** Return All, or Limit: how many items to give. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number) {
	return ctx.getNodeParameter('returnAll', itemIndex) ? Infinity : integer(ctx.getNodeParameter('limit', itemIndex, 50), 'Limit', { min: 1, required: true })!;
}

export function readMaxWaitMs(ctx: IExecuteFunctions, itemIndex: number) {
	const { maxWaitSeconds } = ctx.getNodeParameter('options', itemIndex, {}) as { maxWaitSeconds?: unknown };
	return (integer(maxWaitSeconds, 'Wait Up To (Seconds)', { min: 1, max: 3600 }) ?? 300) * 1000;
}

/** Limit, Batch Size and Wait Up To of a cursor read. */
export function readCursorOptions(ctx: IExecuteFunctions, itemIndex: number) {
	const { batchSize } = ctx.getNodeParameter('options', itemIndex, {}) as { batchSize?: unknown };
	return { limit: readLimit(ctx, itemIndex), batchSize: integer(batchSize, 'Batch Size', { min: 1, max: 5000 }) ?? 1000, maxWaitMs: readMaxWaitMs(ctx, itemIndex) };
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

// ---------------------------------------------------------------------------------------------------------------
// Reading CleverTap's answers

/** What an answer (a report, a campaign) holds, without CleverTap's bookkeeping; one without "success" is an error. */
export function resultOf(body: IDataObject): IDataObject {
	if (body.status !== 'success') throw new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a result`);
	const { status: _status, req_id: _reqId, ...rest } = body;
	return rest;
}

/** The list under `key` (campaigns, message reports); anything else is an error naming what came, never 0 items. */
export function listUnder(body: IDataObject, key: string): IDataObject[] {
	if (!Array.isArray(body[key])) throw new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a list under "${key}"`);
	return body[key] as IDataObject[];
}
