import { getAllOperation, pathWithUuid, uuidProperty } from '../common';

export const { description, execute } = getAllOperation(
	'billingStatement',
	pathWithUuid((uuid) => `/v3/billing-statements/${uuid}/transactions`),
	[],
	'getTransactions',
	[uuidProperty('billingStatement', 'getTransactions', 'Billing Statement')],
);
