import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { listUnder, perItem, rangeProperties, readLimit, readRange, returnAllProperties } from '../common';

export const description: INodeProperties[] = [...rangeProperties('campaign', 'getAll'), ...returnAllProperties('campaign', 'getAll')];

/**
 * POST /1/targets/list.json {from, to} → {targets: [...]}: the campaigns (dashboard and API) scheduled to start in the
 * range → one item per campaign, up to Limit.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const range = readRange(this, i);
		const limit = readLimit(this, i);
		return listUnder(await ct.query('/1/targets/list.json', range), 'targets').slice(0, limit);
	});
}
