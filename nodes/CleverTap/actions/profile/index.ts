import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as count from './count.operation';
import * as del from './delete.operation';
import * as demerge from './demerge.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as subscribe from './subscribe.operation';
import * as unsubscribe from './unsubscribe.operation';
import * as upload from './upload.operation';

export { count, del as delete, demerge, get, getAll, subscribe, unsubscribe, upload };

export const description: INodeProperties[] = [
	operationProperty('profile', [
		{ name: 'Count', value: 'count', action: 'Count profiles', description: 'Count the people who did an event in a date range' },
		{ name: 'Delete', value: 'delete', action: 'Delete a profile', description: 'Erase a profile and all its data (GDPR / LGPD erasure request). Cannot be undone.' },
		{ name: 'Demerge', value: 'demerge', action: 'Demerge a profile', description: 'Split a merged profile back into one profile per identity. Cannot be undone.' },
		{ name: 'Get', value: 'get', action: 'Get a profile', description: 'Get one profile by identity, email or object ID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many profiles', description: 'Get the profiles of the people who did an event in a date range' },
		{ name: 'Subscribe', value: 'subscribe', action: 'Subscribe an email or phone', description: 'Allow messages to an email address or phone number again' },
		{ name: 'Unsubscribe', value: 'unsubscribe', action: 'Unsubscribe an email or phone', description: 'Stop messages to an email address or phone number' },
		{ name: 'Upload', value: 'upload', action: 'Upload profiles', description: 'Create or update one profile per input item, 1000 per call' },
	], 'get'),
	...count.description,
	...del.description,
	...demerge.description,
	...get.description,
	...getAll.description,
	...subscribe.description,
	...unsubscribe.description,
	...upload.description,
];
