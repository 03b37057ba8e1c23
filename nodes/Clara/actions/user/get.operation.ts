import { getOperation } from '../common';

export const { description, execute } = getOperation('user', 'User', (uuid) => `/v3/users/${uuid}`);
