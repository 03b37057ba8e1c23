import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../../../transport';
import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	operationProperty('invoice', [{ name: 'Get Many', value: 'getAll', action: 'Get many invoices of a deployment', description: 'List the invoices of a deployment' }]),
	...getAll.description,
];
