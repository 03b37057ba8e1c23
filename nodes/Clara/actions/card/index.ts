import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as cancel from './cancel.operation';
import * as create from './create.operation';
import * as createMany from './createMany.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as lock from './lock.operation';
import * as setThreshold from './setThreshold.operation';
import * as unlock from './unlock.operation';

export { cancel, create, createMany, get, getAll, lock, setThreshold, unlock };

export const description: INodeProperties[] = [
	operationProperty(
		'card',
		[
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a card', description: 'Cancel a card for good. This cannot be undone.' },
			{ name: 'Create', value: 'create', action: 'Create a card', description: 'Issue a virtual or physical card to a user' },
			{ name: 'Create Many', value: 'createMany', action: 'Create many cards', description: 'Issue one card per input item, up to 100 per call to Clara' },
			{ name: 'Get', value: 'get', action: 'Get a card', description: 'Get a card by UUID' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many cards', description: 'List cards, with user, status and periodicity filters' },
			{ name: 'Lock', value: 'lock', action: 'Lock a card', description: 'Stop a card from being used until it is unlocked' },
			{ name: 'Set Threshold', value: 'setThreshold', action: 'Set a card threshold', description: 'Change a card\'s spending limit' },
			{ name: 'Unlock', value: 'unlock', action: 'Unlock a card', description: 'Let a locked card be used again' },
		],
		'get',
	),
	...get.description,
	...getAll.description,
	...create.description,
	...createMany.description,
	...lock.description,
	...unlock.description,
	...setThreshold.description,
	...cancel.description,
];
