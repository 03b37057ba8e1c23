import { getAllOperation, optionsFilter, stringFilter } from '../common';

export const { description, execute } = getAllOperation('card', '/v3/cards', [
	stringFilter('User UUID', 'userUuid'),
	stringFilter('Username', 'username'),
	stringFilter('User ERP ID', 'userErpId'),
	optionsFilter('Status', 'status', ['ACTIVE', 'BLOCKED', 'CANCELLED', 'EXPIRED']),
	optionsFilter('Periodicity', 'periodicity', ['DAILY', 'WEEKLY', 'MONTHLY']),
	stringFilter('Type', 'type', 'For example MASTER_VIRTUAL'),
]);
