import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as getReport from './getReport.operation';

export { getReport };

export const description: INodeProperties[] = [
	operationProperty('message', [{ name: 'Get Report', value: 'getReport', action: 'Get a message report', description: 'Get what was sent in a date range, per campaign and channel' }]),
	...getReport.description,
];
