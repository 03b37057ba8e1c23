import { getOperation } from '../common';

export const { description, execute } = getOperation('transaction', 'Transaction', (uuid) => `/v3/transactions/${uuid}`);
