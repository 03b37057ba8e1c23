import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { actionSubtitle, withOptionCheck } from '../transport';
import * as facialBiometrics from './actions/facialBiometrics';
import { router } from './actions/router';
import { claroFaceMatchApiTest } from './credentialTest';

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Facial Biometric', value: 'facialBiometrics' }],
		default: 'facialBiometrics',
	},
	...facialBiometrics.description,
];

export class ClaroFaceMatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Claro Face Match',
		name: 'claroFaceMatch',
		icon: { light: 'file:claroFaceMatch.svg', dark: 'file:claroFaceMatch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: "Check whether Claro Brasil holds facial biometrics for a CPF (identity check for onboarding), billed per answer",
		// Short on the canvas: n8n would otherwise name a new node (and its tool, with " in <default name>" after it)
		// after the action, 63 characters that the canvas cuts off.
		defaults: { name: 'Face Match' },
		skipNameGeneration: true,
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claroFaceMatchApi', required: true, testedBy: 'claroFaceMatchApiTest' }],
		properties,
	};

	// Lets runPerItem check fields with a fixed list of values that hold an expression (transport/option-values.ts).
	constructor() {
		withOptionCheck(this.description);
	}

	methods = { credentialTest: { claroFaceMatchApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
