import { getAllOperation } from '../common';

export const { description, execute } = getAllOperation('billingStatement', '/v3/billing-statements');
