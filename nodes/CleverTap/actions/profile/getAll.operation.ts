import { cursorListOperation } from '../common';

export const { description, execute } = cursorListOperation('profile');
