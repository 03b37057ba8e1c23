import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { answerErrorsAsText, cardDataOut, fullCardDetailsWanted, runPerItem } from '../../transport';
import { confermaFor, type ConfermaPay } from '../transport';
import * as deployment from './deployment';
import * as invoice from './invoice';

/** Every operation file exports this pair; the router calls `execute` with the credential's client. */
export interface ConfermaOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]>;
}

const resources: Record<string, Record<string, unknown>> = { deployment, invoice };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation] as ConfermaOperation | undefined;
	if (!op?.execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	// In an AI-agent tool run, a failure here (e.g. the credential) reaches the model as text.
	return answerErrorsAsText(this, async () => {
		let conferma: ConfermaPay;
		let keepFullCardDetails: boolean;
		try {
			keepFullCardDetails = fullCardDetailsWanted(this);
			conferma = await confermaFor(this);
		} catch (error) {
			// A credential that cannot be used (an http:// URL, a missing secret), or card details asked for by an
			// expression, fails every item the same way, each
			// paired to its input: a whole-node error with "On Error: Continue" would pass the items on unchanged.
			return [await runPerItem(this, async () => Promise.reject(error))];
		}
		// Every operation's answer, present and future, leaves through here: Conferma's create answer carries the full
		// card number and CVV, and n8n would store them with the execution.
		return [cardDataOut(await op.execute.call(this, conferma), keepFullCardDetails)];
	});
}
