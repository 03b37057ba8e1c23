import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { amount, calendarDate, currency, dateRange, agentPermissionProperty, InvalidInput, itemParameter, refuseInAgentRun, requiredText, runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { consumerReference, deploymentId, deploymentIdProperty, extraFields, timeoutOf, timeoutOption } from './fields';

const show = showFor('deployment', 'amend');

export const description: INodeProperties[] = [
	deploymentIdProperty(show),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Amount', name: 'amount', type: 'number', typeOptions: { minValue: 0 }, default: 0, description: 'The new most the card may be charged, with no more decimals than the currency has' },
			{ displayName: 'Consumer Reference', name: 'consumerReference', type: 'string', default: '' },
			{ displayName: 'Currency Code', name: 'currencyCode', type: 'string', default: '', placeholder: 'e.g. GBP' },
			{ displayName: 'Extra Fields (JSON)', name: 'extraFields', type: 'json', default: '{}', description: 'Any other deployment fields to change; the fields above win' },
			{ displayName: 'Supplier Name', name: 'supplierName', type: 'string', default: '' },
			{ displayName: 'Supplier Reference', name: 'supplierReference', type: 'string', default: '' },
			{ displayName: 'Valid From', name: 'startDate', type: 'dateTime', default: '', description: 'Sent as YYYY-MM-DD' },
			{ displayName: 'Valid To', name: 'endDate', type: 'dateTime', default: '', description: 'Sent as YYYY-MM-DD, not before Valid From' },
		],
	},
	{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show, options: [timeoutOption] },
	agentPermissionProperty('deployment', 'amend', 'change a deployment (its amount, dates or supplier)'),
];

/**
 * Set by Conferma (its deployment report names Conferma their data controller), never sent back; the card details
 * above all, which may hold the full number and CVV.
 */
const CONFERMA_FIELDS = ['deploymentId', 'id', 'status', 'card', 'cardDetails', 'createdAt', 'amendedAt'];

interface Changes {
	extra: IDataObject;
	amount?: number;
	currencyCode?: string;
	startDate?: string;
	endDate?: string;
	supplierName?: string;
	consumerReference?: string;
	supplierReference?: string;
}

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The changes as typed, each checked before anything is sent (what needs the deployment's own values waits for it). */
function changesOf(fields: IDataObject): Changes {
	const extra = extraFields(fields.extraFields);
	const currencyCode = given(fields.currencyCode) ? currency(fields.currencyCode, 'Currency Code') : undefined;
	const startDate = calendarDate(fields.startDate, 'Valid From');
	const endDate = calendarDate(fields.endDate, 'Valid To');
	dateRange(startDate, endDate, ['Valid From', 'Valid To']);
	const changes: Changes = {
		extra,
		amount: fields.amount !== undefined ? amount(fields.amount, 'Amount', currencyCode) : undefined,
		currencyCode,
		startDate,
		endDate,
		supplierName: given(fields.supplierName) ? requiredText(fields.supplierName, 'Supplier Name') : undefined,
		consumerReference: consumerReference(fields.consumerReference),
		supplierReference: given(fields.supplierReference) ? requiredText(fields.supplierReference, 'Supplier Reference') : undefined,
	};
	const meaningful = Object.entries(changes).some(([k, v]) => (k === 'extra' ? Object.keys(extra).length > 0 : v !== undefined));
	if (!meaningful) throw new InvalidInput('Update Fields', 'Nothing to amend: add at least one Update Field', 'Add the fields to change under Update Fields.');
	return changes;
}

/**
 * The deployment as it is now, with the changes applied, sent whole: correct whether Conferma's PUT replaces the
 * deployment or merges into it (not published). Checks what needs the deployment's own values: the decimals of the
 * amount in the deployment's currency, and a new date against the one that stays.
 */
function amended(current: IDataObject, changes: Changes): IDataObject {
	const out: IDataObject = { ...current, ...changes.extra };
	for (const field of CONFERMA_FIELDS) delete out[field];
	// `{amount, currencyCode}` is a guess: the reference only says "a monetary value and currency code", and unofficial
	// clients disagree (`{value, currency}`); the current deployment's own sub-fields are kept as Conferma sent them.
	const money = { ...((current.deploymentAmount as IDataObject) ?? {}), ...((changes.extra.deploymentAmount as IDataObject) ?? {}) };
	if (changes.currencyCode) money.currencyCode = changes.currencyCode;
	if (changes.amount !== undefined) money.amount = changes.amount;
	if (changes.amount !== undefined || changes.currencyCode) {
		const code = String(money.currencyCode ?? '');
		if (changes.amount !== undefined && /^[A-Z]{3}$/.test(code)) amount(changes.amount, 'Amount', code);
		out.deploymentAmount = money;
	}
	const range = { ...((current.paymentRange as IDataObject) ?? {}), ...((changes.extra.paymentRange as IDataObject) ?? {}) };
	if (changes.startDate) range.startDate = changes.startDate;
	if (changes.endDate) range.endDate = changes.endDate;
	if (changes.startDate || changes.endDate) {
		dateRange(range.startDate as string | undefined, range.endDate as string | undefined, ['Valid From', 'Valid To']);
		out.paymentRange = range;
	}
	if (changes.supplierName) out.supplier = { ...((current.supplier as IDataObject) ?? {}), ...((changes.extra.supplier as IDataObject) ?? {}), name: changes.supplierName };
	if (changes.consumerReference) out.consumerReference = changes.consumerReference;
	if (changes.supplierReference) out.supplierReference = changes.supplierReference;
	return out;
}

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	return runPerItem(
		this,
		async (i) => {
			refuseInAgentRun(this, i, 'amend a Conferma deployment');
			const id = deploymentId(itemParameter(this, 'deploymentId', i));
			const changes = changesOf(this.getNodeParameter('updateFields', i, {}) as IDataObject);
			const { timeout } = this.getNodeParameter('options', i, {}) as { timeout?: number };
			const timeoutMs = timeoutOf(timeout);
			try {
				const current = await conferma.get(id);
				return await conferma.amend(id, amended(current, changes), timeoutMs);
			} catch (error) {
				throw conferma.toNodeError(this, error, i);
			}
		},
		{ concurrency: 4 },
	);
}
