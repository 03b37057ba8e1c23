import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as getTransactions from './getTransactions.operation';

export { getTransactions };

export const description: INodeProperties[] = [
	operationProperty('digitalAccount', [
		{
			name: 'Get Transactions',
			value: 'getTransactions',
			action: 'Get the transactions of the digital account',
			description: 'List PIX, TED and bill payments of the Clara digital account (Brazil only)',
		},
	]),
	...getTransactions.description,
];
