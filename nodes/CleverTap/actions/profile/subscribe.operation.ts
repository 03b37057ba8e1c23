import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { sendBatches } from '../batches';
import { readEntry, subscriptionFields, updated } from './subscription';

export const description: INodeProperties[] = subscriptionFields('subscribe');

/**
 * POST /1/subscribe {d: [{type: "email" | "phone", value, status: "Resubscribe"}]}, 1000 entries a call → one item per
 * input item {updated: true, channel, value, status}: the email or phone may be messaged again, for every profile
 * that shares it.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return sendBatches(this, ct, {
		noun: 'entry',
		build: (i) => readEntry(this, i, 'Resubscribe'),
		send: (entries) => ct.batch('subscribe', '/1/subscribe', entries, { action: 'the Subscribe call', howToCheck: 'Setting the same status again is harmless: run these items again.' }),
		ok: updated,
	});
}
