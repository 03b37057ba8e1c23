import { existsSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/**
 * n8n's own HTTP Request node (v3), taken from the real n8n install that scripts/n8n/install.sh caches (the same
 * 2.8.x release whose n8n-core runs our tests), so the do-it-yourself way is measured with n8n's real code.
 * Returns undefined when n8n is not installed.
 */
export function loadHttpRequestNode(): unknown {
	const dir = join(process.env.N8N_CACHE_DIR ?? join(homedir(), '.cache', 'n8n-nodes-fintech-identity'), 'n8n-2.8.4');
	const file = join(dir, 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'V3', 'HttpRequestV3.node.js');
	if (!existsSync(file)) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-var-requires
	const { HttpRequestV3 } = require(file);
	return new HttpRequestV3({ displayName: 'HTTP Request', name: 'httpRequest', group: ['output'], description: 'HTTP Request', defaultVersion: 4.2 });
}
