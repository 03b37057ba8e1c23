import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { agentPermissionProperty, refuseInAgentRun } from '../../../transport';
import { campaignId, perItem, showFor } from '../common';

export const description: INodeProperties[] = [
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 1700000000',
		description: 'The campaign to stop, as Campaign Get Many or Create gives it. This cannot be undone: a stopped campaign does not resume.',
		displayOptions: showFor('campaign', 'stop'),
	},
	agentPermissionProperty('campaign', 'stop', 'stop a campaign (it cannot be resumed)'),
];

/** POST /1/targets/stop.json {id} → {status: "success"}; one already stopped answers success and nothing happens. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		refuseInAgentRun(this, i, 'stop a CleverTap campaign');
		const id = campaignId(this, i);
		const body = await ct.act('/1/targets/stop.json', { id }, {
			action: 'the Stop Campaign request',
			howToCheck: 'Running Stop again is safe: CleverTap answers success for a campaign that is already stopped and does nothing more. Campaign → Get Report shows its status.',
		});
		return { stopped: true, id, status: body.status ?? 'success' };
	});
}
