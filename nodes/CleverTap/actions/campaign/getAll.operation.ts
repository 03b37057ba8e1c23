import { dateListOperation } from '../common';

/** POST /1/targets/list.json {from, to} → {targets: [...]}: the campaigns scheduled in the range. */
export const { description, execute } = dateListOperation('campaign', 'getAll', '/1/targets/list.json', 'targets');
