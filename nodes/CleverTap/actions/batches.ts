import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { mapConcurrent, redact, toOutput, type ItemResult } from '../../transport';
import { MAX_UPLOAD_RECORDS, uploadCode, type CleverTap } from '../transport';
import type { Attribution } from '../transport/upload';

/** Batch calls of one execution in flight at once; the account limiter is what bounds them all. */
const BATCH_CALLS_IN_FLIGHT = 4;

/**
 * Build one record per input item (an item whose input is bad becomes its own error and is never sent), send them
 * in calls of at most 1000, and give every item its own result: the records CleverTap lists as `unprocessed` are
 * mapped back to their items and become those items' errors. A call without a clear answer gives each of its items
 * the error saying it may have been stored and how to check. Used by Upload, Subscribe and Unsubscribe.
 */
export async function sendBatches(
	ctx: IExecuteFunctions,
	ct: CleverTap,
	options: {
		build: (itemIndex: number) => IDataObject;
		send: (records: IDataObject[]) => Promise<Attribution>;
		ok: (record: IDataObject) => IDataObject;
		/** "record" or "entry", in messages. */
		noun: string;
	},
): Promise<INodeExecutionData[]> {
	const results: ItemResult[] = ctx.getInputData().map((_, i) => {
		try {
			return options.build(i);
		} catch (error) {
			return ct.toNodeError(ctx, error, i);
		}
	});
	// Without continueOnFail one bad item fails the run: fail it before anything is written.
	const bad = results.find((r) => r instanceof Error);
	if (bad && !ctx.continueOnFail()) throw bad;

	const ready = results.flatMap((r, i) => (r instanceof Error ? [] : [i]));
	const batches = Array.from({ length: Math.ceil(ready.length / MAX_UPLOAD_RECORDS) }, (_, b) => ready.slice(b * MAX_UPLOAD_RECORDS, (b + 1) * MAX_UPLOAD_RECORDS));
	const sent = `The other ${options.noun}s of this execution were sent. With "On Error: Continue" every refused item becomes its own error item.`;
	await mapConcurrent(batches, BATCH_CALLS_IN_FLIGHT, async (itemIndexes) => {
		const records = itemIndexes.map((i) => results[i] as IDataObject);
		try {
			const { rejected, unmatched } = await options.send(records);
			itemIndexes.forEach((itemIndex, at) => {
				const refusal = rejected.get(at);
				if (refusal) {
					const known = uploadCode(refusal.code);
					const code = refusal.code !== undefined ? ` (code ${String(refusal.code)}${known ? `: ${known.meaning}` : ''})` : '';
					results[itemIndex] = new NodeApiError(ctx.getNode(), { status: 'fail', code: String(refusal.code ?? ''), error: refusal.error } as JsonObject, {
						message: redact(`CleverTap refused this ${options.noun}${code}: ${refusal.error}`, ct.secrets),
						description: `${known ? `${known.fix} ` : 'Fix the item and send it again. '}${sent}`,
						itemIndex,
					});
				} else if (unmatched.length) {
					const said = [...new Set(unmatched.map((u) => u.error))].join('; ');
					results[itemIndex] = new NodeApiError(ctx.getNode(), { unmatched: unmatched.length } as JsonObject, {
						message: redact(`CleverTap refused ${unmatched.length} ${options.noun}(s) of this call without saying which: ${said}`, ct.secrets),
						description: `This item may or may not have been stored; check it in CleverTap before sending it again (an event sent twice is counted twice). ${sent}`,
						itemIndex,
					});
				} else {
					results[itemIndex] = options.ok(records[at]);
				}
			});
		} catch (error) {
			// The whole call failed: each item says so (and, if the call may have been stored, how to check).
			for (const itemIndex of itemIndexes) results[itemIndex] = ct.toNodeError(ctx, error, itemIndex);
		}
	});
	return toOutput(ctx, results);
}
