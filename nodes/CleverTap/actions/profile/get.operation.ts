import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CleverTap } from '../../transport';
import { perItem, showFor, text } from '../common';

const show = showFor('profile', 'get');

export const description: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Identity', value: 'identity' },
			{ name: 'Email', value: 'email' },
			{ name: 'Object ID', value: 'objectId', description: 'CleverTap\'s own ID of the user (CleverTap ID)' },
		],
		default: 'identity',
		displayOptions: show,
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.email }}',
		description: 'The identity, email or object ID to look up',
		displayOptions: show,
	},
];

/** GET /1/profile.json?identity=|email=|objectId= → {status, record}. */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	return perItem(this, ct, async (i) => {
		const findBy = this.getNodeParameter('findBy', i, 'identity') as string;
		const value = text(this, i, 'value', 'Value');
		const body = await ct.call('read', { method: 'GET', path: '/1/profile.json', query: { [findBy]: value } });
		return (body.record && typeof body.record === 'object' ? body.record : body) as IDataObject;
	});
}
