import type { IExecuteFunctions } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { dateFilter, eachItem, listOptions, listProperties, optionsFilter, readFilters, stringFilter } from '../common';

const filters = [
	optionsFilter('Status', 'status', ['ACTIVE', 'LOCKED']),
	optionsFilter('Role', 'role', ['EMPLOYEE', 'MANAGER', 'COMPANY_OWNER', 'BOOKKEEPER']),
	stringFilter('First Name', 'name'),
	stringFilter('Last Name', 'lastName'),
	stringFilter('Full Name', 'fullName'),
	stringFilter('Email', 'email'),
	stringFilter('Mobile Phone', 'mobilePhone'),
	stringFilter('Tax Identifier', 'taxIdentifier', 'RFC, CPF or NIT of the user'),
	stringFilter('ERP ID', 'erpId'),
	stringFilter('Location UUID', 'locationUuid'),
	stringFilter('Location Name', 'locationName'),
	stringFilter('Manager UUID', 'managerUuid'),
	dateFilter('Created From', 'createdAtStart'),
	dateFilter('Created To', 'createdAtEnd'),
];

export const description = listProperties('user', 'getAll', filters);

/** GET /v3/users (Spring pages) → one item per user matching the filters. */
export async function execute(this: IExecuteFunctions, clara: Clara) {
	return eachItem(this, clara, async (i) => clara.list('/v3/users', readFilters(this, i, filters), listOptions(this, i)));
}
