import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { emailAddress, optionalText, requiredText, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { CreateOnce, optionsProperty, runWrites, writeOptions } from '../writes';
import { phoneNumber } from './update.operation';

/**
 * User → Create: `POST /v2/users` with `{fullName, email, phoneNumber?, jobTitle?, department?}` (Clara's v2 users
 * API; v3 has no create). The email is Clara's natural key for a person, so the reuse option looks it up first.
 */

const show = showFor('user', 'create');

export const description: INodeProperties[] = [
	{ displayName: 'Full Name', name: 'fullName', type: 'string', required: true, default: '', placeholder: 'e.g. Ana García', displayOptions: show },
	{ displayName: 'Email', name: 'email', type: 'string', required: true, default: '', placeholder: 'e.g. name@email.com', displayOptions: show },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Department', name: 'department', type: 'string', default: '' },
			{ displayName: 'Job Title', name: 'jobTitle', type: 'string', default: '' },
			{ displayName: 'Phone Number', name: 'phoneNumber', type: 'string', default: '', placeholder: 'e.g. +5215512345678', description: 'With the country code' },
		],
	},
	optionsProperty('user', 'create', [
		{
			displayName: 'Reuse User with Same Email',
			name: 'reuseExisting',
			type: 'boolean',
			default: false,
			description: 'Whether to look for a user with this email first and return it, with "alreadyExisted": true, instead of creating one. Makes re-running the workflow, or n8n\'s Retry On Fail, safe.',
		},
	]),
];

const CALL = { action: 'the Create User', permission: 'Write users' as const };
const HOW_TO_CHECK = 'User → Get Many with Filters → Email shows whether the user exists now. The option "Reuse User with Same Email" does that look-up for you.';

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	const once = new CreateOnce();
	return runWrites(this, async (i) => {
		const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const user: IDataObject = {
			fullName: requiredText(this.getNodeParameter('fullName', i, ''), 'Full Name'),
			email: emailAddress(this.getNodeParameter('email', i, ''), 'Email'),
		};
		const phone = phoneNumber(extra.phoneNumber, 'Phone Number');
		if (phone) user.phoneNumber = phone;
		for (const [key, label] of [['jobTitle', 'Job Title'], ['department', 'Department']] as const) {
			const value = optionalText(extra[key], label);
			if (value) user[key] = value;
		}
		const options = writeOptions(this, i);
		const email = String(user.email).toLowerCase();
		try {
			return await once.run(
				email,
				'a user with this email',
				options.reuseExisting,
				async () => {
					// Clara's email filter may compare exactly: as typed first, then in lower case.
					for (const filter of new Set([String(user.email), email])) {
						const listed = await clara.list('/v3/users', { email: filter }, { returnAll: true, limit: 0 });
						// A user the answer shows without an email could be this person: not "not found".
						if (listed.some((u) => typeof u.email !== 'string')) throw new Error('Clara listed a user without an email, so it is not clear whether this person already exists');
						const found = listed.find((u) => String(u.email).toLowerCase() === email);
						if (found) return found;
					}
					return undefined;
				},
				async () => asObject((await claraWrite(this, clara, { ...CALL, method: 'POST', path: '/v2/users', json: user, howToCheck: HOW_TO_CHECK, timeoutSec: options.timeout })).body),
			);
		} catch (error) {
			throw writeError(this, clara, CALL, error, i, { conflict: 'Clara already has a user with this email: find it with User → Get Many → Filters → Email, or turn on "Reuse User with Same Email". Nothing was changed.' });
		}
	});
}
