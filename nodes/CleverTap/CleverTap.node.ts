import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { actionSubtitle, withOptionCheck } from '../transport';
import * as campaign from './actions/campaign';
import * as event from './actions/event';
import * as message from './actions/message';
import * as partner from './actions/partner';
import * as profile from './actions/profile';
import * as report from './actions/report';
import { router } from './actions/router';
import { cleverTapApiTest } from './credentialTest';

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Campaign', value: 'campaign' },
			{ name: 'Event', value: 'event' },
			{ name: 'Message', value: 'message' },
			{ name: 'Partner', value: 'partner' },
			{ name: 'Profile', value: 'profile' },
			{ name: 'Report', value: 'report' },
		],
		default: 'profile',
	},
	...campaign.description,
	...event.description,
	...message.description,
	...partner.description,
	...profile.description,
	...report.description,
];

export class CleverTap implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CleverTap',
		name: 'cleverTap',
		icon: { light: 'file:cleverTap.svg', dark: 'file:cleverTap.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: "Read CleverTap profiles, events, counts, campaigns and reports; upload profiles and events, erase or demerge profiles, manage subscriptions, create and stop campaigns, within the account's concurrency limit",
		defaults: { name: 'CleverTap' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'cleverTapApi', required: true, testedBy: 'cleverTapApiTest' }],
		properties,
	};

	// Lets runPerItem check fields with a fixed list of values that hold an expression (transport/option-values.ts).
	constructor() {
		withOptionCheck(this.description);
	}

	methods = { credentialTest: { cleverTapApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
