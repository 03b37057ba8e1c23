import { getOperation } from '../common';

export const { description, execute } = getOperation('billingStatement', 'Billing Statement', (uuid) => `/v3/billing-statements/${uuid}`);
