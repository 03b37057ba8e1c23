import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment, sleep } from '../../../transport';
import type { Clara } from '../../transport';
import { claraWrite, writeError, type ClaraWrite } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Card → Lock (and Unlock, which shares this): `PATCH /v3/cards/{uuid}/lock` with a bare JSON boolean, as Clara's
 * reference shows the body ("boolean, required: Card's status to be updated"). Clara does not publish whether `true`
 * means locked, so the node sends `true` to lock and then reads the card back: the item reports what Clara shows,
 * and is an error when Clara shows the opposite of what was asked.
 */

export const description: INodeProperties[] = [uuidProperty('card', 'lock', 'Card'), optionsProperty('card', 'lock')];

/** Clara asks to wait 3–5 s after an asynchronous answer before reading the card; three reads 2 s apart cover it. */
const ASYNC_READS = 3;
const ASYNC_READ_GAP_MS = 2_000;

/**
 * After a card write Clara answered, read the card (`GET /v3/cards/{uuid}`) and return it if `mismatch` finds
 * nothing wrong; otherwise the item is an error saying what Clara shows now, that the request was sent, and what to
 * do. An answer other than a plain 200 (a 202 "in progress", a 204) may mean Clara is still working, so the card is
 * read again a few times before the difference counts.
 */
export async function confirmCard(
	ctx: IExecuteFunctions,
	clara: Clara,
	itemIndex: number,
	uuid: string,
	answer: { status: number; body: unknown },
	call: Pick<ClaraWrite, 'action'> & { fix: string },
	mismatch: (card: IDataObject) => string | undefined,
): Promise<IDataObject> {
	const pending = answer.status !== 200 || (answer.body as IDataObject | undefined)?.status === 'IN_PROGRESS';
	const sent = `${call.action} was sent and Clara answered HTTP ${answer.status}`;
	let wrong: string | undefined;
	for (let read = 1; read <= (pending ? ASYNC_READS : 1); read++) {
		if (read > 1) await sleep(ASYNC_READ_GAP_MS);
		let card: IDataObject;
		try {
			card = await clara.get(`/v3/cards/${uuid}`);
		} catch (error) {
			const reason = clara.toNodeError(ctx, error);
			throw new NodeOperationError(ctx.getNode(), `${sent}, but reading the card back failed (${reason.message}), so the change is not confirmed`, {
				itemIndex,
				description: `Check with Card → Get before relying on it. ${call.fix}`,
			});
		}
		wrong = mismatch(card);
		if (!wrong) return card;
	}
	throw new NodeOperationError(ctx.getNode(), `${sent}, but the card now shows ${wrong}`, {
		itemIndex,
		description: `The request WAS sent, so Clara may have acted on it differently from what was asked. ${call.fix}`,
	});
}

/** What the read-back shows about the lock, in words for a message. */
const shows = (card: IDataObject) => `lockCode ${JSON.stringify(card.lockCode ?? null)} (status ${String(card.status ?? '?')}, claraStatus ${String(card.claraStatus ?? '?')})`;

export async function setLock(ctx: IExecuteFunctions, clara: Clara, locked: boolean): Promise<INodeExecutionData[]> {
	const call = { action: locked ? 'the Lock Card' : 'the Unlock Card', permission: 'Write cards' as const };
	const fix = locked
		? "The card may still be usable: lock it in Clara's web app now and confirm with Card → Get. Do not rely on this node's Lock until Card → Get shows it locked."
		: "The card may still be locked: unlock it in Clara's web app if it should be used, and confirm with Card → Get.";
	return runWrites(ctx, async (i) => {
		const uuid = pathSegment(ctx.getNodeParameter('uuid', i, ''), 'Card UUID');
		const { timeout } = writeOptions(ctx, i);
		let answer: { status: number; body: unknown };
		try {
			answer = await claraWrite(ctx, clara, {
				...call,
				method: 'PATCH',
				path: `/v3/cards/${uuid}/lock`,
				json: locked,
				howToCheck: `Card → Get shows the card's lockCode; ${locked ? 'locking' : 'unlocking'} it again is harmless.`,
				timeoutSec: timeout,
			});
		} catch (error) {
			throw writeError(ctx, clara, call, error, i);
		}
		// Clara documents only "UNLOCKED"; any other lockCode is read as locked.
		const card = await confirmCard(ctx, clara, i, uuid, answer, { action: call.action, fix }, (c) => {
			if (typeof c.lockCode !== 'string') return `no lockCode: ${shows(c)}, so whether it is locked cannot be told`;
			return (c.lockCode !== 'UNLOCKED') === locked ? undefined : `${shows(c)}: it is ${locked ? 'NOT locked' : 'still locked'}`;
		});
		return { ...card, locked: card.lockCode !== 'UNLOCKED' };
	});
}

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return setLock(this, clara, true);
}
