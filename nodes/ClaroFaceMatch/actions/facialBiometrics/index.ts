import type { INodeProperties } from 'n8n-workflow';
import * as check from './check.operation';

export { check };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['facialBiometrics'] } },
		options: [
			{
				name: 'Check',
				value: 'check',
				// In sentence case, as n8n's lint wants an action (it cannot tell an acronym or a name from a word).
				action: 'Check whether facial biometrics exist for a person',
				description: 'Ask Claro whether it holds facial biometrics for a CPF, and get their biohashes',
			},
		],
		default: 'check',
	},
	...check.description,
];
