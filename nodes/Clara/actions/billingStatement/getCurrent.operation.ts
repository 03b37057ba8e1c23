import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem } from '../common';

export const description = [];

/**
 * GET /v2/billing-statements/current → the statement of the open cycle: month, year, status ("OPEN"),
 * statementUuid, totalAmount, currency, closingDate. Its amounts change until the cycle closes.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async () => clara.get('/v2/billing-statements/current'));
}
