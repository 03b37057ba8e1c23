import { getOperation } from '../common';

export const { description, execute } = getOperation('location', 'Location', (uuid) => `/v2/locations/${uuid}`);
