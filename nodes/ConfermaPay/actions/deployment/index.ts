import type { INodeProperties } from 'n8n-workflow';
import { includeFullCardDetailsProperty, operationProperty } from '../../../transport';
import * as amend from './amend.operation';
import * as create from './create.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { amend, create, get, getAll };

export const description: INodeProperties[] = [
	operationProperty(
		'deployment',
		[
			{ name: 'Amend', value: 'amend', action: 'Amend a deployment', description: 'Change the amount, dates, supplier or references of a deployment (sent once, never retried automatically)' },
			{ name: 'Create', value: 'create', action: 'Create a deployment', description: 'Deploy a virtual card for a payment (sent once, never retried automatically)' },
			{ name: 'Get', value: 'get', action: 'Get a deployment', description: 'Get a deployment by ID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many deployments', description: 'List deployments, with status, reference and date filters' },
		],
		'get',
	),
	...get.description,
	...getAll.description,
	...create.description,
	...amend.description,
	// Create's answer carries the full card (Conferma's "Creating a New Card in Online"); Get, Get Many and Amend may.
	includeFullCardDetailsProperty({ show: { resource: ['deployment'], operation: ['create', 'amend', 'get', 'getAll'] } }),
];
