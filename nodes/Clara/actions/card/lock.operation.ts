import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Card → Lock (and Unlock, which shares this): `PATCH /v3/cards/{uuid}/lock` with a bare JSON boolean, as Clara's
 * reference shows the body ("boolean, required: Card's status to be updated"); `true` locks. Setting a lock state is
 * safe to repeat, so a lost answer is retried like a read.
 */

export const description: INodeProperties[] = [uuidProperty('card', 'lock', 'Card'), optionsProperty('card', 'lock')];

export async function setLock(ctx: IExecuteFunctions, clara: Clara, locked: boolean): Promise<INodeExecutionData[]> {
	const call = { action: locked ? 'the Lock Card' : 'the Unlock Card', permission: 'Write cards' as const };
	return runWrites(ctx, async (i) => {
		const uuid = pathSegment(ctx.getNodeParameter('uuid', i, ''), 'Card UUID');
		try {
			const { body } = await claraWrite(ctx, clara, {
				...call,
				method: 'PATCH',
				path: `/v3/cards/${uuid}/lock`,
				json: locked,
				howToCheck: `Card → Get shows the card's lockCode; ${locked ? 'locking' : 'unlocking'} it again is harmless.`,
				timeoutSec: writeOptions(ctx, i).timeout,
			});
			return { uuid: decodeURIComponent(uuid), locked, ...asObject(body) };
		} catch (error) {
			throw writeError(ctx, clara, call, error, i);
		}
	});
}

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return setLock(this, clara, true);
}
