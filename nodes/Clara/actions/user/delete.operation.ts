import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/** User → Delete: `DELETE /v3/users/{uuid}`. It cannot be undone, so it is sent once. */

export const description: INodeProperties[] = [uuidProperty('user', 'delete', 'User'), optionsProperty('user', 'delete')];

const CALL = { action: 'the Delete User', permission: 'Write users' as const };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'User UUID');
		const { timeout } = writeOptions(this, i);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'DELETE',
				path: `/v3/users/${uuid}`,
				howToCheck: 'User → Get with this uuid: "found nothing" (404) means the user was deleted.',
				timeoutSec: timeout,
			});
			return { uuid: decodeURIComponent(uuid), deleted: true, ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
