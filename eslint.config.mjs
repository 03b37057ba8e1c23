// n8n's community-node rules: the maintained @n8n/community-nodes set plus eslint-plugin-n8n-nodes-base's
// package.json / credential / node rule sets, as the official starter uses them.
import tseslint from 'typescript-eslint';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

// eslint-plugin-n8n-nodes-base skips every package.json rule when NODE_ENV is "test" (its own test mode), which
// is what a test runner sets for its children: lint would pass a broken package.json there. Read before it loads.
delete process.env.NODE_ENV;
const { default: n8nNodesBase } = await import('eslint-plugin-n8n-nodes-base');

const base = (set) => ({ plugins: { 'n8n-nodes-base': n8nNodesBase }, rules: n8nNodesBase.configs[set].rules });

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'sandbox/**', 'bench/**', 'scripts/**', 'examples/**', 'gulpfile.js', 'jest.config.js'] },
	{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } } },
	// package.json parsed by the TypeScript parser, as @n8n/node-cli's own config does: both plugins' package.json
	// rules look for the ESTree object it gives (a JSON-only parser gives other node types, and no rule fires).
	{ files: ['package.json'], languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } } },
	communityNodes.configs.recommendedWithoutN8nCloudSupport,
	{ files: ['credentials/**/*.ts'], ...base('credentials') },
	{ files: ['nodes/**/*.ts'], ...base('nodes') },
	{ files: ['package.json'], ...base('community') },
	// Rules broken on purpose (each listed in the README with its reason).
	{
		files: ['package.json'],
		rules: {
			// A pooled mutual-TLS HTTP client (undici) and the queue-mode store (ioredis) are needed at run time; this
			// package is for self-hosted n8n, which installs a package's dependencies with it.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['**/*.ts'],
		rules: {
			// Written for nodes inside n8n's own repository (docs slug); a community package links a URL, as
			// @n8n/community-nodes/credential-documentation-url requires.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Older rule that wants the string 'main'; the maintained rule set and the official starter use
			// NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		// The transport's own error classes never reach n8n: toNodeError() turns every one into a NodeApiError
		// at the node boundary, with the vendor-specific message.
		files: ['nodes/transport/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
];
