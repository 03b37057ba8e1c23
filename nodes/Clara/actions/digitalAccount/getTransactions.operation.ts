import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { dateFilter, eachItem, listOptions, listProperties, onlyIn, readFilters } from '../common';

const filters: INodeProperties[] = [
	dateFilter('From', 'startDate'),
	dateFilter('To', 'endDate'),
	{
		displayName: 'Type',
		name: 'transactionTypeName',
		type: 'options',
		options: [
			{ name: 'Bill Payment', value: 'BILL' },
			{ name: 'Card Transaction', value: 'TRANSACTION' },
			{ name: 'PIX', value: 'PIX' },
			{ name: 'TED', value: 'TED' },
		],
		default: 'PIX',
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'options',
		options: [
			{ name: 'Newest First', value: 'transactionDate,DESC' },
			{ name: 'Oldest First', value: 'transactionDate,ASC' },
		],
		default: 'transactionDate,DESC',
	},
];

export const description = listProperties('digitalAccount', 'getTransactions', filters);

/**
 * GET /v3/digital-accounts (Brazil only) → one item per movement of the company's Clara digital account: id,
 * transactionDate, amount, method (PIX, TED…), type, source and beneficiary. Clara answers plain JSON arrays
 * without totals; the shared list reader pages until a short page.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => {
		onlyIn(clara, 'br', 'Digital account transactions');
		return clara.list('/v3/digital-accounts', readFilters(this, i, filters), listOptions(this, i));
	});
}
