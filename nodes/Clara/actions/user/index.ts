import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	operationProperty('user', [
		{ name: 'Get', value: 'get', action: 'Get a user', description: 'Get a user by UUID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many users', description: 'List users, with status, role and name filters' },
	]),
	...get.description,
	...getAll.description,
];
