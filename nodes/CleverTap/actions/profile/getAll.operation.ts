import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { cursorOptions, eventNameProperty, optionsProperty, perItem, rangeProperties, readCursorOptions, readQuery, returnAllProperties } from '../common';

export const description: INodeProperties[] = [
	eventNameProperty('profile', 'getAll', 'Get the profiles of the people who did this event in the date range'),
	...rangeProperties('profile', 'getAll'),
	...returnAllProperties('profile', 'getAll'),
	optionsProperty('profile', 'getAll', cursorOptions),
];

/**
 * POST /1/profiles.json?batch_size=N {event_name, from, to} → a cursor; GET /1/profiles.json?cursor=… page by page
 * until no next_cursor comes → one item per profile record CleverTap gives (up to Limit).
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => ct.cursorList('profiles', readQuery(this, i), readCursorOptions(this, i)));
}
