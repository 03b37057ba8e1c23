import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { returnAllProperties, runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { confermaDate, statusField } from './fields';

export const description: INodeProperties[] = [
	...returnAllProperties('deployment', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showFor('deployment', 'getAll'),
		options: [
			{ displayName: 'Client Account Code', name: 'clientAccountCode', type: 'string', default: '', description: 'The value of the client account code, e.g. ACME-1' },
			{ displayName: 'Consumer Reference', name: 'consumerReference', type: 'string', default: '', description: 'Your own reference for the payment, e.g. a booking number' },
			{ displayName: 'Created From', name: 'fromDate', type: 'dateTime', default: '', description: 'Sent to Conferma as YYYY-MM-DD' },
			{ displayName: 'Created To', name: 'toDate', type: 'dateTime', default: '', description: 'Sent to Conferma as YYYY-MM-DD (inclusive)' },
			statusField,
		],
	},
];

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(this, async (i) => {
		const returnAll = this.getNodeParameter('returnAll', i) as boolean;
		const limit = returnAll ? 0 : (this.getNodeParameter('limit', i) as number);
		const filters: IDataObject = {};
		for (const [key, value] of Object.entries(this.getNodeParameter('filters', i, {}) as IDataObject)) {
			if (value === '' || value === undefined) continue;
			filters[key] = key === 'fromDate' || key === 'toDate' ? confermaDate(this, value, key === 'fromDate' ? 'Created From' : 'Created To', i) : value;
		}
		try {
			return await conferma.list(filters, { returnAll, limit });
		} catch (error) {
			throw conferma.toNodeError(this, error, i);
		}
	});
}
