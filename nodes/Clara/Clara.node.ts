import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { actionSubtitle, withOptionCheck } from '../transport';
import * as billingStatement from './actions/billingStatement';
import * as card from './actions/card';
import * as digitalAccount from './actions/digitalAccount';
import * as group from './actions/group';
import * as health from './actions/health';
import * as location from './actions/location';
import * as reimbursement from './actions/reimbursement';
import { router } from './actions/router';
import * as transaction from './actions/transaction';
import * as user from './actions/user';
import { agentPermissions } from './actions/writes';
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
			{ name: 'Digital Account (Brazil)', value: 'digitalAccount' },
			{ name: 'Group', value: 'group' },
			{ name: 'Health', value: 'health' },
			{ name: 'Location', value: 'location' },
			{ name: 'Reimbursement', value: 'reimbursement' },
			{ name: 'Transaction', value: 'transaction' },
			{ name: 'User', value: 'user' },
		],
		default: 'transaction',
	},
	...billingStatement.description,
	...card.description,
	...digitalAccount.description,
	...group.description,
	...health.description,
	...location.description,
	...reimbursement.description,
	...transaction.description,
	...user.description,
	...agentPermissions,
];

export class Clara implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clara',
		name: 'clara',
		icon: { light: 'file:clara.svg', dark: 'file:clara.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Read Clara transactions, statements, cards, users, reimbursements and more; issue, lock and cancel cards; manage users and groups (OAuth 2.0 + mutual TLS)',
		defaults: { name: 'Clara' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claraApi', required: true, testedBy: 'claraApiTest' }],
		properties,
	};

	// Lets runPerItem check fields with a fixed list of values that hold an expression (transport/option-values.ts).
	constructor() {
		withOptionCheck(this.description);
	}

	methods = { credentialTest: { claraApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
