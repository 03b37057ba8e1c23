import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { perItem, resultOf } from '../common';
import { campaignFields, readCampaign } from './fields';

export const description: INodeProperties[] = campaignFields('estimate');

/**
 * POST /1/targets/create.json with `estimate_only: true` → {status: "success", estimates}: how many users a campaign
 * would reach; CleverTap creates nothing, so it may be sent again. It shares Create's one request a second.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const campaign = readCampaign(this, i);
		const body = await ct.call('campaign', { method: 'POST', path: '/1/targets/create.json', json: { ...campaign, estimate_only: true }, idempotent: true });
		return { ...resultOf(body), name: campaign.name };
	});
}
