import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as count from './count.operation';
import * as getAll from './getAll.operation';
import * as upload from './upload.operation';

export { count, getAll, upload };

export const description: INodeProperties[] = [
	operationProperty('event', [
		{ name: 'Count', value: 'count', action: 'Count events', description: 'Count how many times an event happened in a date range' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many events', description: 'Download the events of one name in a date range' },
		{ name: 'Upload', value: 'upload', action: 'Upload events', description: 'Record one event per input item, 1000 per call' },
	], 'getAll'),
	...count.description,
	...getAll.description,
	...upload.description,
];
