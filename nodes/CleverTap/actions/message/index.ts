import type { INodeProperties } from 'n8n-workflow';
import * as getReport from './getReport.operation';

export { getReport };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [{ name: 'Get Report', value: 'getReport', action: 'Get a message report', description: 'Get what was sent in a date range, per campaign and channel' }],
		default: 'getReport',
	},
	...getReport.description,
];
