import { uploadOperation } from '../common';

export const { description, execute } = uploadOperation('event');
