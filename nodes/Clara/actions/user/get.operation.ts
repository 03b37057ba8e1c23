import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('user', 'get', 'User')];

/** GET /v3/users/{uuid} → the user: uuid, email, fullName, status, role… */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v3/users/${uuidOf(this, i, 'User')}`), ITEM_CONCURRENCY);
}
