import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { confermaDate, deploymentId, deploymentIdProperty, extraFields, statusField, timeoutOption } from './fields';

const show = showFor('deployment', 'amend');

export const description: INodeProperties[] = [
	deploymentIdProperty('amend'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Amount', name: 'amount', type: 'number', typeOptions: { numberPrecision: 2, minValue: 0 }, default: 0 },
			{ displayName: 'Consumer Reference', name: 'consumerReference', type: 'string', default: '' },
			{ displayName: 'Currency Code', name: 'currencyCode', type: 'string', default: '', placeholder: 'e.g. GBP' },
			{ displayName: 'Extra Fields (JSON)', name: 'extraFields', type: 'json', default: '{}', description: 'Any other deployment fields to change; the fields above win' },
			{ displayName: 'Spend Type', name: 'spendType', type: 'string', default: '' },
			statusField,
			{ displayName: 'Supplier Reference', name: 'supplierReference', type: 'string', default: '' },
			{ displayName: 'Valid From', name: 'startDate', type: 'dateTime', default: '', description: 'Sent as YYYY-MM-DD' },
			{ displayName: 'Valid To', name: 'endDate', type: 'dateTime', default: '', description: 'Sent as YYYY-MM-DD' },
		],
	},
	{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show, options: [timeoutOption] },
];

const READ_ONLY = ['id', 'card', 'createdAt', 'amendedAt'];

/**
 * The deployment as it is now, with the changes applied, sent whole: correct whether Conferma's PUT replaces the
 * deployment or merges into it (not published). Costs one read, which is safe to retry.
 */
function amended(ctx: IExecuteFunctions, current: IDataObject, changes: IDataObject, i: number): IDataObject {
	const out: IDataObject = { ...current, ...extraFields(ctx, changes.extraFields, i) };
	for (const field of READ_ONLY) delete out[field];
	const amount = (out.deploymentAmount ?? {}) as IDataObject;
	const range = (out.paymentRange ?? {}) as IDataObject;
	if (changes.amount !== undefined) out.deploymentAmount = { ...amount, amount: changes.amount };
	if (changes.currencyCode) out.deploymentAmount = { ...((out.deploymentAmount as IDataObject) ?? amount), currencyCode: String(changes.currencyCode).trim().toUpperCase() };
	if (changes.startDate) out.paymentRange = { ...range, startDate: confermaDate(ctx, changes.startDate, 'Valid From', i) };
	if (changes.endDate) out.paymentRange = { ...((out.paymentRange as IDataObject) ?? range), endDate: confermaDate(ctx, changes.endDate, 'Valid To', i) };
	for (const field of ['status', 'consumerReference', 'supplierReference', 'spendType']) {
		if (changes[field] !== undefined && changes[field] !== '') out[field] = changes[field];
	}
	return out;
}

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(
		this,
		async (i) => {
			const id = deploymentId(this, i);
			const changes = this.getNodeParameter('updateFields', i, {}) as IDataObject;
			const { timeout } = this.getNodeParameter('options', i, {}) as { timeout?: number };
			const meaningful = Object.keys(changes).filter((k) => k !== 'extraFields' || Object.keys(extraFields(this, changes.extraFields, i)).length);
			if (!meaningful.length) throw new NodeOperationError(this.getNode(), 'Nothing to amend: add at least one Update Field', { itemIndex: i });
			try {
				const current = await conferma.get(id);
				return await conferma.amend(id, amended(this, current, changes, i), timeout);
			} catch (error) {
				throw conferma.toNodeError(this, error, i);
			}
		},
		{ concurrency: 4 },
	);
}
