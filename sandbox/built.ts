import { join } from 'path';

/**
 * The demo and the benchmark run the built package from dist/ — what n8n loads — not the TypeScript sources.
 * (It also sidesteps Node resolving `./Clara.node` to the codex file `Clara.node.json` under ts-node.)
 */
export const built = {
	transport: () => require(join(__dirname, '..', 'dist', 'nodes', 'transport', 'index.js')) as typeof import('../nodes/transport'),
	node: <T>(path: string) => require(join(__dirname, '..', 'dist', 'nodes', `${path}.node.js`)) as T,
	credential: <T>(name: string) => require(join(__dirname, '..', 'dist', 'credentials', `${name}.credentials.js`)) as T,
};
