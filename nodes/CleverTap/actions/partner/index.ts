import type { INodeProperties } from 'n8n-workflow';
import { operationProperty } from '../common';
import * as checkConnection from './checkConnection.operation';

export { checkConnection };

export const description: INodeProperties[] = [
	operationProperty('partner', [
		{
			name: 'Check Connection',
			value: 'checkConnection',
			action: 'Check a partner connection',
			description: "Verify the account's credentials as a whitelisted partner (Partner Connect)",
		},
	]),
	...checkConnection.description,
];
