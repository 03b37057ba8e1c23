import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { agentPermissionProperty, InvalidInput, refuseInAgentRun, requiredText, shown } from '../../../transport';
import type { CleverTap } from '../../transport';
import { perItem, showFor } from '../common';

/** CleverTap takes at most this many identities in one demerge. */
const MAX_IDENTITIES = 100;

export const description: INodeProperties[] = [
	{
		displayName: 'Identities',
		name: 'identities',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. client-19827239, ana@example.com',
		description:
			'The identities that were merged into one profile and should each get their own again: separated by commas, or a list from an expression (at most 100). Event data of the profile may be lost; this cannot be undone.',
		displayOptions: showFor('profile', 'demerge'),
	},
	agentPermissionProperty('profile', 'demerge', 'split merged profiles (it cannot be undone)'),
];

function readIdentities(value: unknown): string[] {
	const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').filter((v) => v.trim()) : [requiredText(value, 'Identities')];
	const identities = list.map((v) => requiredText(v, 'Identities'));
	if (identities.length === 0) throw new InvalidInput('Identities', 'Identities is empty', 'Give the identities to demerge, separated by commas.');
	if (identities.length > MAX_IDENTITIES) {
		throw new InvalidInput('Identities', `Identities has ${identities.length} values; CleverTap takes at most ${MAX_IDENTITIES} in one demerge`, 'Split them over several items.');
	}
	const twice = identities.find((v, i) => identities.indexOf(v) !== i);
	if (twice) throw new InvalidInput('Identities', `Identities names ${shown(twice)} twice`, 'Give each identity once.');
	return identities;
}

/** POST /1/demerge/profiles.json {identities: [...]} → {status: "success"}. Sent once. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		refuseInAgentRun(this, i, 'demerge CleverTap profiles');
		const raw = this.getNodeParameter('identities', i, '');
		const identities = readIdentities(typeof raw === 'string' && !raw.trim() ? undefined : raw);
		const body = await ct.act('/1/demerge/profiles.json', { identities }, {
			action: 'the Demerge Profiles request',
			howToCheck: 'Look each identity up with Profile → Get: if each one has its own profile, the demerge took effect. Check that before sending it again.',
		});
		return { demerged: true, identities, status: body.status ?? 'success' };
	});
}
