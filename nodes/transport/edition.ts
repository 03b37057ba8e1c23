import { egressOf, send, sleep, validateTlsMaterial } from './http';
import type { Transport } from './seam';
import { sharedState, tokens } from './shared-state';

/**
 * The full edition, for self-hosted n8n: the pooled undici client (one keep-alive agent per TLS identity), and
 * tokens and account limits in this process's memory or, in queue mode, in n8n's Redis (shared-state.ts).
 * The verified edition has its own module in this place (edition-verified.ts); nothing else differs.
 */
export const edition: Transport = {
	edition: 'full',
	send,
	egressOf,
	tokens,
	get limiter() {
		// Decided on first use, when n8n has set its environment.
		return sharedState().limiter;
	},
	sleep,
	validateTlsMaterial,
};

// The pool and the shared state, for tests, benchmarks and a clean shutdown.
export { closeAllAgents, getAgent } from './http';
export { buildSharedState, resetSharedState, sharedState } from './shared-state';
