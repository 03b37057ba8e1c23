import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as create from './create.operation';
import * as estimate from './estimate.operation';
import * as getAll from './getAll.operation';
import * as getReport from './getReport.operation';
import * as stop from './stop.operation';

export { create, estimate, getAll, getReport, stop };

export const description: INodeProperties[] = [
	operationProperty('campaign', [
		{ name: 'Create', value: 'create', action: 'Create a campaign', description: 'Send a message to the users an audience selects, now or at a set time' },
		{ name: 'Estimate', value: 'estimate', action: 'Estimate a campaign', description: 'How many users a campaign would reach; nothing is created or sent' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many campaigns', description: 'List the campaigns scheduled in a date range' },
		{ name: 'Get Report', value: 'getReport', action: 'Get a campaign report', description: 'Get the results of one campaign (sent, viewed, clicked)' },
		{ name: 'Stop', value: 'stop', action: 'Stop a campaign', description: 'Stop a scheduled or running campaign. Cannot be undone.' },
	], 'getAll'),
	...create.description,
	...estimate.description,
	...getAll.description,
	...getReport.description,
	...stop.description,
];
