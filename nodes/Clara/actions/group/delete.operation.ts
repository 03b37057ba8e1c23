import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/** Group → Delete: `DELETE /v2/groups/{uuid}`. It cannot be undone, so it is sent once. */

export const description: INodeProperties[] = [uuidProperty('group', 'delete', 'Group'), optionsProperty('group', 'delete')];

const CALL = { action: 'the Delete Group', permission: 'Write users' as const };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'Group UUID');
		const { timeout } = writeOptions(this, i);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'DELETE',
				path: `/v2/groups/${uuid}`,
				howToCheck: 'Group → Get with this uuid: "found nothing" (404) means the group was deleted.',
				timeoutSec: timeout,
			});
			return { uuid: decodeURIComponent(uuid), deleted: true, ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
