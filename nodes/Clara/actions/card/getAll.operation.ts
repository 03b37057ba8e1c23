import type { IExecuteFunctions } from 'n8n-workflow';
import { InvalidInput } from '../../../transport';
import type { Clara } from '../../transport';
import { eachItem, listOptions, listProperties, optionsFilter, readFilters, stringFilter } from '../common';

const filters = [
	stringFilter('User UUID', 'userUuid', 'Cards of this user. Not together with User ERP ID.'),
	stringFilter('Username', 'username', "The user's username (email), exactly"),
	stringFilter('User ERP ID', 'userErpId', "Cards of the user with this ID in your ERP. Not together with User UUID."),
	optionsFilter('Status', 'status', ['ACTIVE', 'BLOCKED', 'CANCELLED', 'EXPIRED']),
	optionsFilter('Periodicity', 'periodicity', ['DAILY', 'WEEKLY', 'MONTHLY']),
	stringFilter('Type', 'type', 'For example MASTER_VIRTUAL'),
];

export const description = listProperties('card', 'getAll', filters);

/** GET /v3/cards (Spring pages) → one item per card matching the filters. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => {
		const query = readFilters(this, i, filters);
		// Clara documents the two as exclusive; sending both would be refused.
		if (query.userUuid !== undefined && query.userErpId !== undefined) {
			throw new InvalidInput('User ERP ID', 'Filters User UUID and User ERP ID cannot be used together', 'Keep one of the two filters; nothing was sent to Clara.');
		}
		return clara.list('/v3/cards', query, listOptions(this, i));
	});
}
