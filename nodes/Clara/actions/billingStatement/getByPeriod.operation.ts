import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { integer } from '../../../transport';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, showFor } from '../common';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const description: INodeProperties[] = [
	{
		displayName: 'Month',
		name: 'month',
		type: 'options',
		options: MONTHS.map((name, i) => ({ name, value: i + 1 })),
		default: 1,
		required: true,
		description: 'The month of the billing cycle. Choose from the list, or specify a number from 1 to 12 using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: showFor('billingStatement', 'getByPeriod'),
	},
	{
		displayName: 'Year',
		name: 'year',
		type: 'number',
		typeOptions: { minValue: 2000, maxValue: 2100, numberPrecision: 0 },
		default: 2025,
		required: true,
		description: 'The year of the billing cycle, e.g. 2025',
		displayOptions: showFor('billingStatement', 'getByPeriod'),
	},
];

/**
 * GET /v2/billing-statements/{month}/{year} → the statement of that cycle: month, year, status ("OPEN" or
 * "CLOSED"), statementUuid, totalAmount, currency, closingDate.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(
		this,
		clara,
		async (i) => {
			const month = integer(this.getNodeParameter('month', i), 'Month', { min: 1, max: 12, required: true });
			const year = integer(this.getNodeParameter('year', i), 'Year', { min: 2000, max: 2100, required: true });
			return clara.get(`/v2/billing-statements/${month}/${year}`);
		},
		ITEM_CONCURRENCY,
	);
}
