import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('group', 'get', 'Group')];

/** GET /v2/groups/{uuid} → the group: uuid, name, description, status. (Clara serves groups on v2 only.) */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v2/groups/${uuidOf(this, i, 'Group')}`), ITEM_CONCURRENCY);
}
