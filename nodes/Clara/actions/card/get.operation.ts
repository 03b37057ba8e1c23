import { getOperation } from '../common';

export const { description, execute } = getOperation('card', 'Card', (uuid) => `/v3/cards/${uuid}`);
