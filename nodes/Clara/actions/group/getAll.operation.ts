import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { eachItem, listOptions, listProperties } from '../common';

export const description = listProperties('group', 'getAll', []);

/** GET /v2/groups → one item per group. Clara answers a plain JSON array here (v2 only), which the shared list reader takes. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.list('/v2/groups', {}, listOptions(this, i)));
}
