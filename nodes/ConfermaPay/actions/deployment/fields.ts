import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { showFor } from '../../../transport';

/** What the deployment operations share: the deployment id field, the status field, the timeout option and dates. */

export const deploymentIdProperty = (operation: string): INodeProperties => ({
	displayName: 'Deployment ID',
	name: 'deploymentId',
	type: 'string',
	required: true,
	default: '',
	description: 'The deployment\'s identifier, as Create and Get Many output it',
	displayOptions: showFor('deployment', operation),
});

/** A deployment's status, as a Get Many filter and an Amend field. */
export const statusField: INodeProperties = {
	displayName: 'Status',
	name: 'status',
	type: 'options',
	default: 'Active',
	options: [
		{ name: 'Active', value: 'Active' },
		{ name: 'Cancelled', value: 'Cancelled' },
		{ name: 'Suspended', value: 'Suspended' },
	],
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30000,
	description: 'Milliseconds to wait for Conferma\'s answer. When it runs out the request is not sent again (Conferma may have acted on it): look it up before retrying.',
};

export function deploymentId(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = String(ctx.getNodeParameter('deploymentId', itemIndex, '')).trim();
	if (!id) throw new NodeOperationError(ctx.getNode(), 'The Deployment ID is empty: map it from a previous node (the "id" field)', { itemIndex });
	return id;
}

/** Conferma takes dates as YYYY-MM-DD; n8n's date picker gives ISO date-times. */
export function confermaDate(ctx: IExecuteFunctions, value: unknown, field: string, itemIndex: number): string {
	const text = String(value ?? '').trim();
	const match = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(text);
	if (!match || Number.isNaN(Date.parse(match[1]))) {
		throw new NodeOperationError(ctx.getNode(), `${field} must be a date like 2026-01-31, not "${text.slice(0, 40)}"`, { itemIndex });
	}
	return match[1];
}

/** "Extra Fields (JSON)": anything Conferma takes that the node has no field for; the node's own fields win. */
export function extraFields(ctx: IExecuteFunctions, value: unknown, itemIndex: number): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `Extra Fields is not valid JSON: ${(error as Error).message}`, { itemIndex });
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(ctx.getNode(), 'Extra Fields must be a JSON object, e.g. {"travellers": [{"firstName": "Alex"}]}', { itemIndex });
	}
	return parsed as IDataObject;
}
