import { join } from 'path';

/**
 * The demo, the benchmark and contract:check run the built package from dist/ — what n8n loads — not the TypeScript
 * sources. (It also sidesteps Node resolving `./Clara.node` to the codex file `Clara.node.json` under ts-node.)
 * Under jest, which resolves `.ts` before `.json` and runs without a build, the sources are loaded instead.
 */
// BENCH_DIST: another build's dist/ (bench/before-after.ts measures an older commit's build with today's scenarios).
const root = process.env.JEST_WORKER_ID ? join(__dirname, '..') : (process.env.BENCH_DIST ?? join(__dirname, '..', 'dist'));
const ext = process.env.JEST_WORKER_ID ? '' : '.js';
export const built = {
	transport: () => require(join(root, 'nodes', 'transport', `index${ext}`)) as typeof import('../nodes/transport'),
	node: <T>(path: string) => require(join(root, 'nodes', `${path}.node${ext}`)) as T,
	credential: <T>(name: string) => require(join(root, 'credentials', `${name}.credentials${ext}`)) as T,
};
