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
 * before anything is sent. Clara answers with the created cards (in request order, each item gets its own) or, when
 * it works asynchronously, with 204 and nothing: each item then says its card was requested.
 */

/** Cards per call: Clara publishes no limit; 100 is the emulator's and keeps one call's answer small. */
export const BULK_SIZE = 100;

export const description: INodeProperties[] = [...cardFields('createMany'), optionsProperty('card', 'createMany')];

const CALL = { action: 'the Create Many Cards', permission: 'Write cards' as const };
const HOW_TO_CHECK =
	'Some or all of these cards may exist now. Before sending them again, look for each one: Card → Get Many with Filters → User UUID shows a user\'s cards and their aliases. For re-runs that must not create twice, use Card → Create with "Reuse Card with Same Alias".';

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
	const timeout = writeOptions(this, 0).timeout;
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
			const created = Array.isArray(body) ? (body as IDataObject[]) : Array.isArray((body as IDataObject)?.content) ? ((body as IDataObject).content as IDataObject[]) : undefined;
			chunk.forEach((c, k) => {
				results[c.index] =
					created && created.length === chunk.length
						? created[k]
						: { ...c.card, requested: true, note: 'Clara accepted the cards and is creating them; they appear in Card → Get Many within seconds.' };
			});
		} catch (error) {
			// One call for the whole chunk: its outcome is every item's outcome.
			for (const c of chunk) results[c.index] = writeError(this, clara, CALL, error, c.index);
			if (!this.continueOnFail()) break;
		}
	}
	for (let i = 0; i < results.length; i++) results[i] ??= new NodeOperationError(this.getNode(), 'not sent: an earlier call of this run failed', { itemIndex: i });
	return toOutput(this, results);
}
