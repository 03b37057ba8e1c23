import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { DEFAULT_CONNECTIONS, returnAllProperties, runPerItem, showFor } from '../../transport';
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

/** Clara takes dates as YYYY-MM-DD; n8n's date picker gives ISO date-times. */
export function claraDate(value: unknown, field: string, ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value);
	const match = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(text);
	if (!match || Number.isNaN(Date.parse(match[1]))) {
		throw new NodeOperationError(ctx.getNode(), `Filter "${field}" must be a date like 2026-01-31, not "${text.slice(0, 40)}"`, { itemIndex });
	}
	return match[1];
}

const DATE_FILTERS = /DateRange(Start|End)$|^createdAt(Start|End)$/;

function requiredUuid(ctx: IExecuteFunctions, itemIndex: number): string {
	const uuid = String(ctx.getNodeParameter('uuid', itemIndex, '')).trim();
	if (!uuid) throw new NodeOperationError(ctx.getNode(), 'The UUID is empty: map it from a previous node or paste one', { itemIndex });
	return encodeURIComponent(uuid);
}

/** Get one object by uuid. */
export function getOperation(resource: string, label: string, path: (uuid: string) => string): ClaraOperation {
	return {
		description: [uuidProperty(resource, 'get', label)],
		async execute(this: IExecuteFunctions, clara: Clara) {
			return runPerItem(
				this,
				async (i) => {
					const uuid = requiredUuid(this, i);
					try {
						return await clara.get(path(uuid));
					} catch (error) {
						throw clara.toNodeError(this, error, i);
					}
				},
				{ concurrency: ITEM_CONCURRENCY },
			);
		},
	};
}

/** Get Many through Spring pages, with Return All + Limit and the resource's documented filters. */
export function getAllOperation(
	resource: string,
	path: string | ((ctx: IExecuteFunctions, itemIndex: number) => string),
	filters: INodeProperties[] = [],
	operation = 'getAll',
	extra: INodeProperties[] = [],
): ClaraOperation {
	return {
		description: [...extra, ...listProperties(resource, operation, filters)],
		async execute(this: IExecuteFunctions, clara: Clara) {
			return runPerItem(this, async (i) => {
				const returnAll = this.getNodeParameter('returnAll', i) as boolean;
				const limit = returnAll ? 0 : (this.getNodeParameter('limit', i) as number);
				const query: IDataObject = {};
				const given = filters.length ? (this.getNodeParameter('filters', i, {}) as IDataObject) : {};
				for (const [key, value] of Object.entries(given)) {
					query[key] = DATE_FILTERS.test(key) ? claraDate(value, key, this, i) : value;
				}
				const url = typeof path === 'string' ? path : path(this, i);
				try {
					return await clara.list(url, query, { returnAll, limit });
				} catch (error) {
					throw clara.toNodeError(this, error, i);
				}
			});
		},
	};
}

export const pathWithUuid = (template: (uuid: string) => string) => (ctx: IExecuteFunctions, itemIndex: number) =>
	template(requiredUuid(ctx, itemIndex));

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
// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- default is the first value, computed
export const optionsFilter = (displayName: string, name: string, values: Array<string | [string, string]>): INodeProperties => ({
	displayName,
	name,
	type: 'options',
	default: typeof values[0] === 'string' ? values[0] : values[0][0],
	options: values.map((v) =>
		typeof v === 'string' ? { name: v.charAt(0) + v.slice(1).toLowerCase().replace(/_/g, ' '), value: v } : { name: v[1], value: v[0] },
	),
});
