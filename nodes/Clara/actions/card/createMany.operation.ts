import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { InvalidInput, toOutput, type ItemResult } from '../../../transport';
import type { Clara } from '../../transport';
import { claraWrite, writeError } from '../../transport/write';
import { optionsProperty, writeOptions } from '../writes';
import { cardFields, cardRequest } from './create.operation';

/**
 * Card → Create Many: the input items' cards in `POST /v3/cards/bulk-create` calls of up to 100
 * (`{cardsRequests: [...]}`). Every item is checked first; without "On Error: Continue" one bad item stops the run
 * before anything is sent. Clara documents the answer as 204 with no content: each item then says its card was
 * accepted but not confirmed, and how to check. Should Clara answer with a list of cards instead, an item counts as
 * created only when a card of its user with its alias is in that list; the others say they are unconfirmed.
 */

/** Cards per call: Clara publishes no limit; 100 is the emulator's and keeps one call's answer small. */
export const BULK_SIZE = 100;

export const description: INodeProperties[] = [...cardFields('createMany'), optionsProperty('card', 'createMany')];

const CALL = { action: 'the Create Many Cards', permission: 'Write cards' as const };
const UNCONFIRMED =
	"Clara accepted this card but has not confirmed it. Before creating it again, check with Card → Get Many (Filters → User UUID) for a card with this alias: Clara says new cards appear there within seconds.";
const MISSING =
	"Clara's answer listed cards of this request but not this one, so it may not have been created. Before creating it again, check with Card → Get Many (Filters → User UUID) for a card with this alias.";
const HOW_TO_CHECK =
	'Some or all of these cards may exist now. Before sending them again, look for each one: Card → Get Many with Filters → User UUID shows a user\'s cards and their aliases. For re-runs that must not create twice, use Card → Create with "Reuse Card with Same Alias".';

/** The card in Clara's answer that is this request's (same user, same alias), taken out so no two items claim it. */
function takeCard(listed: IDataObject[], card: IDataObject): IDataObject | undefined {
	const at = listed.findIndex((c) => c && c.alias === card.alias && ((c.user as IDataObject | undefined)?.uuid ?? c.userUUID) === card.userUUID);
	return at < 0 ? undefined : listed.splice(at, 1)[0];
}

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const results: ItemResult[] = new Array(items.length);
	const valid: Array<{ index: number; card: IDataObject }> = [];
	items.forEach((_item, i) => {
		try {
			valid.push({ index: i, card: cardRequest(this, clara, i) });
		} catch (error) {
			if (!(error instanceof InvalidInput)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			results[i] = new NodeOperationError(this.getNode(), error.message, { itemIndex: i, description: error.description });
		}
	});
	// Without continueOnFail a bad item fails the run here, before any card is requested.
	if (!this.continueOnFail()) {
		const first = results.find((r) => r instanceof Error);
		if (first) throw first;
	}
	// One call carries many items, so the first item's Timeout is the call's; a bad one stops every item, nothing sent.
	let timeout: number;
	try {
		timeout = writeOptions(this, 0).timeout;
	} catch (error) {
		if (!(error instanceof InvalidInput)) throw new NodeOperationError(this.getNode(), error as Error);
		if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error.message, { description: error.description });
		for (const c of valid) results[c.index] = new NodeOperationError(this.getNode(), error.message, { itemIndex: c.index, description: error.description });
		valid.length = 0;
		timeout = 0;
	}
	for (let start = 0; start < valid.length; start += BULK_SIZE) {
		const chunk = valid.slice(start, start + BULK_SIZE);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'POST',
				path: '/v3/cards/bulk-create',
				json: { cardsRequests: chunk.map((c) => c.card) },
				howToCheck: HOW_TO_CHECK,
				timeoutSec: timeout,
			});
			const listed = Array.isArray(body) ? (body as IDataObject[]) : Array.isArray((body as IDataObject)?.content) ? ((body as IDataObject).content as IDataObject[]) : undefined;
			for (const c of chunk) {
				const found = listed && takeCard(listed, c.card);
				results[c.index] = found ? { ...found, confirmed: true } : { ...c.card, confirmed: false, note: listed ? MISSING : UNCONFIRMED };
			}
		} catch (error) {
			// One call for the whole chunk: its outcome is every item's outcome.
			for (const c of chunk) results[c.index] = writeError(this, clara, CALL, error, c.index);
			if (!this.continueOnFail()) break;
		}
	}
	for (let i = 0; i < results.length; i++) results[i] ??= new NodeOperationError(this.getNode(), 'not sent: an earlier call of this run failed', { itemIndex: i });
	return toOutput(this, results);
}
