import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { campaignId, perItem, showFor } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 1700000000',
		description: 'The ID of the campaign, as Campaign Get Many gives it',
		displayOptions: showFor('campaign', 'getReport'),
	},
];

/** POST /1/targets/result.json {id} → {result: {...}}. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const body = await ct.query('/1/targets/result.json', { id: campaignId(this, i) });
		return (body.result && typeof body.result === 'object' ? body.result : body) as IDataObject;
	});
}
