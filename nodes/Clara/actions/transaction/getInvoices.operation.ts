import type { IExecuteFunctions } from 'n8n-workflow';
import { readPage } from '../../../transport';
import type { Clara } from '../../transport';
import { eachItem, ITEM_CONCURRENCY, onlyIn, uuidOf, uuidProperty } from '../common';

export const description = [uuidProperty('transaction', 'getInvoices', 'Transaction')];

/**
 * GET /v3/transactions/{uuid}/invoices (Mexico only) → one item per CFDI invoice linked to the transaction:
 * invoiceId, issuer {rfc, businessName}, amount {total, subTotal, currency}, tax, documentDate, xmlStatus…, plus the
 * transaction's uuid. A transaction without an invoice gives no items.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(
		this,
		clara,
		async (i) => {
			onlyIn(clara, 'mx', 'Invoices (CFDI)');
			const uuid = uuidOf(this, i, 'Transaction');
			const body = await clara.get(`/v3/transactions/${uuid}/invoices`);
			const transactionUuid = body.transactionUuid ?? decodeURIComponent(uuid);
			return readPage(body, 'Clara', ['invoices']).items.map((invoice) => ({ transactionUuid, ...invoice }));
		},
		ITEM_CONCURRENCY,
	);
}
