import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	operationProperty('card', [
		{ name: 'Get', value: 'get', action: 'Get a card', description: 'Get a card by UUID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many cards', description: 'List cards, with user, status and periodicity filters' },
	]),
	...get.description,
	...getAll.description,
];
