import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { sendBatches } from '../batches';
import { readEntry, subscriptionFields, updated } from './subscription';

export const description: INodeProperties[] = subscriptionFields('unsubscribe');

/**
 * POST /1/subscribe {d: [{type: "email" | "phone", value, status: "Unsubscribe"}]}, 1000 entries a call → one item per
 * input item {updated: true, channel, value, status}: no more messages to that email or phone, for any profile using it.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return sendBatches(this, ct, {
		noun: 'entry',
		build: (i) => readEntry(this, i, 'Unsubscribe'),
		send: (entries) => ct.batch('subscribe', '/1/subscribe', entries, { action: 'the Unsubscribe call', howToCheck: 'Setting the same status again is harmless: run these items again.' }),
		ok: updated,
	});
}
