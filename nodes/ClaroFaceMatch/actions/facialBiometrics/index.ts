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
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased -- CPF is an acronym, Claro a name
				action: 'Check a CPF against Claro facial biometrics',
				description: 'Ask Claro whether it holds facial biometrics for a CPF, and get their biohashes',
			},
		],
		default: 'check',
	},
	...check.description,
];
