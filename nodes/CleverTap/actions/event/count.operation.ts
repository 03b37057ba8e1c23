import { countOperation } from '../common';

export const { description, execute } = countOperation('event');
