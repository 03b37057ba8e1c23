import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('location', 'get', 'Location')];

/** GET /v2/locations/{uuid} → the location: uuid, name, code, status, createdAt. (Clara serves locations on v2 only.) */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v2/locations/${uuidOf(this, i, 'Location')}`), ITEM_CONCURRENCY);
}
