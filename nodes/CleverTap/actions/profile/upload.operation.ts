import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { sendBatches } from '../batches';
import { readIdentifier, readProperties, readTimestamp, uploaded, uploadFields } from '../records';

export const description: INodeProperties[] = uploadFields('profile');

/**
 * POST /1/upload {d: [{type: "profile", identity | objectId, profileData, ts?}]}, 1000 records a call → one item per
 * input item: {uploaded: true, type, identity | objectId}, or the item's own error for a record CleverTap refused.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return sendBatches(this, ct, {
		noun: 'record',
		build: (i) => {
			const record: IDataObject = { type: 'profile', ...readIdentifier(this, i) };
			const ts = readTimestamp(this, i);
			record.profileData = readProperties(this, i, 'profile');
			if (ts !== undefined) record.ts = ts;
			return record;
		},
		send: (records) =>
			ct.batch('upload', '/1/upload', records, {
				action: 'the Upload Profiles call',
				howToCheck:
					'Profile uploads are safe to repeat: sending the same records again sets the same properties. Run these items again (with "On Error: Continue", only the failed ones).',
			}),
		ok: uploaded,
	});
}
