import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { integer, InvalidInput, requiredText } from '../../../transport';
import type { CleverTap } from '../../transport';
import { eventNameProperty, maxWaitOption, optionsProperty, perItem, rangeProperties, readMaxWaitMs, readQuery, resultOf, showFor } from '../common';

const show = showFor('report', 'getTopCounts');

export const description: INodeProperties[] = [
	eventNameProperty('report', 'getTopCounts', 'The event whose most (or least) frequent property values to count'),
	...rangeProperties('report', 'getTopCounts'),
	{
		displayName: 'Properties',
		name: 'groups',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		required: true,
		default: {},
		placeholder: 'Add Property',
		displayOptions: show,
		options: [
			{
				displayName: 'Property',
				name: 'group',
				values: [
					{
						displayName: 'Property Type',
						name: 'propertyType',
						type: 'options',
						options: [
							{ name: 'App Field', value: 'app_fields' },
							{ name: 'Demographic', value: 'demographics' },
							{ name: 'Event Property', value: 'event_properties' },
							{ name: 'Geo Field', value: 'geo_fields' },
							{ name: 'Profile Field', value: 'profile_fields' },
							{ name: 'Reachability', value: 'reachability' },
							{ name: 'Session Property', value: 'session_properties' },
							{ name: 'Technographic', value: 'technographics' },
						],
						default: 'event_properties',
					},
					{ displayName: 'Property Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Amount', description: 'The property whose values to count' },
					{ displayName: 'Top N', name: 'topN', type: 'number', typeOptions: { minValue: 1, maxValue: 100 }, default: 10, description: 'How many values to return (1 to 100)' },
					{
						displayName: 'Order',
						name: 'order',
						type: 'options',
						options: [
							{ name: 'Most Frequent First', value: 'desc' },
							{ name: 'Least Frequent First', value: 'asc' },
						],
						default: 'desc',
					},
				],
			},
		],
	},
	optionsProperty('report', 'getTopCounts', [maxWaitOption]),
];

/**
 * POST /1/counts/top.json {event_name, from, to, groups: {<property name>: {property_type, name, top_n, order}}} →
 * the result at once, or a req_id asked for again until it is ready. One output item with CleverTap's counts.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const query = readQuery(this, i);
		const rows = ((this.getNodeParameter('groups', i, {}) as { group?: IDataObject[] }).group ?? []) as IDataObject[];
		if (rows.length === 0) throw new InvalidInput('Properties', 'Properties is empty', 'Add at least one property whose values to count.');
		const groups: IDataObject = {};
		for (const row of rows) {
			const name = requiredText(row.name, 'Property Name');
			if (groups[name]) throw new InvalidInput('Properties', `Property ${name} is listed twice`, 'List each property once.');
			groups[name] = { property_type: row.propertyType, name, top_n: integer(row.topN, 'Top N', { min: 1, max: 100 }) ?? 10, order: row.order === 'asc' ? 'asc' : 'desc' };
		}
		const body = await ct.computed('/1/counts/top.json', { event_name: query.eventName, from: query.from, to: query.to, groups }, 'top counts', readMaxWaitMs(this, i));
		return { ...resultOf(body), eventName: query.eventName, from: query.from, to: query.to };
	});
}
