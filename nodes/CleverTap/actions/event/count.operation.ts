import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { eventNameProperty, maxWaitOption, optionsProperty, perItem, rangeProperties, readMaxWaitMs, readQuery } from '../common';

export const description: INodeProperties[] = [
	eventNameProperty('event', 'count', 'Count how many times this event happened in the date range'),
	...rangeProperties('event', 'count'),
	optionsProperty('event', 'count', [maxWaitOption]),
];

/**
 * POST /1/counts/events.json {event_name, from, to} → the count at once, or a req_id asked for again (GET ?req_id=)
 * until it is ready → one item {count, eventName, from, to}.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const query = readQuery(this, i);
		return { count: await ct.count('events', query, readMaxWaitMs(this, i)), ...query };
	});
}
