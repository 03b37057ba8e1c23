import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { calendarDate, dateRange, optionalText, returnAllProperties, runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { listOptions, statusField } from './fields';

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
			{ displayName: 'Client Account Code', name: 'clientAccountCode', type: 'string', default: '', description: 'The Client ID or Client Account Code of the card pool, e.g. 1234' },
			{ displayName: 'Consumer Reference', name: 'consumerReference', type: 'string', default: '', description: 'Your own reference for the payment, e.g. a booking number' },
			{ displayName: 'Created From', name: 'fromDate', type: 'dateTime', default: '', description: 'Sent to Conferma as YYYY-MM-DD' },
			{ displayName: 'Created To', name: 'toDate', type: 'dateTime', default: '', description: 'Sent to Conferma as YYYY-MM-DD (inclusive)' },
			statusField,
		],
	},
];

const TEXT_FILTERS = { clientAccountCode: 'Client Account Code', consumerReference: 'Consumer Reference', status: 'Status' };

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(this, async (i) => {
		const options = listOptions(this, i);
		const given = this.getNodeParameter('filters', i, {}) as IDataObject;
		const filters: IDataObject = {};
		for (const [key, label] of Object.entries(TEXT_FILTERS)) {
			const value = optionalText(given[key], label);
			if (value !== undefined) filters[key] = value;
		}
		const fromDate = calendarDate(given.fromDate, 'Created From');
		const toDate = calendarDate(given.toDate, 'Created To');
		dateRange(fromDate, toDate, ['Created From', 'Created To']);
		if (fromDate) filters.fromDate = fromDate;
		if (toDate) filters.toDate = toDate;
		try {
			return await conferma.list(filters, options);
		} catch (error) {
			throw conferma.toNodeError(this, error, i);
		}
	});
}
