import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Card → Cancel: `DELETE /v3/cards/{uuid}`. The card stops working for good (Clara answers "DELETED"; the card stays
 * listed with its new status). It cannot be undone, so it is sent once: a lost answer says how to check instead.
 */

export const description: INodeProperties[] = [uuidProperty('card', 'cancel', 'Card'), optionsProperty('card', 'cancel')];

const CALL = { action: 'the Cancel Card', permission: 'Write cards' as const };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'Card UUID');
		const { timeout } = writeOptions(this, i);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'DELETE',
				path: `/v3/cards/${uuid}`,
				howToCheck: 'Card → Get: the status CANCELLED means it was cancelled (cancelling it again is refused).',
				timeoutSec: timeout,
			});
			return { uuid: decodeURIComponent(uuid), cancelled: true, ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
