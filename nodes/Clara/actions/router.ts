import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { agentAllowed, answerErrorsAsText, InvalidInput, isToolRun, refuseInAgentRun, runPerItem, toNodeError } from '../../transport';
import { claraFor, type Clara } from '../transport';
import type { ClaraOperation } from './common';
import { DESTRUCTIVE_OPERATIONS } from './writes';
import * as billingStatement from './billingStatement';
import * as card from './card';
import * as digitalAccount from './digitalAccount';
import * as group from './group';
import * as health from './health';
import * as location from './location';
import * as reimbursement from './reimbursement';
import * as transaction from './transaction';
import * as user from './user';

const resources: Record<string, Record<string, unknown>> = { billingStatement, card, digitalAccount, group, health, location, reimbursement, transaction, user };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation] as ClaraOperation | undefined;
	if (!op?.execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	// In an AI-agent tool run, a failure here (e.g. the credential) reaches the model as text.
	return answerErrorsAsText(this, async () => {
		// A destructive operation called by an AI agent is refused, item by item, unless the user allowed it.
		const action = DESTRUCTIVE_OPERATIONS[`${resource}:${operation}`];
		if (action && isToolRun(this) && !agentAllowed(this)) {
			return [
				await runPerItem(this, async (i) => {
					refuseInAgentRun(this, i, action);
					return {};
				}),
			];
		}
		let clara: Clara;
		try {
			clara = await claraFor(this);
		} catch (error) {
			if (!(error instanceof InvalidInput)) throw toNodeError(this.getNode(), error, { errors: { service: 'Clara' }, secrets: [] });
			// A credential field that cannot be used (an http:// Base URL Override) fails every item the same way.
			return [await runPerItem(this, async () => Promise.reject(error))];
		}
		return [await op.execute.call(this, clara)];
	});
}

