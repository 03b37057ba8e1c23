import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	operationProperty('group', [
		{ name: 'Get', value: 'get', action: 'Get a group', description: 'Get a group by UUID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many groups', description: 'List groups' },
	]),
	...get.description,
	...getAll.description,
];
