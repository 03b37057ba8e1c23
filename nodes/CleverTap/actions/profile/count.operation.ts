import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { eventNameProperty, maxWaitOption, optionsProperty, perItem, rangeProperties, readMaxWaitMs, readQuery } from '../common';

export const description: INodeProperties[] = [
	eventNameProperty('profile', 'count', 'Count the people who did this event in the date range'),
	...rangeProperties('profile', 'count'),
	optionsProperty('profile', 'count', [maxWaitOption]),
];

/**
 * POST /1/counts/profiles.json {event_name, from, to} → the count at once, or a req_id asked for again (GET ?req_id=)
 * until it is ready → one item {count, eventName, from, to}.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const query = readQuery(this, i);
		return { count: await ct.count('profiles', query, readMaxWaitMs(this, i)), ...query };
	});
}
