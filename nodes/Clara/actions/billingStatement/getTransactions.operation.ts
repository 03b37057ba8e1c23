import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, listOptions, listProperties, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('billingStatement', 'getTransactions', 'Billing Statement'), ...listProperties('billingStatement', 'getTransactions', [])];

/** GET /v3/billing-statements/{uuid}/transactions → one item per transaction of that statement. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.list(`/v3/billing-statements/${uuidOf(this, i, 'Billing Statement')}/transactions`, {}, listOptions(this, i)));
}
