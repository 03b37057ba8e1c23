import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InvalidInput, optionalText } from '../../../transport';
import type { CleverTap } from '../../transport';
import { eventNameProperty, maxWaitOption, optionsProperty, perItem, rangeProperties, readMaxWaitMs, readQuery, resultOf, showFor } from '../common';

const show = showFor('report', 'getTrends');

export const description: INodeProperties[] = [
	eventNameProperty('report', 'getTrends', 'The event whose trend to get'),
	...rangeProperties('report', 'getTrends'),
	{
		displayName: 'Trend Types',
		name: 'trendTypes',
		type: 'multiOptions',
		required: true,
		options: [
			{ name: 'Daily', value: 'daily' },
			{ name: 'Weekly', value: 'weekly' },
			{ name: 'Monthly', value: 'monthly' },
		],
		default: ['daily'],
		description: 'One series per type, keyed by the day, the first day of the week or the first day of the month',
		displayOptions: show,
	},
	optionsProperty('report', 'getTrends', [
		{ displayName: 'Count People', name: 'unique', type: 'boolean', default: false, description: 'Whether to count the people who did the event instead of the events' },
		{ displayName: 'Sum Event Property', name: 'sumEventProp', type: 'string', default: '', placeholder: 'e.g. Amount', description: 'Sum this numeric property of the events instead of counting them' },
		maxWaitOption,
	]),
];

/**
 * POST /1/counts/trends.json {event_name, from, to, groups: {daily: {trend_type: "daily"}, …}, unique?, sum_event_prop?}
 * → the result at once, or a req_id asked for again until it is ready. CleverTap takes at most one year.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const query = readQuery(this, i, { maxDays: 366 });
		const types = this.getNodeParameter('trendTypes', i, []) as string[];
		if (!Array.isArray(types) || types.length === 0) throw new InvalidInput('Trend Types', 'Trend Types is empty', 'Pick Daily, Weekly or Monthly.');
		const options = this.getNodeParameter('options', i, {}) as { unique?: boolean; sumEventProp?: unknown };
		const sum = optionalText(options.sumEventProp, 'Sum Event Property');
		const json: IDataObject = {
			event_name: query.eventName,
			from: query.from,
			to: query.to,
			groups: Object.fromEntries(types.map((t) => [t, { trend_type: t }])),
			...(options.unique ? { unique: true } : {}),
			...(sum ? { sum_event_prop: sum } : {}),
		};
		const body = await ct.computed('/1/counts/trends.json', json, 'trends', readMaxWaitMs(this, i));
		return { ...resultOf(body), eventName: query.eventName, from: query.from, to: query.to };
	});
}
