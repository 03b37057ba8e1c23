import type { IExecuteFunctions } from 'n8n-workflow';
import { runPerItem } from '../../../transport';
import type { Clara } from '../../transport';

export const description = [];

/** GET /v2/health: needs neither a token nor a client certificate, so it tells network problems from auth ones. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return runPerItem(this, async (i) => {
		try {
			return { healthy: true, ...(await clara.health()) };
		} catch (error) {
			throw clara.toNodeError(this, error, i);
		}
	});
}
