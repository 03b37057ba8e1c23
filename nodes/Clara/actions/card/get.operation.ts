import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('card', 'get', 'Card')];

/** GET /v3/cards/{uuid} → the card: uuid, claraStatus, status, lockCode ("UNLOCKED", …), alias, threshold, periodicity, maskedPan, type, user. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.get(`/v3/cards/${uuidOf(this, i, 'Card')}`), ITEM_CONCURRENCY);
}
