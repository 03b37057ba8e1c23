import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { perItem, showFor, text } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Partner Name',
		name: 'partner',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. adjust',
		description: 'The partner name CleverTap whitelisted for you',
		displayOptions: showFor('partner', 'checkConnection'),
	},
];

/** GET /v1/connect?partner=: a partner verifies a customer's account id and passcode (seed 002). */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const partner = text(this, i, 'partner', 'Partner Name');
		const body = await ct.call('read', { method: 'GET', path: '/v1/connect', query: { partner } });
		return { authorised: body.status === 'success', partner, message: body.message ?? null };
	});
}
