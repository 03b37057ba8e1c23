import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('transaction', 'get', 'Transaction')];

/** GET /v3/transactions/{uuid} → the transaction: uuid, type, status, amountValue, merchant, card, user, billingStatement… */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v3/transactions/${uuidOf(this, i, 'Transaction')}`), ITEM_CONCURRENCY);
}
