import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { agentPermissionProperty, refuseInAgentRun } from '../../../transport';
import { perItem, showFor, text } from '../common';

const show = showFor('profile', 'delete');

export const description: INodeProperties[] = [
	{
		displayName: 'Delete By',
		name: 'deleteBy',
		type: 'options',
		options: [
			{ name: 'Identity', value: 'identity', description: 'Your own user ID, as set in CleverTap' },
			{ name: 'Object ID', value: 'guid', description: "CleverTap's own ID of the user (CleverTap ID)" },
		],
		default: 'identity',
		displayOptions: show,
	},
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.userId }}',
		description: 'The profile to erase, with all its events. This cannot be undone.',
		displayOptions: show,
	},
	agentPermissionProperty('profile', 'delete', 'erase a profile and all its events (it cannot be undone)'),
];

/**
 * POST /1/delete/profiles.json {identity | guid} → {status: "success"}: an erasure request (GDPR / LGPD), one
 * profile per input item. Sent once; if the answer is lost, the error says how to check.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		refuseInAgentRun(this, i, 'erase a CleverTap profile');
		const by = this.getNodeParameter('deleteBy', i, 'identity') as 'identity' | 'guid';
		const identifier = text(this, i, 'identifier', 'Identifier');
		const body = await ct.act('/1/delete/profiles.json', { [by]: identifier }, {
			action: 'the Delete Profile request',
			howToCheck: `Look the profile up with Profile → Get (Find By: ${by === 'identity' ? 'Identity' : 'Object ID'}): if CleverTap no longer finds it, it was deleted; if it still does, run the deletion again (deleting twice does no harm).`,
		});
		return { deleted: true, [by === 'identity' ? 'identity' : 'objectId']: identifier, status: body.status ?? 'success' };
	});
}
