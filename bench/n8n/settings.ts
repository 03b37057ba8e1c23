/** The real-app bench's settings, from its command line (see index.ts). */
import { tmpdir } from 'os';
import { join } from 'path';
export { HANDSHAKE_MS, LATENCY_MS } from '../common';

const argv = process.argv.slice(2);
export const QUICK = argv.includes('--quick');
export const PROFILE = argv.includes('--profile');
export const VERSIONS = argv.find((a) => a.startsWith('--versions='))?.slice(11).split(',') ?? ['2.8.4', '2.41.1'];
export const ITEMS = QUICK ? 200 : 2_000;
/** Executions of each way in scenario A (interleaved). */
export const LOOKUP_ROUNDS = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (QUICK ? 1 : 5));
export const CONCURRENCY = QUICK ? 10 : 50;
/**
 * Signups per way per round in scenario B (at most 100: see finishedSince). Rounds interleave the ways in the
 * order A B C C B A A B C …, so that a drift in the machine's speed during the run (up to 35% between rounds seconds
 * apart on this machine) falls on every way alike.
 */
export const SIGNUPS_PER_ROUND = QUICK ? 20 : 100;
export const SIGNUP_ROUNDS = QUICK ? 2 : 6;
/** Our node's item concurrency (nodes/Clara/actions/common.ts): the raw loop gets the same. */
export const CONNECTIONS = 16;

export const CACHE = process.env.N8N_CACHE_DIR ?? join(process.env.HOME ?? tmpdir(), '.cache', 'n8n-nodes-fintech-identity');
