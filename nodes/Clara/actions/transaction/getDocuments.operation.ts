import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { readPage } from '../../../transport';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, showFor, uuidOf, uuidProperty } from '../common';

export const description: INodeProperties[] = [
	uuidProperty('transaction', 'getDocuments', 'Transaction'),
	{
		displayName: "Clara's download links expire 12 hours after Clara makes them: download the files in the same workflow rather than storing the links",
		name: 'documentsNotice',
		type: 'notice',
		default: '',
		displayOptions: showFor('transaction', 'getDocuments'),
	},
];

/**
 * GET /v3/transactions/{uuid}/documents → one item per file attached to the transaction (receipts and the like):
 * uuid, fileName, format, updateAt, download.url and download.urlExpiration (12 hours after Clara made the link),
 * plus the transaction's uuid. A transaction without attachments gives no items.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(
		this,
		clara,
		async (i) => {
			const uuid = uuidOf(this, i, 'Transaction');
			const body = await clara.get(`/v3/transactions/${uuid}/documents`);
			const transactionUuid = body.transactionUuid ?? decodeURIComponent(uuid);
			return readPage(body, 'Clara', ['attachments']).items.map((document) => ({ transactionUuid, ...document }));
		},
		ITEM_CONCURRENCY,
	);
}
