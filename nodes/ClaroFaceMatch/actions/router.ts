import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { answerErrorsAsText, InvalidInput, runPerItem } from '../../transport';
import { claroFor, type ClaroFaceMatch } from '../transport';
import * as facialBiometrics from './facialBiometrics';

/** Every operation file exports this pair; the router calls `execute` with the credential's client. */
export interface ClaroOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, claro: ClaroFaceMatch): Promise<INodeExecutionData[]>;
}

const resources: Record<string, Record<string, unknown>> = { facialBiometrics };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation] as ClaroOperation | undefined;
	if (!op?.execute) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	// In an AI-agent tool run, a failure here (e.g. the credential) reaches the model as text.
	return answerErrorsAsText(this, async () => {
		let claro: ClaroFaceMatch;
		try {
			claro = await claroFor(this);
		} catch (error) {
			if (!(error instanceof InvalidInput)) throw new NodeOperationError(this.getNode(), error as Error);
			// A credential field that cannot be used (an http:// Base URL Override) fails every item the same way.
			return [await runPerItem(this, async () => Promise.reject(error))];
		}
		return [await op.execute.call(this, claro)];
	});
}
