import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { cardLastDigits, dateFilter, eachItem, listOptions, listProperties, optionsFilter, readFilters, stringFilter, TRANSACTION_STATUSES } from '../common';

const filters = [
	dateFilter('Operation Date From', 'operationDateRangeStart'),
	dateFilter('Operation Date To', 'operationDateRangeEnd'),
	dateFilter('Accounting Date From', 'accountingDateRangeStart'),
	dateFilter('Accounting Date To', 'accountingDateRangeEnd'),
	stringFilter('Card Last Digits', 'cardLastDigits', 'The last four digits of the card'),
	optionsFilter('Status', 'status', TRANSACTION_STATUSES),
	optionsFilter('Sort', 'sort', [
		['operationDate,DESC', 'Operation Date, Newest First'],
		['operationDate,ASC', 'Operation Date, Oldest First'],
		['accountingDate,DESC', 'Accounting Date, Newest First'],
		['accountingDate,ASC', 'Accounting Date, Oldest First'],
	]),
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
