import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { perItem, resultOf, showFor } from '../common';

const SPLITS = [
	{ name: 'user_type', displayName: 'By User Type', description: 'Whether to split the count into new and returning users' },
	{ name: 'session_source', displayName: 'By Session Source', description: 'Whether to split the count by where the session came from' },
	{ name: 'browser', displayName: 'By Browser', description: 'Whether to split the count by browser' },
	{ name: 'os', displayName: 'By OS', description: 'Whether to split the count by operating system' },
	{ name: 'device', displayName: 'By Device', description: 'Whether to split the count by device type' },
];

export const description: INodeProperties[] = [
	{
		displayName: 'Split',
		name: 'split',
		type: 'collection',
		placeholder: 'Add Split',
		default: {},
		displayOptions: showFor('report', 'getRealTimeCounts'),
		options: SPLITS.map((s) => ({ ...s, type: 'boolean' as const, default: true })),
	},
];

/** POST /1/now.json {user_type?, session_source?, browser?, os?, device?} → the users active in the last five minutes. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const split = this.getNodeParameter('split', i, {}) as Record<string, boolean>;
		const json: IDataObject = Object.fromEntries(SPLITS.filter((s) => split[s.name] === true).map((s) => [s.name, true]));
		return resultOf(await ct.query('/1/now.json', json));
	});
}
