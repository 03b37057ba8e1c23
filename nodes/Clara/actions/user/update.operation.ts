import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { emailAddress, InvalidInput, optionalText, pathSegment, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * User → Update: `PATCH /v3/users/{uuid}` with only the fields given. Setting fields is safe to repeat. Clara's
 * reference names updating as a v3 lifecycle operation; the exact body it takes is not published (see the contract).
 */

const show = showFor('user', 'update');

export const ROLES = ['EMPLOYEE', 'MANAGER', 'COMPANY_OWNER', 'BOOKKEEPER'];

/** A phone number as typed, with its country code: digits, spaces, dashes, dots, brackets, one leading +. */
export function phoneNumber(value: unknown, field: string): string | undefined {
	const text = optionalText(value, field);
	if (text === undefined) return undefined;
	const digits = text.replace(/[\s().-]/g, '');
	if (!/^\+?\d{8,15}$/.test(digits)) {
		throw new InvalidInput(field, `${field} "${text.slice(0, 40)}" is not a phone number`, 'Give 8 to 15 digits with the country code, like +5215512345678.');
	}
	return digits;
}

export const description: INodeProperties[] = [
	uuidProperty('user', 'update', 'User'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Department', name: 'department', type: 'string', default: '' },
			{ displayName: 'Email', name: 'email', type: 'string', default: '', placeholder: 'e.g. name@email.com' },
			{ displayName: 'ERP ID', name: 'erpId', type: 'string', default: '', description: 'The person\'s ID in your ERP or HR system' },
			{ displayName: 'Full Name', name: 'fullName', type: 'string', default: '' },
			{ displayName: 'Job Title', name: 'jobTitle', type: 'string', default: '' },
			{ displayName: 'Location UUID', name: 'locationUuid', type: 'string', default: '', description: 'A location from Location → Get Many' },
			{ displayName: 'Phone Number', name: 'phoneNumber', type: 'string', default: '', placeholder: 'e.g. +5215512345678' },
			{
				displayName: 'Role',
				name: 'role',
				type: 'options',
				default: 'EMPLOYEE',
				options: [
					{ name: 'Bookkeeper', value: 'BOOKKEEPER' },
					{ name: 'Company Owner', value: 'COMPANY_OWNER' },
					{ name: 'Employee', value: 'EMPLOYEE' },
					{ name: 'Manager', value: 'MANAGER' },
				],
			},
		],
	},
	optionsProperty('user', 'update'),
];

const CALL = { action: 'the Update User', permission: 'Write users' as const };
const LABELS: Record<string, string> = { department: 'Department', erpId: 'ERP ID', fullName: 'Full Name', jobTitle: 'Job Title', locationUuid: 'Location UUID' };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'User UUID');
		const given = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		const changes: IDataObject = {};
		for (const [key, label] of Object.entries(LABELS)) {
			const value = optionalText(given[key], label);
			if (value !== undefined) changes[key] = value;
		}
		if (given.email !== undefined && given.email !== '') changes.email = emailAddress(given.email, 'Email');
		const phone = phoneNumber(given.phoneNumber, 'Phone Number');
		if (phone) changes.phoneNumber = phone;
		if (given.role !== undefined) {
			if (!ROLES.includes(String(given.role))) throw new InvalidInput('Role', `Role "${String(given.role).slice(0, 40)}" is not one of Clara's roles`, `Use one of ${ROLES.join(', ')}.`);
			changes.role = given.role;
		}
		if (changes.locationUuid) pathSegment(changes.locationUuid, 'Location UUID');
		if (!Object.keys(changes).length) throw new InvalidInput('Update Fields', 'Update Fields is empty: nothing to change', 'Add at least one field under Update Fields.');
		const { timeout } = writeOptions(this, i);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'PATCH',
				path: `/v3/users/${uuid}`,
				json: changes,
				howToCheck: 'User → Get shows the user\'s current fields; sending the same update again is harmless.',
				timeoutSec: timeout,
			});
			return { uuid: decodeURIComponent(uuid), ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i, { conflict: 'Another Clara user has this email. Nothing was changed.' });
		}
	});
}
