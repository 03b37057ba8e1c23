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
		'group',
		[
			{ name: 'Create', value: 'create', action: 'Create a group', description: 'Add a team or department' },
			{ name: 'Delete', value: 'delete', action: 'Delete a group', description: 'Remove a group. This cannot be undone.' },
			{ name: 'Get', value: 'get', action: 'Get a group', description: 'Get a group by UUID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many groups', description: 'List groups' },
			{ name: 'Update', value: 'update', action: 'Update a group', description: 'Rename a group or change its description' },
		],
		'get',
	),
	...get.description,
	...getAll.description,
	...create.description,
	...update.description,
	...del.description,
];
