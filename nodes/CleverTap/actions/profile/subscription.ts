import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InvalidInput, shown } from '../../../transport';
import { showFor, text } from '../common';

/** What Subscribe and Unsubscribe share: their fields and one entry of POST /1/subscribe read from an item. */

/** A phone number as CleverTap keeps it: + and the country code, 7 to 15 digits (spaces, dashes, dots and brackets dropped). */
function phone(value: string): string {
	const compact = value.replace(/[\s().-]/g, '');
	if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
		throw new InvalidInput('Value', `Value ${shown(value)} is not a phone number with its country code`, 'Write it with + and the country code, e.g. +14155551234.');
	}
	return compact;
}

function email(value: string): string {
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new InvalidInput('Value', `Value ${shown(value)} is not an email address`, 'Give one email address, e.g. ana@example.com.');
	return value;
}

export function subscriptionFields(operation: 'subscribe' | 'unsubscribe'): INodeProperties[] {
	const show = showFor('profile', operation);
	return [
		{
			displayName: 'Channel',
			name: 'channel',
			type: 'options',
			options: [
				{ name: 'Email', value: 'email' },
				{ name: 'Phone', value: 'phone', description: 'SMS and WhatsApp' },
			],
			default: 'email',
			displayOptions: show,
		},
		{
			displayName: 'Value',
			name: 'value',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. {{ $json.email }}',
			description: 'The email address, or the phone number with + and the country code',
			displayOptions: show,
		},
	];
}

/** `{type: "email" | "phone", value, status}`, the value checked and a phone number written compact. */
export function readEntry(ctx: IExecuteFunctions, itemIndex: number, status: 'Resubscribe' | 'Unsubscribe'): IDataObject {
	const type = ctx.getNodeParameter('channel', itemIndex, 'email') as 'email' | 'phone';
	const value = text(ctx, itemIndex, 'value', 'Value');
	return { type, value: type === 'phone' ? phone(value) : email(value), status };
}

/** An entry's output: `{updated: true, channel, value, status}`. */
export const updated = ({ type, value, status }: IDataObject): IDataObject => ({ updated: true, channel: type, value, status });
