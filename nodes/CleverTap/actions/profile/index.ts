import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as count from './count.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as upload from './upload.operation';

export { count, get, getAll, upload };

export const description: INodeProperties[] = [
	operationProperty('profile', [
		{ name: 'Count', value: 'count', action: 'Count profiles', description: 'Count the people who did an event in a date range' },
		{ name: 'Get', value: 'get', action: 'Get a profile', description: 'Get one profile by identity, email or object ID' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many profiles', description: 'Get the profiles of the people who did an event in a date range' },
		{ name: 'Upload', value: 'upload', action: 'Upload profiles', description: 'Create or update one profile per input item, 1000 per call' },
	], 'get'),
	...count.description,
	...get.description,
	...getAll.description,
	...upload.description,
];
