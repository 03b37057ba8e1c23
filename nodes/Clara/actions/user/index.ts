import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export { create, del as delete, get, getAll, update };

export const description: INodeProperties[] = [
	operationProperty(
		'user',
		[
			{ name: 'Create', value: 'create', action: 'Create a user', description: 'Add a person to the Clara account' },
			{ name: 'Delete', value: 'delete', action: 'Delete a user', description: 'Remove a person from the Clara account. This cannot be undone.' },
			{ name: 'Get', value: 'get', action: 'Get a user', description: 'Get a user by UUID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many users', description: 'List users, with status, role and name filters' },
			{ name: 'Update', value: 'update', action: 'Update a user', description: 'Change a user\'s name, email, role, location or other fields' },
		],
		'get',
	),
	...get.description,
	...getAll.description,
	...create.description,
	...update.description,
	...del.description,
];
