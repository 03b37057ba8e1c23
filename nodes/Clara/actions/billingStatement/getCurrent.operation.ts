import type { IExecuteFunctions } from 'n8n-workflow';
import { runPerItem } from '../../../transport';
import type { Clara } from '../../transport';

export const description = [];

export async function execute(this: IExecuteFunctions, clara: Clara) {
	return runPerItem(this, async (i) => {
		try {
			return await clara.get('/v3/billing-statements/current');
		} catch (error) {
			throw clara.toNodeError(this, error, i);
		}
	});
}
