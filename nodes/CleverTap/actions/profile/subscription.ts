import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InvalidInput, shown } from '../../../transport';
import type { CleverTap } from '../../transport';
import { sendBatches, showFor, text, type CleverTapOperation } from '../common';

type Status = 'Resubscribe' | 'Unsubscribe';

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

/**
 * Subscribe or Unsubscribe: POST /1/subscribe {d: [{type: "email" | "phone", value, status}]}, 1000 entries a call.
 * CleverTap applies the status to the number or address for every profile that shares it.
 */
export function subscriptionOperation(operation: 'subscribe' | 'unsubscribe'): CleverTapOperation {
	const status: Status = operation === 'subscribe' ? 'Resubscribe' : 'Unsubscribe';
	const show = showFor('profile', operation);
	const description: INodeProperties[] = [
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
	return {
		description,
		async execute(this: IExecuteFunctions, ct: CleverTap) {
			return sendBatches(this, ct, {
				noun: 'entry',
				build: (i): IDataObject => {
					const type = this.getNodeParameter('channel', i, 'email') as 'email' | 'phone';
					const value = text(this, i, 'value', 'Value');
					return { type, value: type === 'phone' ? phone(value) : email(value), status };
				},
				send: (records) =>
					ct.batch('subscribe', '/1/subscribe', records, {
						action: `the ${operation === 'subscribe' ? 'Subscribe' : 'Unsubscribe'} call`,
						howToCheck: 'Setting the same status again is harmless: run these items again.',
					}),
				ok: ({ type, value }) => ({ updated: true, channel: type, value, status }),
			});
		},
	};
}
