import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { cursorOptions, eventNameProperty, optionsProperty, perItem, rangeProperties, readCursorOptions, readQuery, returnAllProperties } from '../common';

export const description: INodeProperties[] = [
	eventNameProperty('event', 'getAll', 'The event to download'),
	...rangeProperties('event', 'getAll'),
	...returnAllProperties('event', 'getAll'),
	optionsProperty('event', 'getAll', cursorOptions),
];

/**
 * POST /1/events.json?batch_size=N {event_name, from, to} → a cursor; GET /1/events.json?cursor=… page by page
 * until no next_cursor comes → one item per event record CleverTap gives (up to Limit).
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => ct.cursorList('events', readQuery(this, i), readCursorOptions(this, i)));
}
