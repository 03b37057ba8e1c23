import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { runPerItem, showFor } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { confermaDate, extraFields, timeoutOption } from './fields';

const show = showFor('deployment', 'create');

export const description: INodeProperties[] = [
	{ displayName: 'Client Account Code Type', name: 'clientAccountCodeType', type: 'string', required: true, default: '', placeholder: 'e.g. BTA', description: 'The type of the account code the card is charged to', displayOptions: show },
	{ displayName: 'Client Account Code', name: 'clientAccountCodeValue', type: 'string', required: true, default: '', placeholder: 'e.g. ACME-1', displayOptions: show },
	{ displayName: 'Amount', name: 'amount', type: 'number', required: true, typeOptions: { numberPrecision: 2, minValue: 0 }, default: 0, description: 'The most the card may be charged', displayOptions: show },
	{ displayName: 'Currency Code', name: 'currencyCode', type: 'string', required: true, default: 'GBP', description: 'ISO 4217, e.g. GBP, EUR, USD', displayOptions: show },
	{ displayName: 'Valid From', name: 'startDate', type: 'dateTime', required: true, default: '', description: 'First day the card can be used (sent as YYYY-MM-DD)', displayOptions: show },
	{ displayName: 'Valid To', name: 'endDate', type: 'dateTime', required: true, default: '', description: 'Last day the card can be used (sent as YYYY-MM-DD)', displayOptions: show },
	{
		displayName: 'Consumer Reference',
		name: 'consumerReference',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.bookingId }}',
		description: 'Your own unique reference for this payment (a booking number). It is what makes a retry safe: see the option below.',
		displayOptions: show,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Extra Fields (JSON)', name: 'extraFields', type: 'json', default: '{}', description: 'Any other deployment fields Conferma takes, e.g. {"travellers": [{"firstName": "Alex", "lastName": "Doe"}]}; the fields above win' },
			{ displayName: 'Spend Type', name: 'spendType', type: 'string', default: '', placeholder: 'e.g. Hotel' },
			{ displayName: 'Supplier Name', name: 'supplierName', type: 'string', default: '' },
			{ displayName: 'Supplier Reference', name: 'supplierReference', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Reuse Deployment with Same Consumer Reference',
				name: 'reuseExisting',
				type: 'boolean',
				default: false,
				description:
					'Whether to look for a deployment with this Consumer Reference first and return it (with "alreadyExisted": true) instead of creating a second card. Makes re-running the workflow, or n8n\'s Retry On Fail, safe.',
			},
			timeoutOption,
		],
	},
];

/** Creates at once: each is a card for real money, so few, and they share the token and the connections. */
const ITEM_CONCURRENCY = 4;

function body(ctx: IExecuteFunctions, i: number): IDataObject {
	const extra = ctx.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const out: IDataObject = {
		...extraFields(ctx, extra.extraFields, i),
		clientAccountCode: { type: String(ctx.getNodeParameter('clientAccountCodeType', i)).trim(), value: String(ctx.getNodeParameter('clientAccountCodeValue', i)).trim() },
		deploymentAmount: { amount: ctx.getNodeParameter('amount', i) as number, currencyCode: String(ctx.getNodeParameter('currencyCode', i)).trim().toUpperCase() },
		paymentRange: { startDate: confermaDate(ctx, ctx.getNodeParameter('startDate', i), 'Valid From', i), endDate: confermaDate(ctx, ctx.getNodeParameter('endDate', i), 'Valid To', i) },
	};
	const consumerReference = String(ctx.getNodeParameter('consumerReference', i, '')).trim();
	if (consumerReference) out.consumerReference = consumerReference;
	if (extra.spendType) out.spendType = extra.spendType;
	if (extra.supplierReference) out.supplierReference = extra.supplierReference;
	if (extra.supplierName) out.supplier = { ...((out.supplier as IDataObject) ?? {}), name: extra.supplierName };
	return out;
}

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	// Items of this run with the same reference wait for each other, so two of them never both create.
	const byReference = new Map<string, Promise<IDataObject>>();
	return runPerItem(
		this,
		async (i) => {
			const payload = body(this, i);
			const options = this.getNodeParameter('options', i, {}) as { reuseExisting?: boolean; timeout?: number };
			const reference = payload.consumerReference as string | undefined;
			if (options.reuseExisting && !reference) {
				throw new NodeOperationError(this.getNode(), 'Reuse Deployment with Same Consumer Reference needs a Consumer Reference', { itemIndex: i, description: 'Map a unique reference (e.g. the booking number) into Consumer Reference, or turn the option off.' });
			}
			const createOrReuse = async (earlier?: Promise<IDataObject>): Promise<IDataObject> => {
				if (earlier) await earlier.catch(() => undefined);
				if (options.reuseExisting) {
					const [existing] = await conferma.list({ consumerReference: reference }, { returnAll: false, limit: 1 });
					if (existing) return { ...existing, alreadyExisted: true };
				}
				return conferma.create(payload, options.timeout);
			};
			let pending: Promise<IDataObject>;
			if (options.reuseExisting && reference) {
				pending = createOrReuse(byReference.get(reference));
				byReference.set(reference, pending);
			} else {
				pending = createOrReuse();
			}
			try {
				return await pending;
			} catch (error) {
				throw conferma.toNodeError(this, error, i);
			}
		},
		{ concurrency: ITEM_CONCURRENCY },
	);
}
