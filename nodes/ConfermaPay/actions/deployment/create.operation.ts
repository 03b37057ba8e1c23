import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { amount, calendarDate, currency, dateRange, agentPermissionProperty, InvalidInput, refuseInAgentRun, requiredText, runPerItem, showFor, shown } from '../../../transport';
import type { ConfermaPay } from '../../transport';
import { CLIENT_ACCOUNT_CODE_TYPES, clientAccountCode, consumerReference, extraFields, SPEND_TYPES, spendTypeField, timeoutOf, timeoutOption } from './fields';

const show = showFor('deployment', 'create');

export const description: INodeProperties[] = [
	{
		displayName: 'Client Account Code Type',
		name: 'clientAccountCodeType',
		type: 'options',
		required: true,
		options: CLIENT_ACCOUNT_CODE_TYPES,
		default: 'CLIENTID',
		description: 'How the card pool the card is charged to is named: its Client ID, or a Client Account Code set up in Conferma',
		displayOptions: show,
	},
	{ displayName: 'Client Account Code', name: 'clientAccountCodeValue', type: 'string', required: true, default: '', placeholder: 'e.g. 1234', description: 'The Client ID (a number) or the Client Account Code of the card pool', displayOptions: show },
	{ displayName: 'Amount', name: 'amount', type: 'number', required: true, typeOptions: { minValue: 0 }, default: 0, description: 'The most the card may be charged, with no more decimals than the currency has', displayOptions: show },
	{ displayName: 'Currency Code', name: 'currencyCode', type: 'string', required: true, default: 'GBP', description: 'ISO 4217, e.g. GBP, EUR, USD', displayOptions: show },
	{ displayName: 'Valid From', name: 'startDate', type: 'dateTime', required: true, default: '', description: 'First day the card can be used (sent as YYYY-MM-DD)', displayOptions: show },
	{ displayName: 'Valid To', name: 'endDate', type: 'dateTime', required: true, default: '', description: 'Last day the card can be used (sent as YYYY-MM-DD), not before Valid From', displayOptions: show },
	{ displayName: 'Supplier Name', name: 'supplierName', type: 'string', required: true, default: '', placeholder: 'e.g. Grand Hotel London', description: 'The merchant or supplier expected to charge the card', displayOptions: show },
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
			{
				displayName: 'Extra Fields (JSON)',
				name: 'extraFields',
				type: 'json',
				default: '{}',
				description: 'Any other deployment fields Conferma takes, e.g. {"travellers": [{"firstName": "Alex", "lastName": "Doe"}], "supplier": {"address": {"city": "London"}}}; the fields above win',
			},
			spendTypeField,
			{ displayName: 'Supplier Reference', name: 'supplierReference', type: 'string', default: '', description: 'The supplier\'s booking confirmation or invoice reference' },
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
	agentPermissionProperty('deployment', 'create', 'issue a virtual card (it moves money)'),
];

/** Creates at once: each is a card for real money, so few, and they share the token and the connections. */
const ITEM_CONCURRENCY = 4;

/**
 * The deployment to create, every field checked first: a bad amount, currency, date range, card pool or a missing
 * supplier fails this item before anything is sent.
 */
function body(ctx: IExecuteFunctions, i: number): IDataObject {
	const extra = ctx.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const more = extraFields(extra.extraFields);
	const currencyCode = currency(ctx.getNodeParameter('currencyCode', i), 'Currency Code');
	const startDate = calendarDate(ctx.getNodeParameter('startDate', i, ''), 'Valid From', { required: true });
	const endDate = calendarDate(ctx.getNodeParameter('endDate', i, ''), 'Valid To', { required: true });
	dateRange(startDate, endDate, ['Valid From', 'Valid To']);
	const out: IDataObject = {
		...more,
		clientAccountCode: clientAccountCode(ctx.getNodeParameter('clientAccountCodeType', i), ctx.getNodeParameter('clientAccountCodeValue', i, '')),
		// The sub-field names are a guess: Conferma's reference only says "a monetary value and currency code" and
		// unofficial clients disagree (`{amount, currencyCode}` vs `{value, currency}`). A wrong guess is a 400, no card.
		deploymentAmount: { amount: amount(ctx.getNodeParameter('amount', i, ''), 'Amount', currencyCode), currencyCode },
		paymentRange: { startDate, endDate },
		supplier: { ...(isObject(more.supplier) ? more.supplier : {}), name: requiredText(ctx.getNodeParameter('supplierName', i, ''), 'Supplier Name') },
	};
	const reference = consumerReference(ctx.getNodeParameter('consumerReference', i, ''));
	if (reference) out.consumerReference = reference;
	if (extra.spendType) {
		if (!SPEND_TYPES.includes(String(extra.spendType))) throw new InvalidInput('Spend Type', `Spend Type ${shown(extra.spendType)} is not one Conferma knows`, `Use one of ${SPEND_TYPES.join(', ')}.`);
		out.spendType = extra.spendType;
	}
	if (extra.supplierReference) out.supplierReference = String(extra.supplierReference).trim();
	return out;
}

const isObject = (v: unknown): v is IDataObject => !!v && typeof v === 'object' && !Array.isArray(v);

export async function execute(this: IExecuteFunctions, conferma: ConfermaPay): Promise<INodeExecutionData[]> {
	// Items of this run with the same reference wait for each other, so two of them never both create.
	const byReference = new Map<string, Promise<IDataObject>>();
	return runPerItem(
		this,
		async (i) => {
			refuseInAgentRun(this, i, 'create a Conferma deployment (a virtual card)');
			const payload = body(this, i);
			const options = this.getNodeParameter('options', i, {}) as { reuseExisting?: boolean; timeout?: number };
			const timeout = timeoutOf(options.timeout);
			const reference = payload.consumerReference as string | undefined;
			if (options.reuseExisting && !reference) {
				throw new InvalidInput('Consumer Reference', 'Reuse Deployment with Same Consumer Reference needs a Consumer Reference', 'Map a unique reference (e.g. the booking number) into Consumer Reference, or turn the option off.');
			}
			const createOrReuse = async (earlier?: Promise<IDataObject>): Promise<IDataObject> => {
				if (earlier) await earlier.catch(() => undefined);
				if (options.reuseExisting) {
					const found = await conferma.list({ consumerReference: reference }, { returnAll: false, limit: 10 });
					// Returning another booking's card as this one's would be worse than no reuse at all.
					if (found.some((d) => d.consumerReference !== reference)) {
						throw new NodeOperationError(this.getNode(), 'Conferma answered the look-up by Consumer Reference with deployments of other references, so the node cannot tell whether this one exists: nothing was created', {
							itemIndex: i,
							description: 'Conferma did not apply the consumerReference filter. Turn off "Reuse Deployment with Same Consumer Reference" and check for an existing card another way before creating one.',
						});
					}
					if (found[0]) return { ...found[0], alreadyExisted: true };
				}
				return conferma.create(payload, timeout);
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
