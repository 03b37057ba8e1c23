import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { integer, InvalidInput, optionalText, pathSegment, requiredText, shown } from '../../../transport';

/**
 * What the Conferma operations share: the deployment id (field and check), the status and spend-type choices, the
 * timeout option and Extra Fields. Sources of each value set: sandbox/contracts/conferma.md.
 */

export const deploymentIdProperty = (show: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Deployment ID',
	name: 'deploymentId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 123456789',
	description: 'The deployment\'s number, as Create and Get Many output it ("deploymentId")',
	displayOptions: show,
});

/** Conferma's deployment ids are numbers (its deployment report: DeploymentID, numeric, up to 38 digits). */
export function deploymentId(value: unknown): string {
	const id = decodeURIComponent(pathSegment(value, 'Deployment ID'));
	if (!/^\d{1,38}$/.test(id)) {
		throw new InvalidInput('Deployment ID', `Deployment ID ${shown(id)} is not a Conferma deployment number`, 'Conferma\'s deployment ids are digits only, e.g. 123456789: map the "deploymentId" field of Create or Get Many.');
	}
	return id;
}

/**
 * A deployment's status, as a Get Many filter. `Deployed` is published (the deployment report); `PreDeployment` and
 * `Failed` come from unofficial client code (Techork PaymentService), `CancelledWithSupplier`, `NotUsed` and
 * `FailedDeployment` from a legacy SOAP client (assertis/conferma-connector). No source has a plain `Cancelled`.
 */
export const statusField: INodeProperties = {
	displayName: 'Status',
	name: 'status',
	type: 'options',
	default: 'Deployed',
	options: [
		{ name: 'Cancelled with Supplier', value: 'CancelledWithSupplier' },
		{ name: 'Deployed', value: 'Deployed' },
		{ name: 'Failed', value: 'Failed' },
		{ name: 'Failed Deployment', value: 'FailedDeployment' },
		{ name: 'Not Used', value: 'NotUsed' },
		{ name: 'Pre-Deployment', value: 'PreDeployment' },
	],
};

/** The kinds of spend Conferma reports a deployment as (DeploymentType). */
export const SPEND_TYPES = ['Air', 'Car', 'Generic', 'Hotel', 'Rail'];

export const spendTypeField: INodeProperties = {
	displayName: 'Spend Type',
	name: 'spendType',
	type: 'options',
	default: 'Hotel',
	options: SPEND_TYPES.map((t) => ({ name: t, value: t })),
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30000,
	description: 'Milliseconds to wait for Conferma\'s answer. When it runs out the request is not sent again (Conferma may have acted on it): look it up before retrying.',
};

/** The Timeout option, checked: a whole number of milliseconds from 1 to 10 minutes. */
export const timeoutOf = (value: unknown) => integer(value, 'Timeout', { min: 1, max: 600_000 });

/** "Extra Fields (JSON)": anything Conferma takes that the node has no field for; the node's own fields win. */
export function extraFields(value: unknown): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	let parsed = value;
	let unreadable: string | undefined;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			unreadable = (error as Error).message;
		}
	}
	if (unreadable !== undefined) throw new InvalidInput('Extra Fields', `Extra Fields is not valid JSON: ${unreadable}`, 'Write a JSON object, e.g. {"travellers": [{"firstName": "Alex"}]}.');
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new InvalidInput('Extra Fields', 'Extra Fields must be a JSON object, e.g. {"travellers": [{"firstName": "Alex"}]}', 'Write the fields inside { }.');
	}
	return parsed as IDataObject;
}

/** How a card pool is named: its Client ID, or a Client Account Code set up in Conferma's Setup UI. */
export const CLIENT_ACCOUNT_CODE_TYPES = [
	{ name: 'Client ID', value: 'CLIENTID' },
	{ name: 'Client Account Code', value: 'CAC' },
];

/** `clientAccountCode` as Conferma takes it, checked: Client IDs are numbers; a code is at most 18 characters, no spaces. */
export function clientAccountCode(type: unknown, value: unknown): { type: string; value: string } {
	const kind = String(type ?? '').trim().toUpperCase();
	if (!CLIENT_ACCOUNT_CODE_TYPES.some((t) => t.value === kind)) {
		throw new InvalidInput('Client Account Code Type', `Client Account Code Type ${shown(type)} is not one Conferma knows`, 'Choose Client ID (CLIENTID) or Client Account Code (CAC).');
	}
	const code = requiredText(value, 'Client Account Code');
	if (kind === 'CLIENTID' && !/^\d{1,38}$/.test(code)) {
		throw new InvalidInput('Client Account Code', `Client Account Code ${shown(code)} is not a Client ID`, 'A Client ID is the card pool\'s number, e.g. 1234; for your own code, set the type to Client Account Code.');
	}
	if (kind === 'CAC' && (code.length > 18 || /\s/.test(code))) {
		throw new InvalidInput('Client Account Code', `Client Account Code ${shown(code)} is not a Conferma client account code`, 'Use the code as it is set up in Conferma: at most 18 letters and digits, no spaces.');
	}
	return { type: kind, value: code };
}

/** Consumer Reference: your unique reference for the payment, at most 50 characters (Conferma's deployment report). */
export function consumerReference(value: unknown): string | undefined {
	const text = optionalText(value, 'Consumer Reference');
	if (text === undefined) return undefined;
	if (text.length > 50) throw new InvalidInput('Consumer Reference', `Consumer Reference ${shown(text)} is longer than 50 characters`, 'Use a shorter unique reference, e.g. the booking number.');
	return text;
}

/** Return All + Limit as typed, checked: a limit is a whole number of at least 1. */
export function listOptions(ctx: IExecuteFunctions, i: number) {
	const returnAll = ctx.getNodeParameter('returnAll', i) as boolean;
	return { returnAll, limit: returnAll ? 0 : integer(ctx.getNodeParameter('limit', i), 'Limit', { min: 1, required: true })! };
}
