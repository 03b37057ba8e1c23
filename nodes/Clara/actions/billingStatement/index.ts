import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getByPeriod from './getByPeriod.operation';
import * as getCurrent from './getCurrent.operation';
import * as getTransactions from './getTransactions.operation';

export { get, getAll, getByPeriod, getCurrent, getTransactions };

export const description: INodeProperties[] = [
	operationProperty('billingStatement', [
		{ name: 'Get', value: 'get', action: 'Get a billing statement', description: 'Get a billing statement by UUID' },
		{ name: 'Get by Period', value: 'getByPeriod', action: 'Get the billing statement of a month', description: 'Get the statement of a given month and year' },
		{ name: 'Get Current', value: 'getCurrent', action: 'Get the current billing statement', description: 'Get the statement of the open billing cycle' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many billing statements', description: 'List billing statements' },
		{ name: 'Get Transactions', value: 'getTransactions', action: 'Get the transactions of a billing statement', description: 'List the transactions of one statement' },
	]),
	...get.description,
	...getAll.description,
	...getByPeriod.description,
	...getTransactions.description,
];
