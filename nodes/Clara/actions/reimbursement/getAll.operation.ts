import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { InvalidInput } from '../../../transport';
import type { Clara } from '../../transport';
import { dateFilter, eachItem, listOptions, listProperties, readFilters, stringFilter } from '../common';

const filters = [
	dateFilter('Requested From', 'requestCreationDateStart'),
	dateFilter('Requested To', 'requestCreationDateEnd'),
	dateFilter('Expense Date From', 'expenseDateStart'),
	dateFilter('Expense Date To', 'expenseDateEnd'),
	dateFilter('Final Approval From', 'finalApprovalDateStart'),
	dateFilter('Final Approval To', 'finalApprovalDateEnd'),
	dateFilter('Paid From', 'paymentDateStart'),
	dateFilter('Paid To', 'paymentDateEnd'),
	dateFilter('Last Updated From', 'lastUpdateDateStart'),
	dateFilter('Last Updated To', 'lastUpdateDateEnd'),
	stringFilter('Statuses', 'statuses', 'Comma-separated, e.g. PENDING,APPROVED'),
	stringFilter('Category Codes', 'categoryCodes', 'Comma-separated digits, e.g. 23,25'),
	stringFilter('Requester UUIDs', 'requesterUuids', 'Comma-separated'),
	stringFilter('Requester Name', 'requesterName'),
	stringFilter('Reimbursement UUIDs', 'uuids', 'Comma-separated'),
];

/** Clara's list filters are comma-separated: spaces around the commas and empty entries are dropped. */
function commaList(query: IDataObject, name: string, label: string, digitsOnly = false): void {
	if (query[name] === undefined) return;
	const values = String(query[name])
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
	if (digitsOnly && values.some((v) => !/^\d+$/.test(v))) {
		throw new InvalidInput(label, `${label} must be numbers separated by commas, like 23,25`, 'Nothing was sent to Clara.');
	}
	if (values.length) query[name] = values.join(',');
	else delete query[name];
}

export const description = listProperties('reimbursement', 'getAll', filters);

/**
 * GET /v3/reimbursements (Spring pages; Clara's default page is 20, the node asks for up to 100) → one item per
 * out-of-pocket expense request matching the filters.
 */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => {
		const query = readFilters(this, i, filters);
		commaList(query, 'statuses', 'Statuses');
		commaList(query, 'categoryCodes', 'Category Codes', true);
		commaList(query, 'requesterUuids', 'Requester UUIDs');
		commaList(query, 'uuids', 'Reimbursement UUIDs');
		return clara.list('/v3/reimbursements', query, listOptions(this, i));
	});
}
