/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Suites that need a service start it themselves and have their own npm scripts (test:redis, test:n8n,
	// test:queue, test:queue-editions, test:editor, test:dev; .ci/run runs them all): `npm test` needs only Node and npm.
	testPathIgnorePatterns: ['/node_modules/', '/test/redis/', '/test/queue-e2e/', '/test/queue-editions/', '/test/real-n8n/', '/test/editor/', '/test/dev/'],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
	setupFiles: ['reflect-metadata'],
	// After every real-app test file (test/real-n8n; a no-op elsewhere): the leak sweep over all it produced.
	setupFilesAfterEnv: ['<rootDir>/test/helpers/sweep.ts'],
	testTimeout: 60_000,
	// Tests share 2 cores with TLS servers in the same process; keep parallelism modest.
	maxWorkers: 2,
	// n8n-core leaves timers/handles alive after WorkflowExecute finishes (seen with 2.8.1), so jest would wait for
	// ever once every test has passed. Tests close their own servers and agents; this only ends the process.
	forceExit: true,
};
