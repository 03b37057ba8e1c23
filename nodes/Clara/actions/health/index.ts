import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as check from './check.operation';

export { check };

export const description: INodeProperties[] = [
	operationProperty('health', [{ name: 'Check', value: 'check', action: 'Check the Clara API health', description: 'Check that the Clara API answers (no token or certificate needed)' }]),
];
