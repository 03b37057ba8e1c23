/**
 * n8n's outbound network policy reaches our own HTTP client. n8n ≥ 2.41 offers nodes with their own transport an
 * egress filter (SSRF protection, `N8N_SSRF_PROTECTION_ENABLED`); with it on, its default blocked ranges include
 * loopback, so a workflow reading the sandbox on 127.0.0.1 must be refused before anything is sent — and allowed
 * again once the administrator allows that range. Older n8n has no filter and no such setting: nothing changes.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';

jest.setTimeout(240_000);

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let base: NodeJS.ProcessEnv;
let hasFilter = false;

beforeAll(async () => {
	bin = app.n8nBinary();
	const [major, minor] = app.n8nVersion(bin).split('.').map(Number);
	hasFilter = major > 2 || (major === 2 && minor >= 41);
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-egress-'));
	app.installPackage(join(scratch, 'home'), app.packPackage(scratch));
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	base = app.n8nEnv(join(scratch, 'home'), ports[0], ports[1]);
	await app.importSandboxSetup(bin, base, sandbox, scratch);
}, 900_000);

afterAll(async () => {
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The Conferma report example, headless, with these policy settings; its run or n8n's failure text. */
async function report(policy: Record<string, string>) {
	sandbox.conferma.resetCounters();
	try {
		return { run: await app.executeWorkflow(bin, { ...base, ...policy }, 'exConfermaReport') };
	} catch (error) {
		return { failure: String((error as Error).message) };
	}
}

test('SSRF protection on: refused by the policy, nothing reaches the sandbox (n8n ≥ 2.41); older n8n: runs as before', async () => {
	const { run, failure } = await report({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
	if (hasFilter) {
		expect(run).toBeUndefined();
		expect(failure).toMatch(/n8n's outbound network policy does not allow https:\/\/127\.0\.0\.1:\d+/);
		expect(sandbox.conferma.counters.requests).toBe(0);
	} else {
		expect(failure).toBeUndefined();
		expect(app.outputOf(run!, 'Deployed Cards').length).toBeGreaterThan(0);
	}
});

test('the administrator allows loopback: the same workflow runs', async () => {
	const { run, failure } = await report({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8' });
	expect(failure).toBeUndefined();
	expect(app.outputOf(run!, 'Deployed Cards').length).toBeGreaterThan(0);
	expect(sandbox.conferma.counters.requests).toBeGreaterThan(0);
});
