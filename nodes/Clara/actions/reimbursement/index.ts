import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationProperty('reimbursement', [
		{ name: 'Get Many', value: 'getAll', action: 'Get many reimbursements', description: 'List out-of-pocket expense requests, with date, status and requester filters' },
	]),
	...getAll.description,
];
