import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { cardLastDigits, dateFilter, eachItem, listOptions, listProperties, optionsFilter, readFilters, stringFilter } from '../common';

const filters = [
	dateFilter('Operation Date From', 'operationDateRangeStart'),
	dateFilter('Operation Date To', 'operationDateRangeEnd'),
	dateFilter('Accounting Date From', 'accountingDateRangeStart'),
	dateFilter('Accounting Date To', 'accountingDateRangeEnd'),
	stringFilter('Card Last Digits', 'cardLastDigits', 'The last four digits of the card'),
	optionsFilter('Status', 'status', ['NOTIFICATION', 'PRE_AUTHORIZED', 'AUTHORIZED', 'REJECTED', 'SYSTEM_TRANSACTION']),
	optionsFilter('Sort', 'sort', ['operationDate,DESC', 'operationDate,ASC', 'accountingDate,DESC', 'accountingDate,ASC']),
];

export const description = listProperties('transaction', 'getAll', filters);

/** GET /v3/transactions (Spring pages of up to 100) → one item per transaction matching the filters. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => {
		const query = readFilters(this, i, filters);
		cardLastDigits(query);
		return clara.list('/v3/transactions', query, listOptions(this, i));
	});
}
