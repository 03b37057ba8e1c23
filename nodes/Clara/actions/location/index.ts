import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	operationProperty('location', [
		{ name: 'Get', value: 'get', action: 'Get a location', description: 'Get a location by UUID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many locations', description: 'List locations' },
	]),
	...get.description,
	...getAll.description,
];
