import { dateListOperation } from '../common';

/** POST /1/message/report.json {from, to} → {messages: [...]}: what was sent, per campaign and channel. */
export const { description, execute } = dateListOperation('message', 'getReport', '/1/message/report.json', 'messages');
