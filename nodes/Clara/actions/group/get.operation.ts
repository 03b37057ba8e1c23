import { getOperation } from '../common';

export const { description, execute } = getOperation('group', 'Group', (uuid) => `/v2/groups/${uuid}`);
