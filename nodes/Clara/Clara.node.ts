import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { actionSubtitle } from '../transport';
import * as billingStatement from './actions/billingStatement';
import * as card from './actions/card';
import * as group from './actions/group';
import * as health from './actions/health';
import * as location from './actions/location';
import { router } from './actions/router';
import * as transaction from './actions/transaction';
import * as user from './actions/user';
import { claraApiTest } from './credentialTest';

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Billing Statement', value: 'billingStatement' },
			{ name: 'Card', value: 'card' },
			{ name: 'Group', value: 'group' },
			{ name: 'Health', value: 'health' },
			{ name: 'Location', value: 'location' },
			{ name: 'Transaction', value: 'transaction' },
			{ name: 'User', value: 'user' },
		],
		default: 'transaction',
	},
	...billingStatement.description,
	...card.description,
	...group.description,
	...health.description,
	...location.description,
	...transaction.description,
	...user.description,
];

export class Clara implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clara',
		name: 'clara',
		icon: { light: 'file:clara.svg', dark: 'file:clara.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Read corporate card transactions, statements, cards, users, groups and locations from Clara (OAuth 2.0 + mutual TLS)',
		defaults: { name: 'Clara' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claraApi', required: true, testedBy: 'claraApiTest' }],
		properties,
	};

	methods = { credentialTest: { claraApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
