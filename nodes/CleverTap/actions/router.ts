import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { answerErrorsAsText } from '../../transport';
import { cleverTapFor } from '../transport';
import * as campaign from './campaign';
import type { CleverTapOperation } from './common';
import * as event from './event';
import * as message from './message';
import * as partner from './partner';
import * as profile from './profile';
import * as report from './report';

const resources: Record<string, Record<string, unknown>> = { campaign, event, message, partner, profile, report };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation] as CleverTapOperation | undefined;
	if (!op?.execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	// In an AI-agent tool run, a failure here (e.g. the credential) reaches the model as text.
	return answerErrorsAsText(this, async () => [await op.execute.call(this, await cleverTapFor(this))]);
}
