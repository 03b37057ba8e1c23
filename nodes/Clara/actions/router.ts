import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { answerErrorsAsText } from '../../transport';
import { claraFor } from '../transport';
import type { ClaraOperation } from './common';
import * as billingStatement from './billingStatement';
import * as card from './card';
import * as group from './group';
import * as health from './health';
import * as location from './location';
import * as transaction from './transaction';
import * as user from './user';

const resources: Record<string, Record<string, unknown>> = { billingStatement, card, group, health, location, transaction, user };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation] as ClaraOperation | undefined;
	if (!op?.execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	// In an AI-agent tool run, a failure here (e.g. the credential) reaches the model as text.
	return answerErrorsAsText(this, async () => [await op.execute.call(this, await claraFor(this))]);
}
