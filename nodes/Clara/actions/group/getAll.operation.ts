import { getAllOperation } from '../common';

// Clara serves groups on v2 only.
export const { description, execute } = getAllOperation('group', '/v2/groups');
