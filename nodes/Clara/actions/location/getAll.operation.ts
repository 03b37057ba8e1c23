import { getAllOperation } from '../common';

// Clara serves locations on v2 only.
export const { description, execute } = getAllOperation('location', '/v2/locations');
