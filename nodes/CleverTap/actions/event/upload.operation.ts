import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { sendBatches } from '../batches';
import { readIdentifier, readProperties, readTimestamp, uploaded, uploadEventName, uploadFields } from '../records';

export const description: INodeProperties[] = uploadFields('event');

/**
 * POST /1/upload {d: [{type: "event", identity | objectId, evtName, evtData, ts}]}, 1000 records a call → one item
 * per input item: {uploaded: true, type, identity | objectId, evtName}, or the item's own error for a record CleverTap
 * refused. Never sent twice: an event stored twice is counted twice.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return sendBatches(this, ct, {
		noun: 'record',
		build: (i) => {
			const record: IDataObject = { type: 'event', ...readIdentifier(this, i) };
			const ts = readTimestamp(this, i);
			record.evtName = uploadEventName(this.getNodeParameter('eventName', i, ''));
			record.evtData = readProperties(this, i, 'event');
			record.ts = ts ?? Math.floor(Date.now() / 1000);
			return record;
		},
		send: (records) =>
			ct.batch('upload', '/1/upload', records, {
				action: 'the Upload Events call',
				howToCheck:
					'Do not simply run it again: events CleverTap stored would be counted twice. Check first with Event → Count or Event → Get Many for this event name and day, then upload only the events that are missing.',
			}),
		ok: (record) => ({ ...uploaded(record), evtName: record.evtName }),
	});
}
