import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { listUnder, perItem, rangeProperties, readLimit, readRange, returnAllProperties } from '../common';

export const description: INodeProperties[] = [...rangeProperties('message', 'getReport'), ...returnAllProperties('message', 'getReport')];

/** POST /1/message/report.json {from, to} → {messages: [...]}: what was sent, per campaign and channel → one item per message row, up to Limit. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const range = readRange(this, i);
		const limit = readLimit(this, i);
		return listUnder(await ct.query('/1/message/report.json', range), 'messages').slice(0, limit);
	});
}
