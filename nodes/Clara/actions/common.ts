import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { calendarDate, dateRange, DEFAULT_CONNECTIONS, integer, InvalidInput, itemParameter, optionalText, pathSegment, returnAllProperties, runPerItem, showFor } from '../../transport';
import type { Clara } from '../transport';

/** Every operation file exports this pair; the router calls `execute` with the credential's Clara client. */
export interface ClaraOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]>;
}

/** Items processed at once: they share the pooled mTLS connections, so this costs no extra handshakes. */
export const ITEM_CONCURRENCY = DEFAULT_CONNECTIONS;

// The description pieces every service shares live in the transport; re-exported for the operation files.
export { operationProperty, showFor } from '../../transport';

/**
 * Run `handler` for every input item: its output, or one error item saying what to do (Clara's answers, bad input
 * found before sending, transport failures all go through the one error mapping, secrets removed).
 */
export function eachItem(
	ctx: IExecuteFunctions,
	clara: Clara,
	handler: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
	concurrency?: number,
): Promise<INodeExecutionData[]> {
	return runPerItem(
		ctx,
		async (i) => {
			try {
				return await handler(i);
			} catch (error) {
				throw clara.toNodeError(ctx, error, i);
			}
		},
		{ concurrency },
	);
}

export function uuidProperty(resource: string, operation: string, label: string): INodeProperties {
	return {
		displayName: `${label} UUID`,
		name: 'uuid',
		type: 'string',
		required: true,
		default: '',
		description: `The UUID of the ${label.toLowerCase()}`,
		displayOptions: showFor(resource, operation),
	};
}

/**
 * The item's UUID, ready for the URL path. Exactly one path segment: `..` or `a/b` would make Clara answer for
 * another endpoint (a statement id of `..` would list every statement's transactions as if they were this one's).
 */
export function uuidOf(ctx: IExecuteFunctions, itemIndex: number, label: string): string {
	return pathSegment(itemParameter(ctx, 'uuid', itemIndex), `${label} UUID`);
}

export function listProperties(resource: string, operation: string, filters: INodeProperties[]): INodeProperties[] {
	const props: INodeProperties[] = returnAllProperties(resource, operation);
	if (filters.length) {
		props.push({
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: filters,
			displayOptions: showFor(resource, operation),
		});
	}
	return props;
}

/** Return All, or the Limit as a whole number of at least 1 (an expression can give 2.5, -1 or text). */
export function listOptions(ctx: IExecuteFunctions, itemIndex: number): { returnAll: boolean; limit: number } {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) === true;
	const limit = returnAll ? 0 : integer(ctx.getNodeParameter('limit', itemIndex, 50), 'Limit', { min: 1, required: true })!;
	return { returnAll, limit };
}

/** `operationDateRangeStart` ↔ `operationDateRangeEnd`, `startDate` ↔ `endDate`: the end of a start filter. */
const endOf = (name: string) => (name === 'startDate' ? 'endDate' : name.endsWith('Start') ? `${name.slice(0, -5)}End` : undefined);

/**
 * The Filters collection as Clara's query: dates as strict YYYY-MM-DD (no rolled-over Feb 30, a range may not end
 * before it starts), text trimmed, empty filters dropped. Messages name the filter as the user sees it.
 */
export function readFilters(ctx: IExecuteFunctions, itemIndex: number, filters: INodeProperties[]): IDataObject {
	const given = filters.length ? (ctx.getNodeParameter('filters', itemIndex, {}) as IDataObject) : {};
	const query: IDataObject = {};
	for (const [name, value] of Object.entries(given)) {
		const field = filters.find((f) => f.name === name);
		const label = field?.displayName ?? name;
		const read = field?.type === 'dateTime' ? calendarDate(value, label) : typeof value === 'boolean' ? value : optionalText(value, label);
		if (read !== undefined) query[name] = read;
	}
	for (const start of filters) {
		const end = endOf(start.name) && filters.find((f) => f.name === endOf(start.name));
		if (end) dateRange(query[start.name] as string | undefined, query[end.name] as string | undefined, [start.displayName, end.displayName]);
	}
	return query;
}

// Filter fields shared by more than one resource.
export const dateFilter = (displayName: string, name: string): INodeProperties => ({
	displayName,
	name,
	type: 'dateTime',
	default: '',
	description: 'Sent to Clara as YYYY-MM-DD',
});
export const stringFilter = (displayName: string, name: string, description?: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	...(description ? { description } : {}),
});
/** Clara's transaction statuses, for the node's filter and the trigger's. */
export const TRANSACTION_STATUSES = ['NOTIFICATION', 'PRE_AUTHORIZED', 'AUTHORIZED', 'REJECTED', 'SYSTEM_TRANSACTION'];

/**
 * A choice of Clara's values. An ENUM_VALUE reads as "Enum value"; anything else (like a sort, `operationDate,DESC`)
 * is given as `[value, label]`, so that no raw value is shown as a label.
 */
export const optionsFilter = (displayName: string, name: string, values: Array<string | [string, string]>): INodeProperties => {
	const first = typeof values[0] === 'string' ? values[0] : values[0][0];
	return {
		displayName,
		name,
		type: 'options',
		default: first,
		options: values.map((v) =>
			typeof v === 'string' ? { name: v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, ' '), value: v } : { name: v[1], value: v[0] },
		),
	};
};

const COUNTRY_NAMES = { mx: 'Mexico', co: 'Colombia', br: 'Brazil' } as const;

/** Some Clara endpoints exist in one country only (developers.clara.team/country-features): refused before sending. */
export function onlyIn(clara: Clara, country: keyof typeof COUNTRY_NAMES, what: string): void {
	const mine = clara.credentials.country;
	if (mine !== country) {
		throw new InvalidInput(
			'Country',
			`${what}: Clara offers these only in ${COUNTRY_NAMES[country]}, and this credential's Country is ${COUNTRY_NAMES[mine] ?? mine}`,
			`Use a Clara credential whose Country is ${COUNTRY_NAMES[country]}; nothing was sent to Clara.`,
		);
	}
}

/**
 * The Card Last Digits filter: exactly four digits. What was typed is not repeated in the message: it may be a
 * whole card number pasted by mistake.
 */
export function cardLastDigits(query: IDataObject, label = 'Card Last Digits'): void {
	if (query.cardLastDigits !== undefined && !/^\d{4}$/.test(String(query.cardLastDigits))) {
		throw new InvalidInput(label, `${label} must be exactly the last 4 digits of the card, like 4321`, 'Type only the four digits printed last on the card; nothing was sent to Clara.');
	}
}
