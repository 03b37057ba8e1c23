import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('billingStatement', 'get', 'Billing Statement')];

/** GET /v3/billing-statements/{uuid} → the statement: uuid, statementStartDate, statementEndDate, currency, totalAmount, status, generatedAt. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v3/billing-statements/${uuidOf(this, i, 'Billing Statement')}`), ITEM_CONCURRENCY);
}
