import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { get, getAll };

export const description: INodeProperties[] = [
	operationProperty('transaction', [
		{ name: 'Get', value: 'get', action: 'Get a transaction', description: 'Get a card transaction by UUID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many transactions', description: 'List card transactions, with date, status and card filters' },
	]),
	...get.description,
	...getAll.description,
];
