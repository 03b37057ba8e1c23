import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { DEFAULT_CONNECTIONS, itemParameter, runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { deploymentId, deploymentIdProperty } from './fields';

export const description: INodeProperties[] = [deploymentIdProperty(showFor('deployment', 'get'))];

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(
		this,
		async (i) => {
			const id = deploymentId(itemParameter(this, 'deploymentId', i));
			try {
				return await conferma.get(id);
			} catch (error) {
				throw conferma.toNodeError(this, error, i);
			}
		},
		{ concurrency: DEFAULT_CONNECTIONS },
	);
}
