import type { INodeProperties } from 'n8n-workflow';
import * as checkConnection from './checkConnection.operation';

export { checkConnection };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['partner'] } },
		options: [
			{
				name: 'Check Connection',
				value: 'checkConnection',
				action: 'Check a partner connection',
				description: "Verify the account's credentials as a whitelisted partner (Partner Connect)",
			},
		],
		default: 'checkConnection',
	},
	...checkConnection.description,
];
