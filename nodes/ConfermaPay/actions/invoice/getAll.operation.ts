import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { itemParameter, returnAllProperties, runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { deploymentId, deploymentIdProperty, listOptions } from '../deployment/fields';

export const description: INodeProperties[] = [deploymentIdProperty(showFor('invoice', 'getAll')), ...returnAllProperties('invoice', 'getAll')];

/** The invoices of each input item's deployment, every page of them with Return All. */
export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(this, async (i) => {
		const id = deploymentId(itemParameter(this, 'deploymentId', i));
		const options = listOptions(this, i);
		try {
			return await conferma.invoices(id, options);
		} catch (error) {
			throw conferma.toNodeError(this, error, i);
		}
	});
}
