import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as getRealTimeCounts from './getRealTimeCounts.operation';
import * as getTopCounts from './getTopCounts.operation';
import * as getTrends from './getTrends.operation';

export { getRealTimeCounts, getTopCounts, getTrends };

export const description: INodeProperties[] = [
	operationProperty('report', [
		{ name: 'Get Real-Time Counts', value: 'getRealTimeCounts', action: 'Get real time counts', description: 'How many users are active in the app right now (the last five minutes)' },
		{ name: 'Get Top Property Counts', value: 'getTopCounts', action: 'Get top property counts', description: 'The most or least frequent values of event or profile properties, for one event in a date range' },
		{ name: 'Get Trends', value: 'getTrends', action: 'Get trends', description: 'Daily, weekly or monthly counts of one event in a date range (at most a year)' },
	]),
	...getRealTimeCounts.description,
	...getTopCounts.description,
	...getTrends.description,
];
