import type { ChildProcess } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';
import { CACHE } from './settings';
import { benchWorkflows, SSL, SSL_CA } from './workflows';

// ---------------------------------------------------------------------------------------------------------------
// One n8n version, served.

export interface Instance {
	version: string;
	bin: string;
	nodeBin: string;
	env: NodeJS.ProcessEnv;
	/** The served copy of examples/signup-face-match-onboarding.json. */
	signupId: string;
	base: string;
	server: ChildProcess & { output: string[] };
	rest: app.Rest;
	flatted: { parse(text: string): any };
}

/** The launcher of an installed n8n version (install.sh installs it when missing) and the Node it runs on. */
export function launcherOf(version: string) {
	const { execFileSync } = require('child_process') as typeof import('child_process');
	const bin = execFileSync('bash', [join(app.REPO, 'scripts', 'n8n', 'install.sh')], {
		encoding: 'utf8',
		env: { ...process.env, N8N_VERSION: version },
		stdio: ['ignore', 'pipe', 'inherit'],
	}).trim();
	const path = /export PATH="([^":]+):/.exec(readFileSync(bin, 'utf8'))?.[1];
	return { bin, nodeBin: path ? join(path, 'node') : process.execPath };
}

export const major = (version: string) => Number(version.split('.')[0]);
export const minor = (version: string) => Number(version.split('.')[1]);

export async function prepare(version: string, sandbox: Sandbox, tarball: string, scratch: string) {
	const { bin, nodeBin } = launcherOf(version);
	const home = join(scratch, `home-${version}`);
	app.installPackage(home, tarball);
	const [port, brokerPort] = await app.freePorts(2);
	const extra: Record<string, string> = major(version) >= 2 && minor(version) >= 41 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {};
	const env = app.n8nEnv(home, port, brokerPort, extra);
	await app.importSandboxSetup(bin, env, sandbox, home);
	const sslFile = join(home, 'bench-credentials.json');
	writeFileSync(
		sslFile,
		JSON.stringify([
			{ ...SSL, type: 'httpSslAuth', data: { ca: sandbox.certs.ca.cert, cert: sandbox.certs.client.cert, key: sandbox.certs.client.key } },
			{ ...SSL_CA, type: 'httpSslAuth', data: { ca: sandbox.certs.ca.cert } },
		]),
		{ mode: 0o600 },
	);
	await app.n8nCli(bin, env, ['import:credentials', `--input=${sslFile}`]);
	const dir = join(home, 'bench-workflows');
	mkdirSync(dir, { recursive: true });
	for (const wf of benchWorkflows(sandbox)) writeFileSync(join(dir, `${wf.id}.json`), JSON.stringify(wf));
	await app.n8nCli(bin, env, ['import:workflow', '--separate', `--input=${dir}`]);
	for (const id of ['bnClaraNode0001', 'bnClaraDiy00001', 'bnSignupDiy0001', 'bnSignupFloor01']) await app.activateWorkflow(bin, env, id);
	// The example ships with its webhook disabled (Try It starts it in the editor): served is a copy with it on.
	const signupId = await app.publishLiveCopy(bin, env, 'exSignupFaceMatch', home);
	const flattedPath = require.resolve('flatted', { paths: [join(CACHE, `n8n-${version}`, 'node_modules', 'n8n-workflow')] });
	return { version, bin, nodeBin, env, signupId, base: `http://127.0.0.1:${port}`, flatted: require(flattedPath) as Instance['flatted'] };
}

/** `n8n start`; with `nodeFlags` (e.g. --cpu-prof, which NODE_OPTIONS refuses) n8n's script is run on its Node directly. */
export async function serve(prepared: Awaited<ReturnType<typeof prepare>>, nodeFlags: string[] = []): Promise<Instance> {
	const script = join(CACHE, `n8n-${prepared.version}`, 'node_modules', 'n8n', 'bin', 'n8n');
	const server = nodeFlags.length
		? app.startN8n(prepared.nodeBin, { ...prepared.env, PATH: `${join(prepared.nodeBin, '..')}:${process.env.PATH}` }, [...nodeFlags, script, 'start'])
		: app.startN8n(prepared.bin, prepared.env);
	const { base } = prepared;
	await app.waitFor(`n8n ${prepared.version} answering`, async () => (await fetch(`${base}/rest/settings`)).ok, 240_000, server);
	const rest = new app.Rest(base);
	// While starting up n8n answers every route with 200 "n8n is starting up" (no cookie, not JSON): logged in is
	// when an authenticated call answers JSON.
	await app.waitFor('n8n login', async () => (await rest.login(), await rest.call('GET', '/rest/executions?limit=1'), true), 120_000, server);
	// Webhooks are registered a little after the REST API answers: wait for one that does nothing (no uuids).
	await app.waitFor('the bench webhooks', async () => (await post(`${base}/webhook/bench-clara-node`, { uuids: [] })).status === 200, 120_000, server);
	return { ...prepared, server, rest };
}

export async function post(url: string, body: unknown) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: res.status, text: await res.text() };
}

// ---------------------------------------------------------------------------------------------------------------
// Execution records.

export interface ExecutionSummary {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt?: string;
	workflowId: string;
}

/**
 * The workflow's executions newer than `afterId`, newest first: one page of up to 100 (n8n 2.41 pages by cursor,
 * 2.8 by lastId, so the bench never needs a second page: its batches are at most 100).
 */
export async function executionsSince(n8n: Instance, workflowId: string, afterId: number): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await n8n.rest.call<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
	return page.results.filter((e) => Number(e.id) > afterId);
}

export async function newestExecutionId(n8n: Instance, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await n8n.rest.call<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	return Number(page.results[0]?.id ?? 0);
}

/** Waits until `count` finished executions newer than `afterId` are recorded. */
export async function finishedSince(n8n: Instance, workflowId: string, afterId: number, count: number) {
	if (count > 100) throw new Error(`finishedSince reads one page of 100 executions; asked for ${count}`);
	let found: ExecutionSummary[] = [];
	await app.waitFor(
		`${count} finished execution(s) of ${workflowId}`,
		async () => {
			found = (await executionsSince(n8n, workflowId, afterId)).filter((e) => e.stoppedAt && e.status !== 'running' && e.status !== 'new');
			return found.length >= count;
		},
		120_000,
		n8n.server,
	);
	return found;
}

export interface TaskData {
	startTime: number;
	executionTime: number;
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
	error?: { message?: string };
}

export async function runDataOf(n8n: Instance, id: string): Promise<Record<string, TaskData[]>> {
	const one = await n8n.rest.call<{ data: string }>('GET', `/rest/executions/${id}`);
	const data = n8n.flatted.parse(one.data) as { resultData: { runData: Record<string, TaskData[]>; error?: { message?: string } } };
	if (data.resultData.error) throw new Error(`execution ${id} failed: ${data.resultData.error.message}`);
	return data.resultData.runData;
}

export const durationMs = (e: ExecutionSummary) => Date.parse(e.stoppedAt!) - Date.parse(e.startedAt);
