import { dateFilter, getAllOperation, optionsFilter, stringFilter } from '../common';

export const { description, execute } = getAllOperation('user', '/v3/users', [
	optionsFilter('Status', 'status', ['ACTIVE', 'LOCKED']),
	optionsFilter('Role', 'role', ['EMPLOYEE', 'MANAGER', 'COMPANY_OWNER', 'BOOKKEEPER']),
	stringFilter('Name', 'name'),
	stringFilter('Email', 'email'),
	stringFilter('Tax Identifier', 'taxIdentifier'),
	stringFilter('ERP ID', 'erpId'),
	stringFilter('Location UUID', 'locationUuid'),
	dateFilter('Created From', 'createdAtStart'),
	dateFilter('Created To', 'createdAtEnd'),
]);
