/**
 * `npm run contract:check` against the sandbox: every read operation passes when the emulators answer as published,
 * and the check fails — naming the operation and what came — when an answer drifts: a list in a shape the nodes
 * cannot read, or items without a field the nodes rely on. It never prints values or secrets.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import { closeAllAgents } from '../../nodes/transport';
import { contractCheck, type CheckResult } from '../../scripts/contract-check';

let sandbox: Sandbox;
let credentials: Record<string, Record<string, unknown>>;
beforeAll(async () => {
	sandbox = await startSandbox();
	credentials = {
		claraApi: claraCredentials(sandbox),
		cleverTapApi: cleverTapCredentials(sandbox),
		claroFaceMatchApi: claroCredentials(sandbox),
		confermaPayApi: confermaCredentials(sandbox),
	};
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});

const byName = (results: CheckResult[], service: string, check: string) => results.find((r) => r.service === service && r.check === check);

test('the published shapes pass; Conferma only when a new token is allowed; Claro is never billed', async () => {
	const lines: string[] = [];
	const results = await contractCheck(credentials as never, { allow: ['--allow-new-conferma-token'], print: (l) => lines.push(l) });
	expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
	expect(results.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(25);
	expect(sandbox.claro.counters.custom.checks ?? 0).toBe(0);
	const skipped = await contractCheck({ confermaPayApi: credentials.confermaPayApi } as never);
	expect(skipped).toEqual([expect.objectContaining({ outcome: 'skipped', detail: expect.stringMatching(/revokes every other token/) })]);
	const printed = lines.join('\n');
	for (const secret of [sandbox.clara.clientSecret, sandbox.clevertap.passcode, sandbox.claro.secret, sandbox.conferma.clientSecret]) expect(printed).not.toContain(secret);
});

test('a list in a shape the nodes cannot read, and items without their uuid, fail the check by name', async () => {
	sandbox.clara.faults.fail(1, 200, { pathPrefix: '/mx/api-test/v3/cards', body: { status: 'ok', data: [{ uuid: 'c1' }] } });
	// The credential test's own data call reads transactions too: the drift lasts long enough for both.
	sandbox.clara.faults.fail(5, 200, { pathPrefix: '/mx/api-test/v3/transactions', body: { content: [{ id: 7, label: 'secret-ish value' }], totalPages: 1 } });
	const lines: string[] = [];
	const results = await contractCheck({ claraApi: credentials.claraApi } as never, { print: (l) => lines.push(l) });
	expect(byName(results, 'Clara', 'Card → Get Many')).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/an object with keys status, data/) });
	expect(byName(results, 'Clara', 'Transaction → Get Many')).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/answers lack uuid/) });
	expect(lines.join('\n')).not.toContain('secret-ish value');
	sandbox.clara.faults.clear();
});
