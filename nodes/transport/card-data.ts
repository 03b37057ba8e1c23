import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { isCardNumber, isCvvField, maskCardNumber, maskCardNumbers } from './redact';
import { InvalidInput } from './validate';

/**
 * Card data in node output. Whatever a node outputs, n8n stores in its database with the execution (and shows in
 * the editor, and hands to the next node, which may send it anywhere): a full card number and CVV there put n8n in
 * PCI DSS scope. So every answer that can carry a card goes through `withoutCardData` unless a person switched on
 * `includeFullCardDetailsProperty` on that node: what stays is what a workflow needs to hand a card on safely — the
 * number masked to its last four digits, the expiry, the ids and the status.
 */

/** Field names that hold a card number (Conferma's create answer: `cardDetails.number`). */
const CARD_NUMBER_FIELD = /^(?:card[_-]?number|number|pan|primary[_-]?account[_-]?number|full[_-]?(?:card[_-]?)?number)$/i;
/** Identifiers: a 13–19 digit id that happens to pass Luhn is not taken for a card when it sits under one of these. */
const ID_FIELD = /(?:id|reference)$/i;

/**
 * `value` with every card number masked to its last four digits and every CVV field left out:
 * - by name: a card-number field holding 13 to 19 digits, and any CVV field (cvv, cvc, securityCode…);
 * - by shape: a Luhn-valid card number in any other text (a field Conferma might rename, a message that quotes the
 *   card), except under id and reference fields, which the workflow needs intact. JSON numbers outside card-number
 *   fields are left alone: Conferma's ids are numbers.
 */
export function withoutCardData<T>(value: T, key = ''): T {
	if (Array.isArray(value)) return value.map((v) => withoutCardData(v, key)) as T;
	if (value && typeof value === 'object') {
		const out: IDataObject = {};
		for (const [k, v] of Object.entries(value)) {
			if (isCvvField(k)) continue;
			out[k] = withoutCardData(v, k);
		}
		return out as T;
	}
	if (typeof value !== 'string' && typeof value !== 'number') return value;
	const text = String(value);
	if (CARD_NUMBER_FIELD.test(key)) {
		const digits = text.replace(/[ -]/g, '');
		return (/^\d{13,19}$/.test(digits) ? maskCardNumber(digits) : value) as T;
	}
	if (typeof value === 'number' || ID_FIELD.test(key)) return value;
	// A value that is a card number alone keeps the output's form ("**** 4444"); one inside text is marked as such.
	return (isCardNumber(text.trim()) ? maskCardNumber(text) : maskCardNumbers(text)) as T;
}

export const INCLUDE_FULL_CARD_DETAILS = 'includeFullCardDetails';

/** The off-by-default switch on an operation whose answer can carry a card. */
export function includeFullCardDetailsProperty(displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Include Full Card Details',
		name: INCLUDE_FULL_CARD_DETAILS,
		type: 'boolean',
		noDataExpression: true,
		default: false,
		displayOptions,
		description:
			"Whether to output the card's full number and CVV as the service sends them. Off, the number is masked to its last 4 digits and the CVV left out; expiry, IDs and status stay. On, n8n stores them in its database with this workflow's execution data, shows them in the execution history and passes them to the next node: limit that in the workflow's settings (Save Successful Production Executions: Do Not Save, Save Manual Executions off) or with EXECUTIONS_DATA_SAVE_ON_SUCCESS=none, and prune old executions. Only a value switched on in the node counts: an expression is refused.",
	};
}

/**
 * Whether the person who built the workflow switched the option on. Only a literal `true` stored on the node counts:
 * an expression (`$fromAI`, `$json…`) would let a model or the incoming data turn a person's "no" into "yes", so it
 * is refused before anything is sent.
 */
export function fullCardDetailsWanted(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	const stored = ctx.getNode().parameters[INCLUDE_FULL_CARD_DETAILS];
	if (stored === undefined || stored === false) return false;
	if (stored === true) return true;
	throw new InvalidInput(
		'Include Full Card Details',
		'Include Full Card Details can only be switched on in the node itself, not set by an expression',
		'Switch "Include Full Card Details" on or off in the node; it cannot come from the input data or an AI model. Nothing was sent.',
	);
}

/** The node's output items with card data removed, unless the node's option says to keep it. */
export function cardDataOut(items: INodeExecutionData[], keepFullCardDetails: boolean): INodeExecutionData[] {
	return keepFullCardDetails ? items : items.map((item) => ({ ...item, json: withoutCardData(item.json) }));
}
