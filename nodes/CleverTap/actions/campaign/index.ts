import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as getAll from './getAll.operation';
import * as getReport from './getReport.operation';

export { getAll, getReport };

export const description: INodeProperties[] = [
	operationProperty('campaign', [
		{ name: 'Get Many', value: 'getAll', action: 'Get many campaigns', description: 'List the campaigns scheduled in a date range' },
		{ name: 'Get Report', value: 'getReport', action: 'Get a campaign report', description: 'Get the results of one campaign (sent, viewed, clicked)' },
	]),
	...getAll.description,
	...getReport.description,
];
