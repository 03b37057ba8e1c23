import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, listOptions, listProperties } from '../common';

export const description = listProperties('billingStatement', 'getAll', []);

/**
 * GET /v3/billing-statements → one item per statement. Clara documents this answer both as a plain JSON array and
 * as a Spring page; the shared list reader takes either.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.list('/v3/billing-statements', {}, listOptions(this, i)));
}
