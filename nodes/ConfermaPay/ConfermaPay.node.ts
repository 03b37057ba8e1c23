import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { actionSubtitle, withOptionCheck } from '../transport';
import * as deployment from './actions/deployment';
import * as invoice from './actions/invoice';
import { router } from './actions/router';
import { confermaPayApiTest } from './credentialTest';

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Deployment', value: 'deployment' },
			{ name: 'Invoice', value: 'invoice' },
		],
		default: 'deployment',
	},
	...deployment.description,
	...invoice.description,
];

export class ConfermaPay implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Conferma Pay',
		name: 'confermaPay',
		icon: { light: 'file:confermaPay.svg', dark: 'file:confermaPay.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Create, amend and read Conferma Pay virtual card deployments and their invoices, with one shared token per platform',
		defaults: { name: 'Conferma Pay' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'confermaPayApi', required: true, testedBy: 'confermaPayApiTest' }],
		properties,
	};

	// Lets runPerItem check fields with a fixed list of values that hold an expression (transport/option-values.ts).
	constructor() {
		withOptionCheck(this.description);
	}

	methods = { credentialTest: { confermaPayApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
