/**
 * The real n8n app, driven the way a user (or CI) would: install the packed package into a community-nodes
 * folder, import credentials and workflows with n8n's CLI, run workflows headless, serve webhooks, and call its
 * REST API. Used by `npm run dev`, `npm run test:n8n` and `npm run test:queue`. The traps are in real-n8n.md.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { createServer, type Server } from 'net';
import { dirname, join, resolve } from 'path';
import type { Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials, openAiCredentials } from '../../sandbox/credentials';

export const REPO = resolve(__dirname, '..', '..');
export const EXAMPLES = join(REPO, 'examples');
export const PACKAGE = 'n8n-nodes-fintech-identity';

/**
 * Installs n8n once into the cache (scripts/n8n/install.sh) and returns its launcher, which runs it on the Node it
 * needs. Which n8n: `version`, else N8N_VERSION (2.41.1, 2.8.4 or 1.123.81; 2.8.4 by default) — passed explicitly:
 * under jest, process.env is the test's copy and never reaches a child process.
 */
export function n8nBinary(version = process.env.N8N_VERSION): string {
	const env = { ...process.env, ...(version ? { N8N_VERSION: version } : {}) };
	return execFileSync('bash', [join(REPO, 'scripts', 'n8n', 'install.sh')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** The version of the n8n a launcher runs, e.g. "2.41.1". */
export function n8nVersion(bin: string): string {
	return JSON.parse(readFileSync(join(dirname(bin), 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
}

/**
 * What the real app produced in this test file, for the leak sweep (test/helpers/sweep.ts) that runs before the file's
 * own afterAll deletes its scratch folders: n8n's user folders and log files (n8nEnv), everything n8n printed
 * (startN8n, executeWorkflow, n8nCli), the n8n processes still running, and the few values a test may let through,
 * each with why. (The sandboxes whose secrets it watches are sandbox/index.ts's sandboxesStarted.)
 */
export const produced = {
	userFolders: new Set<string>(),
	logFiles: new Set<string>(),
	outputs: [] as Array<{ label: string; text: () => string }>,
	processes: new Set<ChildProcess>(),
	allowed: [] as Array<{ why: string; texts: string[]; where?: RegExp }>,
};

/**
 * Let the sweep pass `texts` (in files whose path matches `where`, if given): only for what a test itself typed into
 * a workflow as a user's input, or what a user asked n8n to keep. `why` is said when the sweep reports.
 */
export function allowInSweep(why: string, texts: string[], where?: RegExp) {
	produced.allowed.push({ why, texts, where });
}

const major = (bin: string) => Number(n8nVersion(bin).split('.')[0]);

/**
 * Make a workflow active (its triggers and webhooks start with the server): n8n 2.x publishes a version of it;
 * 1.x has no publish:workflow and sets the active flag instead.
 */
export async function activateWorkflow(bin: string, env: NodeJS.ProcessEnv, id: string) {
	await n8nCli(bin, env, major(bin) >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true']);
}

/** `npm pack` of the built package (what npm would publish) into `dir`; returns the tarball's path. */
export function packPackage(dir: string): string {
	mkdirSync(dir, { recursive: true });
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
	return join(dir, out.trim().split('\n').pop()!);
}

/** Install the tarball into `<userFolder>/.n8n/nodes` as n8n's community-package installer does (install-package.sh). */
export function installPackage(userFolder: string, tarball: string) {
	execFileSync('sh', [join(REPO, 'scripts', 'n8n', 'install-package.sh'), tarball, userFolder], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * `count` distinct free loopback ports. All are held open until all are chosen: closing one before asking for the
 * next lets the kernel hand the same port out twice (n8n's server and its task broker then fight over it).
 */
export async function freePorts(count: number): Promise<number[]> {
	const servers = await Promise.all(
		Array.from({ length: count }, () => new Promise<Server>((ok, fail) => {
			const server = createServer();
			server.once('error', fail);
			server.listen(0, '127.0.0.1', () => ok(server));
		})),
	);
	const ports = servers.map((s) => (s.address() as { port: number }).port);
	await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
	return ports;
}

/**
 * The instance's time zone: n8n's own default, said out loud so a test can work out what `$today` is there. Between
 * midnight UTC and midnight in New York the two dates differ, and an expectation computed in UTC is a day off.
 */
export const TIMEZONE = 'America/New_York';

/** The date `{{ $today.minus({ days }).toFormat('yyyy-MM-dd') }}` gives in an instance started with n8nEnv. */
export function n8nDate(daysAgo = 0, now = new Date()): string {
	const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now).split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d - daysAgo)).toISOString().slice(0, 10);
}

/**
 * n8n's environment: its own folder, quiet and offline, on loopback. n8n logs to a file in that folder as well as the
 * console (unless `extra` says otherwise), so that the leak sweep reads what n8n logged as a user's server would keep it.
 */
export function n8nEnv(userFolder: string, port: number, brokerPort: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	// Not the caller's NODE_ENV: under jest it is "test", and n8n then logs nothing, result JSON included.
	const { NODE_ENV: _callers, ...inherited } = process.env;
	produced.userFolders.add(userFolder);
	const logFile = extra.N8N_LOG_FILE_LOCATION ?? join(userFolder, '.n8n', 'logs', 'n8n.log');
	produced.logFiles.add(logFile);
	return {
		...inherited,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info',
		N8N_LOG_OUTPUT: 'console,file',
		N8N_LOG_FILE_LOCATION: logFile,
		GENERIC_TIMEZONE: TIMEZONE,
		...extra,
	};
}

/** The four credentials of the examples, pointed at `sandbox`; their ids are the ones the example workflows use. */
export function sandboxCredentials(sandbox: Sandbox) {
	return [
		{ id: 'sbxClaraApi00001', name: 'Clara (sandbox)', type: 'claraApi', data: claraCredentials(sandbox) },
		{ id: 'sbxClaroApi00001', name: 'Claro Face Match (sandbox)', type: 'claroFaceMatchApi', data: claroCredentials(sandbox) },
		{ id: 'sbxCleverTap00001', name: 'CleverTap (sandbox)', type: 'cleverTapApi', data: cleverTapCredentials(sandbox) },
		{ id: 'sbxConferma00001', name: 'Conferma Pay (sandbox)', type: 'confermaPayApi', data: confermaCredentials(sandbox) },
		// n8n's own OpenAI credential, for the AI Agent examples: the sandbox's scripted model.
		{ id: 'sbxOpenAi0000001', name: 'Scripted model (sandbox)', type: 'openAiApi', data: openAiCredentials(sandbox) },
	];
}

/**
 * The environment n8n needs to trust the sandbox with its own nodes too (the OpenAI Chat Model has no CA field, and
 * our nodes' credentials carry the CA anyway): the sandbox CA written to `dir`, named by NODE_EXTRA_CA_CERTS. Node
 * reads it when the process starts, so pass it to every n8n command.
 */
export function trustSandbox(sandbox: Sandbox, dir: string): Record<string, string> {
	const file = join(dir, 'sandbox-ca.crt');
	writeFileSync(file, sandbox.certs.ca.cert);
	return { NODE_EXTRA_CA_CERTS: file };
}

/**
 * Run an n8n CLI command to its end; throws with its output when it fails. Asynchronous on purpose: the sandbox
 * usually lives in the calling process, and a blocked event loop would leave n8n's requests unanswered.
 */
export async function n8nCli(bin: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
	return new Promise((ok, fail) => {
		execFile(bin, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
			produced.outputs.push({ label: `n8n ${args[0]}: its output`, text: () => `${stdout}\n${stderr}` });
			if (error) fail(new Error(`n8n ${args.join(' ')} failed: ${error.message}\n${stdout.slice(-5000)}\n${stderr.slice(-5000)}`));
			else ok(stdout);
		});
	});
}

/** Credentials (plain data: n8n encrypts it on import) and every example workflow, into n8n's database. */
export async function importSandboxSetup(bin: string, env: NodeJS.ProcessEnv, sandbox: Sandbox, scratch: string) {
	const file = join(scratch, 'credentials.json');
	writeFileSync(file, JSON.stringify(sandboxCredentials(sandbox)), { mode: 0o600 });
	await n8nCli(bin, env, ['import:credentials', `--input=${file}`]);
	await n8nCli(bin, env, ['import:workflow', '--separate', `--input=${EXAMPLES}`]);
}

/**
 * The examples ship with their real trigger (webhook, schedule, app trigger) disabled: the editor's "Execute
 * workflow" starts at the trigger it ranks first — form, webhook, app triggers, schedule, then manual — skipping
 * disabled ones, so only then does it start at Try It (the README's rule for examples). To serve the real trigger,
 * this imports a copy of example `id` with its triggers enabled, as a user does before publishing, and publishes
 * it. Returns the copy's id.
 */
export async function publishLiveCopy(bin: string, env: NodeJS.ProcessEnv, id: string, scratch: string): Promise<string> {
	const example = readdirSync(EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')))
		.find((w) => w.id === id);
	if (!example) throw new Error(`no example with id ${id} in ${EXAMPLES}`);
	const liveId = `${id.slice(0, 17)}Live`; // n8n ids are at most 21 characters
	const nodes = example.nodes.map(({ disabled: _off, ...node }: Record<string, unknown>) => ({
		...node,
		// Its own test-webhook id, so the copy and the example never share one.
		...(node.webhookId ? { webhookId: randomUUID() } : {}),
	}));
	const file = join(scratch, `${liveId}.json`);
	writeFileSync(file, JSON.stringify({ ...example, id: liveId, name: `${example.name} (live)`, nodes }));
	await n8nCli(bin, env, ['import:workflow', `--input=${file}`]);
	await activateWorkflow(bin, env, liveId);
	return liveId;
}

/**
 * How often `n8n execute` crashed on its way out after printing a finished run (see executeWorkflow), per process:
 * tests report it rather than hide it.
 */
export const crashesAfterRun: Array<{ id: string; version: string }> = [];

/**
 * `n8n execute --id` headless (needs log level info: lower levels hide the result); the run's data.
 *
 * n8n 2.41.1 and 1.123.81 (the versions whose expressions run in isolated-vm) often die with SIGSEGV while the
 * process exits, after the run has finished, been saved and been printed; 2.8.4 does not. Exactly that case
 * counts as a run (and is recorded in crashesAfterRun): the crash is n8n's own shutdown, and the run's data is
 * complete. Any other failure, or a crash before a finished run was printed, fails.
 */
/**
 * The result JSON in what `n8n execute` printed. It is printed in one write, starting with a `{` line and ending with
 * a `}` line, but n8n's own log lines may come before or after it (2.8.4 sometimes logs 'Registered runner "JS Task
 * Runner"' once the result is out).
 */
export function parseResult(stdout: string): (RunData & { finished?: boolean }) | undefined {
	const start = stdout.search(/^\{/m);
	if (start < 0) return undefined;
	try {
		return JSON.parse(stdout.slice(start));
	} catch {
		// something after it: cut at the `}` lines, last first
	}
	for (let end = stdout.lastIndexOf('\n}'); end > start; end = stdout.lastIndexOf('\n}', end - 1)) {
		try {
			return JSON.parse(stdout.slice(start, end + 2));
		} catch {
			// not the result's last line: try the one before
		}
	}
	return undefined;
}

export async function executeWorkflow(bin: string, env: NodeJS.ProcessEnv, id: string): Promise<RunData> {
	// Output goes to files, not pipes: n8n exits right after printing, and a large result written to a pipe is cut
	// short when the process exits (seen on 2.41.1 with a few hundred items); writes to a file are synchronous.
	const dir = mkdtempSync(join(tmpdir(), 'n8n-execute-'));
	const out = openSync(join(dir, 'stdout'), 'w');
	const err = openSync(join(dir, 'stderr'), 'w');
	const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((ok, fail) => {
		const child = spawn(bin, ['execute', `--id=${id}`, '--rawOutput'], { env, stdio: ['ignore', out, err] });
		child.once('error', fail);
		child.once('exit', (exitCode, exitSignal) => ok({ code: exitCode, signal: exitSignal }));
	});
	closeSync(out);
	closeSync(err);
	const stdout = readFileSync(join(dir, 'stdout'), 'utf8');
	const stderr = readFileSync(join(dir, 'stderr'), 'utf8');
	produced.outputs.push({ label: `n8n execute --id=${id}: its output`, text: () => `${stdout}\n${stderr}` });
	rmSync(dir, { recursive: true, force: true });
	const failed = (why: string) => new Error(`n8n execute --id=${id} ${why}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
	const run = parseResult(stdout);
	if (code === 0 && run) return run;
	const segfault = signal === 'SIGSEGV' || code === 139;
	if (segfault && run?.finished !== undefined) {
		crashesAfterRun.push({ id, version: n8nVersion(bin) });
		return run;
	}
	throw failed(run ? `exited with ${signal ?? `code ${code}`}` : `printed no result (exit ${signal ?? code})`);
}

export interface RunData {
	data: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> } }>>; error?: unknown } };
}

/** The items a node gave on `output` in its first run. */
export function outputOf(run: RunData, node: string, output = 0): Array<Record<string, unknown>> {
	const task = run.data.resultData.runData[node]?.[0];
	if (!task) throw new Error(`node "${node}" did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}`);
	return (task.data?.main[output] ?? []).map((i) => i.json);
}

/** `n8n start` (or `worker`, …) in the background, its output kept for when something fails. */
export function startN8n(bin: string, env: NodeJS.ProcessEnv, args: string[] = ['start']): ChildProcess & { output: string[] } {
	const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: string[] };
	child.output = [];
	const keep = (chunk: Buffer) => {
		child.output.push(chunk.toString());
		if (child.output.length > 20_000) child.output.shift(); // tests count log lines: keep them all
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	produced.processes.add(child);
	produced.outputs.push({ label: `n8n ${args[0]}: its output`, text: () => child.output.join('') });
	return child;
}

/**
 * Waits until this `n8n start` itself is listening on its port. Polling the port alone is not enough on a shared
 * machine: another n8n on the same port answers too, while ours exits with "port already in use".
 */
export async function waitUntilListening(child: ChildProcess & { output: string[] }, env: NodeJS.ProcessEnv, timeoutMs = 180_000) {
	// Logged (at level info, n8nEnv's) once the HTTP server's listen succeeded, by 1.x and 2.x alike.
	const line = `n8n ready on ${env.N8N_LISTEN_ADDRESS}, port ${env.N8N_PORT}`;
	await waitFor(`n8n listening on port ${env.N8N_PORT}`, async () => child.output.join('').includes(line), timeoutMs, child);
}

/** Stops a child started by startN8n: TERM (n8n shuts down in ~2 s), KILL if it does not. */
export async function stopChild(child: ChildProcess, graceMs = 15_000) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/** Waits until `check` is true (polled), or fails with `what` and the app's last output. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: { output: string[]; exitCode: number | null }) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child && child.exitCode !== null) break;
		if (await check().catch(() => false)) return;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`${what} did not happen within ${timeoutMs / 1000} s\n${child?.output.join('').slice(-3000) ?? ''}`);
}

/** A logged-in REST session of the instance owner (created on first call). */
export class Rest {
	private cookie = '';
	constructor(readonly baseUrl: string) {}

	static readonly owner = { email: 'owner@example.com', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-owner-1' };

	async login() {
		const setup = await fetch(`${this.baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Rest.owner) });
		let res = setup;
		if (!setup.ok) {
			res = await fetch(`${this.baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ emailOrLdapLoginId: Rest.owner.email, password: Rest.owner.password }),
			});
		}
		if (!res.ok) throw new Error(`could not log in to n8n: ${res.status} ${await res.text()}`);
		this.cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
		// n8n 2.41 answers a login before it has finished starting: on a loaded machine its other routes are then still
		// a 404 or a 200 HTML page "n8n is starting up. Please wait". Logged in means the workflow routes answer JSON.
		const workflows = await fetch(`${this.baseUrl}/rest/workflows`, { headers: { cookie: this.cookie } });
		const type = workflows.headers.get('content-type') ?? '';
		if (!workflows.ok || !type.includes('json')) {
			throw new Error(`n8n's workflow routes are not ready yet: GET /rest/workflows → ${workflows.status} ${type}: ${(await workflows.text()).slice(0, 100)}`);
		}
	}

	async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: { cookie: this.cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
		let parsed;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			throw new Error(`${method} ${path} → ${res.status} ${res.headers.get('content-type')}, not JSON: ${text.slice(0, 300)}`);
		}
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}
}

/**
 * Activate / deactivate a workflow through the running server's REST API, as the editor's switch does, so that its
 * webhook triggers' checkExists/create and delete run in that server. (A CLI change to the database reaches a running
 * server only at its next start; on n8n 1.123 a workflow made active by `update:workflow --active=true` has no
 * active version, and one imported with the CLI no version history, so deactivating them then removes nothing.)
 * Both routes exist in 1.123 and 2.x; the workflow should have been saved through REST (POST /rest/workflows).
 */
export async function activateRunning(session: Rest, id: string) {
	const workflow = await session.call<{ versionId: string }>('GET', `/rest/workflows/${id}`);
	await session.call('POST', `/rest/workflows/${id}/activate`, { versionId: workflow.versionId });
}

export async function deactivateRunning(session: Rest, id: string) {
	await session.call('POST', `/rest/workflows/${id}/deactivate`, {});
}

/** The workflow's executions the running server lists (newest first), with their status. */
export async function executionsOf(session: Rest, workflowId: string) {
	const page = await session.call<{ results: Array<{ id: string; status: string; mode: string }> }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
	return page.results;
}
