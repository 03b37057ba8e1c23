import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getDocuments from './getDocuments.operation';
import * as getInvoices from './getInvoices.operation';

export { get, getAll, getDocuments, getInvoices };

export const description: INodeProperties[] = [
	operationProperty('transaction', [
		{ name: 'Get', value: 'get', action: 'Get a transaction', description: 'Get a card transaction by UUID' },
		{ name: 'Get Documents', value: 'getDocuments', action: 'Get the documents of a transaction', description: 'List the files attached to a transaction, with download links valid for 12 hours' },
		{ name: 'Get Invoices', value: 'getInvoices', action: 'Get the invoices of a transaction', description: 'List the CFDI invoices linked to a transaction (Mexico only)' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many transactions', description: 'List card transactions, with date, status and card filters' },
	]),
	...get.description,
	...getAll.description,
	...getDocuments.description,
	...getInvoices.description,
];
