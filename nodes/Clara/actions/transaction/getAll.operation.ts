import { dateFilter, getAllOperation, optionsFilter, stringFilter, TRANSACTION_STATUSES } from '../common';

export const { description, execute } = getAllOperation('transaction', '/v3/transactions', [
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
]);
