/**
 * `npm run bench -- --n8n` (or `npm run bench:n8n`): what users see, in the real n8n app. For each n8n version a
 * real `n8n start` with this package installed from its packed tarball serves webhooks; work is triggered over
 * HTTP and timed from n8n's own execution records (startedAt → stoppedAt; the node's own executionTime for the
 * split). Side by side in one run, interleaved so that drift in the machine's load hits all ways alike:
 *
 *  A. Clara lookups, ITEMS uuids per execution: our node; the do-it-yourself workflow (n8n's HTTP Request node
 *     with an SSL-certificate credential, a token requested per execution); a raw undici loop (bench/raw-loop.ts)
 *     in a process of its own on the same Node.js as that n8n.
 *  B. The signup webhook → Face Match → response (examples/signup-face-match-onboarding.json) against the same
 *     flow built from HTTP Request nodes, CONCURRENCY signups in flight at once: p50 / p95 / p99. A third flow, the
 *     example with our two nodes as No Operation nodes, is the floor: what n8n's own nodes cost, whatever does the work.
 *  C. `--profile`: n8n started again with --cpu-prof; where its CPU goes per item while our node runs A, and per
 *     signup in each flow of B (bench/profile.ts).
 *
 * The sandbox stands in for the vendors with the latency knobs of bench/run.ts. Writes bench/results.n8n.json
 * (--quick, which shrinks everything to check that it works and that the counts hold, writes to the temp folder).
 *   --versions=2.8.4,2.41.1   which installed n8n versions (scripts/n8n/install.sh) to run
 *   --profile                 add C
 *   --rounds=N                executions of each way in A (default 5)
 *   --quick                   small and fast; counts only
 */
import { fork, type ChildProcess } from 'child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../sandbox';
import * as app from '../scripts/n8n/app';
import { readProfile, splitProfile, type Split } from './profile';
import type { RawLoopJob, RawLoopResult } from './raw-loop';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const PROFILE = argv.includes('--profile');
const VERSIONS = argv.find((a) => a.startsWith('--versions='))?.slice(11).split(',') ?? ['2.8.4', '2.41.1'];
/** The same stand-in for the network as bench/run.ts. */
const LATENCY_MS = 20;
const HANDSHAKE_MS = 5;
const ITEMS = QUICK ? 200 : 2_000;
/** Executions of each way in scenario A (interleaved). */
const LOOKUP_ROUNDS = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (QUICK ? 1 : 5));
const CONCURRENCY = QUICK ? 10 : 50;
/**
 * Signups per way per round in scenario B (at most 100: see finishedSince). Rounds interleave the ways in the
 * order A B C C B A A B C …, so that a drift in the machine's speed during the run (up to 35% between rounds seconds
 * apart on this machine) falls on every way alike.
 */
const SIGNUPS_PER_ROUND = QUICK ? 20 : 100;
const SIGNUP_ROUNDS = QUICK ? 2 : 6;
/** Our node's item concurrency (nodes/Clara/actions/common.ts): the raw loop gets the same. */
const CONNECTIONS = 16;

const CACHE = process.env.N8N_CACHE_DIR ?? join(process.env.HOME ?? tmpdir(), '.cache', 'n8n-nodes-fintech-identity');

// ---------------------------------------------------------------------------------------------------------------
// The workflows. Ours for A is the smallest a user would build; the DIY ones are what the same user builds with
// n8n's own nodes: a token request first, then one HTTP Request per item carrying it.

const SSL = { id: 'bnHttpSslMtls01', name: 'Clara client certificate (bench)' };
const SSL_CA = { id: 'bnHttpSslCa0001', name: 'Sandbox CA (bench)' };

const webhook = (path: string, responseMode: 'lastNode' | 'responseNode', id: string) => ({
	id: `${id}-0001`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: id,
	parameters: { httpMethod: 'POST', path, responseMode, ...(responseMode === 'lastNode' ? { responseData: 'noData' } : {}), options: {} },
});
const httpRequest = (name: string, x: number, parameters: Record<string, unknown>, credential?: { id: string; name: string }) => ({
	id: `${name.replace(/\W/g, '').toLowerCase()}-node`,
	name,
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [x, 0],
	parameters: { ...parameters, ...(credential ? { provideSslCertificates: true } : {}), options: parameters.options ?? {} },
	...(credential ? { credentials: { httpSslAuth: credential } } : {}),
});
const chain = (...names: string[]) =>
	Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
const splitOut = (field: string, x: number) => ({
	id: 'split-out-node',
	name: 'One Item per Uuid',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [x, 0],
	parameters: { fieldToSplitOut: field, options: {} },
});

function benchWorkflows(sandbox: Sandbox) {
	const clara = `${sandbox.clara.url}/mx`;
	const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
	const claraNode = {
		id: 'bnClaraNode0001',
		name: 'Bench: Clara lookups (node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-clara-node', 'lastNode', 'b0000000-0000-4000-8000-000000000001'),
			splitOut('body.uuids', 220),
			{
				id: 'clara-node',
				name: 'Clara',
				type: 'n8n-nodes-fintech-identity.clara',
				typeVersion: 1,
				position: [440, 0],
				parameters: { resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' },
				credentials: { claraApi: { id: 'sbxClaraApi00001', name: 'Clara (sandbox)' } },
			},
		],
		connections: chain('Webhook', 'One Item per Uuid', 'Clara'),
	};
	const claraDiy = {
		id: 'bnClaraDiy00001',
		name: 'Bench: Clara lookups (HTTP Request node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-clara-diy', 'lastNode', 'b0000000-0000-4000-8000-000000000002'),
			httpRequest('Get Token', 220, {
				method: 'POST',
				url: `${clara}/oauth/token`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: basic(sandbox.clara.clientId, sandbox.clara.clientSecret) }] },
				sendBody: true,
				contentType: 'form-urlencoded',
				bodyParameters: { parameters: [{ name: 'grant_type', value: 'client_credentials' }] },
			}, SSL),
			{
				id: 'uuids-node',
				name: 'Uuids',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [440, 0],
				parameters: { mode: 'raw', jsonOutput: "={{ { uuids: $('Webhook').first().json.body.uuids } }}", options: {} },
			},
			splitOut('uuids', 660),
			httpRequest('Lookup', 880, {
				method: 'GET',
				url: `=${clara}/api/v3/transactions/{{ $json.uuid }}`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: "=Bearer {{ $('Get Token').first().json.access_token }}" }] },
			}, SSL),
		],
		connections: chain('Webhook', 'Get Token', 'Uuids', 'One Item per Uuid', 'Lookup'),
	};
	// The signup example's flow (Signup → Face Match → Found? → CleverTap event → respond) with HTTP Request nodes.
	const ct = sandbox.clevertap;
	const claro = sandbox.claro;
	const respond = (name: string, body: string, x: number, y: number) => ({
		id: `${name.replace(/\W/g, '').toLowerCase()}-node`,
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.4,
		position: [x, y],
		parameters: { respondWith: 'json', responseBody: body, options: {} },
	});
	// The example's Signup node and its two answers; the DIY flow strips the CPF's punctuation itself.
	const signupNode = (cpf: string) => ({
		id: 'signup-node',
		name: 'Signup',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [220, 0],
		parameters: {
			assignments: {
				assignments: [
					{ id: 'a1', name: 'name', value: '={{ $json.body.name }}', type: 'string' },
					{ id: 'a2', name: 'email', value: '={{ $json.body.email }}', type: 'string' },
					{ id: 'a3', name: 'cpf', value: cpf, type: 'string' },
				],
			},
			options: {},
		},
	});
	const VERIFIED = "={{ { \"status\": \"verified\", \"email\": $('Signup').item.json.email } }}";
	const NOT_FOUND = "={{ { \"status\": \"not_found\", \"next\": \"manual review\", \"email\": $('Signup').item.json.email } }}";
	const signupDiy = {
		id: 'bnSignupDiy0001',
		name: 'Bench: signup → Face Match (HTTP Request node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-signup-diy', 'responseNode', 'b0000000-0000-4000-8000-000000000003'),
			signupNode("={{ $json.body.cpf.replace(/\\D/g, '') }}"),
			httpRequest('Claro Token', 440, {
				method: 'POST',
				url: `${claro.url}/oauth2/v1/token`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'x-client-auth', value: basic(claro.key, claro.secret) }] },
				sendBody: true,
				contentType: 'form-urlencoded',
				bodyParameters: { parameters: [{ name: 'grant_type', value: 'client_credentials' }] },
			}, SSL_CA),
			httpRequest('Face Match', 660, {
				method: 'GET',
				url: `${claro.url}/identity/v1/facialbiometrics`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'Authorization', value: '=Bearer {{ $json.access_token }}' },
						{ name: 'X-QueryString', value: "=identificationType=CPF&IdentificationId={{ $('Signup').item.json.cpf }}" },
					],
				},
				// 422 is Claro's "not in the base": an answer, so the flow branches on the status instead of failing.
				options: { response: { response: { neverError: true, fullResponse: true } } },
			}, SSL_CA),
			{
				id: 'found-node',
				name: 'Found?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [880, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
						conditions: [{ id: 'c1', leftValue: '={{ $json.statusCode }}', rightValue: 200, operator: { type: 'number', operation: 'equals' } }],
						combinator: 'and',
					},
					options: {},
				},
			},
			httpRequest('Event to CleverTap', 1100, {
				method: 'POST',
				url: `${ct.url}/${ct.region}/1/upload`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'X-CleverTap-Account-Id', value: ct.accountId },
						{ name: 'X-CleverTap-Passcode', value: ct.passcode },
					],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					"={{ JSON.stringify({ d: [{ identity: $('Signup').item.json.email, type: 'event', evtName: 'Face Match Verified', evtData: { 'Face Versions': $json.body.data.versions.length, 'Claro Transaction': $json.body.transactionId } }] }) }}",
			}, SSL_CA),
			respond('Respond Verified', VERIFIED, 1320, -100),
			respond('Respond Not Found', NOT_FOUND, 1100, 100),
		],
		connections: {
			...chain('Webhook', 'Signup', 'Claro Token', 'Face Match', 'Found?'),
			'Found?': { main: [[{ node: 'Event to CleverTap', type: 'main', index: 0 }], [{ node: 'Respond Not Found', type: 'main', index: 0 }]] },
			'Event to CleverTap': { main: [[{ node: 'Respond Verified', type: 'main', index: 0 }]] },
		},
	};
	// The example's flow with its two nodes of ours as No Operation nodes (which pass the item on and cost n8n the
	// least a node can): what n8n's own nodes and engine cost a signup in this flow, whatever does the work. The
	// caller says whether the CPF is known (`found`), which Found? reads back from the webhook, one expression as in
	// the example.
	const signupAlone = {
		id: 'bnSignupFloor01',
		name: "Bench: signup flow, n8n's nodes alone (ours as No Operation)",
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-signup-floor', 'responseNode', 'b0000000-0000-4000-8000-000000000004'),
			signupNode('={{ $json.body.cpf }}'),
			{ id: 'facematch-noop', name: 'Face Match (No Operation)', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
			{
				id: 'found-node',
				name: 'Found?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [660, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [{ id: 'c1', leftValue: "={{ $('Webhook').item.json.body.found }}", rightValue: true, operator: { type: 'boolean', operation: 'true', singleValue: true } }],
						combinator: 'and',
					},
					options: {},
				},
			},
			{ id: 'clevertap-noop', name: 'CleverTap (No Operation)', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [880, -100], parameters: {} },
			respond('Respond Verified', VERIFIED, 1100, -100),
			respond('Respond Not Found', NOT_FOUND, 880, 100),
		],
		connections: {
			...chain('Webhook', 'Signup', 'Face Match (No Operation)', 'Found?'),
			'Found?': { main: [[{ node: 'CleverTap (No Operation)', type: 'main', index: 0 }], [{ node: 'Respond Not Found', type: 'main', index: 0 }]] },
			'CleverTap (No Operation)': { main: [[{ node: 'Respond Verified', type: 'main', index: 0 }]] },
		},
	};
	return [claraNode, claraDiy, signupDiy, signupAlone];
}

// ---------------------------------------------------------------------------------------------------------------
// One n8n version, served.

interface Instance {
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
function launcherOf(version: string) {
	const { execFileSync } = require('child_process') as typeof import('child_process');
	const bin = execFileSync('bash', [join(app.REPO, 'scripts', 'n8n', 'install.sh')], {
		encoding: 'utf8',
		env: { ...process.env, N8N_VERSION: version },
		stdio: ['ignore', 'pipe', 'inherit'],
	}).trim();
	const path = /export PATH="([^":]+):/.exec(readFileSync(bin, 'utf8'))?.[1];
	return { bin, nodeBin: path ? join(path, 'node') : process.execPath };
}

const major = (version: string) => Number(version.split('.')[0]);
const minor = (version: string) => Number(version.split('.')[1]);

async function prepare(version: string, sandbox: Sandbox, tarball: string, scratch: string) {
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
async function serve(prepared: Awaited<ReturnType<typeof prepare>>, nodeFlags: string[] = []): Promise<Instance> {
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

async function post(url: string, body: unknown) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: res.status, text: await res.text() };
}

// ---------------------------------------------------------------------------------------------------------------
// Execution records.

interface ExecutionSummary {
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
async function executionsSince(n8n: Instance, workflowId: string, afterId: number): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await n8n.rest.call<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
	return page.results.filter((e) => Number(e.id) > afterId);
}

async function newestExecutionId(n8n: Instance, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await n8n.rest.call<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	return Number(page.results[0]?.id ?? 0);
}

/** Waits until `count` finished executions newer than `afterId` are recorded. */
async function finishedSince(n8n: Instance, workflowId: string, afterId: number, count: number) {
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

interface TaskData {
	startTime: number;
	executionTime: number;
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
	error?: { message?: string };
}

async function runDataOf(n8n: Instance, id: string): Promise<Record<string, TaskData[]>> {
	const one = await n8n.rest.call<{ data: string }>('GET', `/rest/executions/${id}`);
	const data = n8n.flatted.parse(one.data) as { resultData: { runData: Record<string, TaskData[]>; error?: { message?: string } } };
	if (data.resultData.error) throw new Error(`execution ${id} failed: ${data.resultData.error.message}`);
	return data.resultData.runData;
}

const durationMs = (e: ExecutionSummary) => Date.parse(e.stoppedAt!) - Date.parse(e.startedAt);

// ---------------------------------------------------------------------------------------------------------------
// A. Clara lookups.

interface LookupRow {
	way: string;
	/** Every round's counts (the checks look at each). */
	runsCounts: Array<Record<string, number>>;
	/** Median over the rounds: the execution's startedAt → stoppedAt (raw loop: its own clock). */
	ms: number;
	/** Median of the lookup node's own executionTime. */
	nodeMs?: number;
	/** Median of the webhook round trip seen by the caller. */
	clientMs?: number;
	/** Raw loop: median of its process's CPU time. */
	cpuMs?: number;
	all: number[];
	counts: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function lookupWay(n8n: Instance, sandbox: Sandbox, workflowId: string, path: string, lookupNode: string, uuids: string[]) {
	const before = await newestExecutionId(n8n, workflowId);
	const c0 = claraCounters(sandbox);
	const start = Date.now();
	const res = await post(`${n8n.base}/webhook/${path}`, { uuids: uuids.map((uuid) => ({ uuid })) });
	const clientMs = Date.now() - start;
	if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
	const [exec] = await finishedSince(n8n, workflowId, before, 1);
	const counts = diffCounters(c0, claraCounters(sandbox));
	const runData = await runDataOf(n8n, exec.id);
	const task = runData[lookupNode]?.[0];
	const items = task?.data?.main[0] ?? [];
	const wrong = items.filter((item, i) => item.json.uuid !== uuids[i]).length;
	return { ms: durationMs(exec), nodeMs: task?.executionTime ?? NaN, clientMs, counts: { ...counts, items: items.length, wrongItems: wrong } };
}

function claraCounters(sandbox: Sandbox): Record<string, number> {
	const c = sandbox.clara.counters;
	return { requests: c.requests, handshakes: c.handshakes, tokenRequests: c.tokenRequests };
}
function diffCounters(a: Record<string, number>, b: Record<string, number>) {
	return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
}

function rawLoop(nodeBin: string) {
	const child = fork(join(__dirname, 'raw-loop.ts'), [], { execPath: nodeBin, execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const run = (job: RawLoopJob) =>
		new Promise<RawLoopResult>((ok, fail) => {
			child.once('message', (m: { ok: boolean; result?: RawLoopResult; error?: string }) => (m.ok ? ok(m.result!) : fail(new Error(m.error))));
			child.send(job);
		});
	return { run, stop: () => child.kill() };
}

async function scenarioLookups(n8n: Instance, sandbox: Sandbox) {
	const uuids = sandbox.clara.data.transactions.slice(0, ITEMS).map((t) => t.uuid as string);
	const raw = rawLoop(n8n.nodeBin);
	const job: RawLoopJob = {
		url: `${sandbox.clara.url}/mx`,
		ca: sandbox.certs.ca.cert,
		cert: sandbox.certs.client.cert,
		key: sandbox.certs.client.key,
		clientId: sandbox.clara.clientId,
		clientSecret: sandbox.clara.clientSecret,
		uuids,
		connections: CONNECTIONS,
	};
	const ways = [
		{ way: 'node', run: () => lookupWay(n8n, sandbox, 'bnClaraNode0001', 'bench-clara-node', 'Clara', uuids) },
		{ way: 'HTTP Request node (DIY)', run: () => lookupWay(n8n, sandbox, 'bnClaraDiy00001', 'bench-clara-diy', 'Lookup', uuids) },
		{
			way: 'raw undici loop',
			run: async () => {
				const c0 = claraCounters(sandbox);
				const r = await raw.run(job);
				return { ms: r.ms, cpuMs: r.cpuMs, counts: { ...diffCounters(c0, claraCounters(sandbox)), items: r.lookups - r.failures, wrongItems: r.failures } };
			},
		},
	];
	try {
		// One warm-up execution of each (not counted): n8n's first run of a workflow loads and compiles its nodes.
		for (const w of ways) await w.run();
		const runs = new Map<string, Array<Awaited<ReturnType<(typeof ways)[number]['run']>>>>(ways.map((w) => [w.way, []]));
		for (let i = 0; i < LOOKUP_ROUNDS; i++) for (const w of ways) runs.get(w.way)!.push(await w.run());
		return ways.map((w): LookupRow => {
			const rs = runs.get(w.way)!;
			const mid = [...rs].sort((a, b) => a.ms - b.ms)[Math.floor(rs.length / 2)];
			const nodeMs = rs.map((r) => (r as { nodeMs?: number }).nodeMs).filter((x): x is number => typeof x === 'number');
			const clientMs = rs.map((r) => (r as { clientMs?: number }).clientMs).filter((x): x is number => typeof x === 'number');
			const cpuMs = rs.map((r) => (r as { cpuMs?: number }).cpuMs).filter((x): x is number => typeof x === 'number');
			return {
				way: w.way,
				ms: mid.ms,
				...(nodeMs.length ? { nodeMs: median(nodeMs) } : {}),
				...(clientMs.length ? { clientMs: median(clientMs) } : {}),
				...(cpuMs.length ? { cpuMs: median(cpuMs) } : {}),
				all: rs.map((r) => r.ms),
				// Counts of the median run; the checks look at every run.
				counts: mid.counts,
				runsCounts: rs.map((r) => r.counts),
			};
		});
	} finally {
		raw.stop();
	}
}

// ---------------------------------------------------------------------------------------------------------------
// B. Signup latency.

interface Signup {
	name: string;
	email: string;
	cpf: string;
	expect: 'verified' | 'not_found';
}

const formatCpf = (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;

function signups(sandbox: Sandbox, n: number, offset: number): Signup[] {
	const known = [...sandbox.claro.people.keys()];
	const unknown = sandbox.claro.unknownCpfs;
	// Four in five are in Claro's base (the flow goes on to CleverTap), one in five is not.
	return Array.from({ length: n }, (_, i) => {
		const k = i + offset;
		const found = k % 5 !== 4;
		const cpf = found ? known[k % known.length] : unknown[k % unknown.length];
		return { name: `Signup ${k}`, email: `signup-${k}@example.com`, cpf: formatCpf(cpf), expect: found ? 'verified' : 'not_found' };
	});
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function percentiles(xs: number[]) {
	const s = [...xs].sort((a, b) => a - b);
	return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] };
}

/** `list` posted with `concurrency` in flight at all times; each answer's latency and whether it said the right thing. */
async function closedLoop(n8n: { base: string }, way: SignupWay, list: Signup[], concurrency: number) {
	const url = `${n8n.base}/webhook/${way.path}`;
	const latencies: number[] = [];
	let wrong = 0;
	let next = 0;
	const firstWrong: string[] = [];
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < list.length) {
				const s = list[next++];
				const start = performance.now();
				const res = await post(url, { name: s.name, email: s.email, cpf: s.cpf, ...(way.tellFound ? { found: s.expect === 'verified' } : {}) });
				latencies.push(performance.now() - start);
				let status: unknown;
				try {
					status = JSON.parse(res.text).status;
				} catch {
					status = undefined;
				}
				if (res.status !== 200 || status !== s.expect) {
					wrong++;
					if (firstWrong.length < 3) firstWrong.push(`${res.status} ${res.text.slice(0, 200)}`);
				}
			}
		}),
	);
	return { latencies, wrong, firstWrong };
}

interface SignupWay {
	way: string;
	workflowId: string;
	path: string;
	/** Whether the body carries `found` (only the floor, which has no Face Match to ask). */
	tellFound: boolean;
}

const signupWays = (n8n: { signupId: string }): SignupWay[] => [
	{ way: 'node (examples/signup-face-match-onboarding.json)', workflowId: n8n.signupId, path: 'signup', tellFound: false },
	{ way: 'HTTP Request nodes (DIY)', workflowId: 'bnSignupDiy0001', path: 'bench-signup-diy', tellFound: false },
	// Not a way a user has: the floor under both, n8n's own part of the flow (see bnSignupFloor01).
	{ way: "n8n's nodes alone (ours as No Operation)", workflowId: 'bnSignupFloor01', path: 'bench-signup-floor', tellFound: true },
];

async function scenarioSignups(n8n: Instance, sandbox: Sandbox) {
	const ways = signupWays(n8n);
	const data = new Map(ways.map((w) => [w.way, { latencies: [] as number[], rounds: [] as Array<ReturnType<typeof percentiles>>, execs: [] as ExecutionSummary[], wrong: 0, firstWrong: [] as string[], claro: { checks: 0, tokenRequests: 0, handshakes: 0 }, ct: { uploadCalls: 0, http429: 0 } }]));
	// Warm-up, not counted: a round of each way at full concurrency. n8n's first burst of CONCURRENCY executions after
	// start-up is slow whichever way it runs (p95 1.5× the later rounds' on 1.123.81, 1.3× on 2.8.4), so without it the
	// first round measured n8n warming up, charged to whichever way ran first. A webhook that answers from a Respond
	// node answers before its execution is saved: each batch's records are waited for before the next starts, so that
	// every record is counted with its own batch. (A batch is at most 100: n8n 2.41 pages its execution list by
	// cursor, 2.8 by lastId; one page reads either.)
	for (const w of ways) {
		const before = await newestExecutionId(n8n, w.workflowId);
		await closedLoop(n8n, w, signups(sandbox, CONCURRENCY, 0), CONCURRENCY);
		await finishedSince(n8n, w.workflowId, before, CONCURRENCY);
	}
	let offset = 1_000;
	for (let round = 0; round < SIGNUP_ROUNDS; round++) {
		for (const w of round % 2 ? [...ways].reverse() : ways) {
			const list = signups(sandbox, SIGNUPS_PER_ROUND, offset);
			offset += list.length;
			const d = data.get(w.way)!;
			const claro0 = { ...sandbox.claro.counters, checks: sandbox.claro.counters.custom.checks ?? 0 };
			const ct0 = { uploadCalls: sandbox.clevertap.counters.custom.uploadCalls ?? 0, http429: sandbox.clevertap.counters.custom.http429 ?? 0 };
			const before = await newestExecutionId(n8n, w.workflowId);
			const r = await closedLoop(n8n, w, list, CONCURRENCY);
			d.execs.push(...(await finishedSince(n8n, w.workflowId, before, list.length)));
			d.latencies.push(...r.latencies);
			d.rounds.push(percentiles(r.latencies));
			d.wrong += r.wrong;
			d.firstWrong.push(...r.firstWrong.slice(0, 3 - d.firstWrong.length));
			d.claro.checks += (sandbox.claro.counters.custom.checks ?? 0) - claro0.checks;
			d.claro.tokenRequests += sandbox.claro.counters.tokenRequests - claro0.tokenRequests;
			d.claro.handshakes += sandbox.claro.counters.handshakes - claro0.handshakes;
			d.ct.uploadCalls += (sandbox.clevertap.counters.custom.uploadCalls ?? 0) - ct0.uploadCalls;
			d.ct.http429 += (sandbox.clevertap.counters.custom.http429 ?? 0) - ct0.http429;
		}
	}
	const rows = [];
	for (const w of ways) {
		const d = data.get(w.way)!;
		const total = SIGNUPS_PER_ROUND * SIGNUP_ROUNDS;
		const execs = d.execs;
		rows.push({
			way: w.way,
			client: percentiles(d.latencies),
			/** The caller's percentiles of each round alone (the order above): what the drift between rounds is. */
			clientByRound: d.rounds,
			execution: percentiles(execs.map(durationMs)),
			counts: { signups: total, executions: execs.length, failedExecutions: execs.filter((e) => e.status !== 'success').length, wrongAnswers: d.wrong, claroChecks: d.claro.checks, claroTokenRequests: d.claro.tokenRequests, claroHandshakes: d.claro.handshakes, cleverTapUploads: d.ct.uploadCalls, cleverTap429: d.ct.http429 },
			firstWrong: d.firstWrong,
		});
	}
	return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// C. Profile.

async function scenarioProfile(prepared: Awaited<ReturnType<typeof prepare>>, sandbox: Sandbox, scratch: string) {
	const dir = join(scratch, `profile-${prepared.version}`);
	mkdirSync(dir, { recursive: true });
	const n8n = await serve(prepared, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
	const uuids = sandbox.clara.data.transactions.slice(0, ITEMS).map((t) => t.uuid as string);
	const executions = QUICK ? 2 : 5;
	const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
	const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
	let window: { fromUs: number; toUs: number };
	let nodeMs = 0;
	const signupWindows: Array<{ way: string; window: { fromUs: number; toUs: number }; wrong: number }> = [];
	try {
		// A warm-up execution first, as in A, outside the window; and nothing but the executions inside it (the
		// execution records are read afterwards: reading them costs n8n CPU too).
		await lookupWay(n8n, sandbox, 'bnClaraNode0001', 'bench-clara-node', 'Clara', uuids);
		await pause(2_000);
		const before = await newestExecutionId(n8n, 'bnClaraNode0001');
		const fromUs = monotonicUs();
		for (let i = 0; i < executions; i++) {
			const res = await post(`${n8n.base}/webhook/bench-clara-node`, { uuids: uuids.map((uuid) => ({ uuid })) });
			if (res.status !== 200) throw new Error(`bench-clara-node answered ${res.status}: ${res.text.slice(0, 300)}`);
		}
		// The last execution's data is saved after its answer: wait for that (idle time is not counted).
		await pause(2_000);
		window = { fromUs, toUs: monotonicUs() };
		for (const e of await finishedSince(n8n, 'bnClaraNode0001', before, executions)) nodeMs += (await runDataOf(n8n, e.id)).Clara[0].executionTime;
		// The signup flows at the latency scenario's concurrency, each in its own window: n8n's CPU per signup.
		for (const w of signupWays(n8n)) {
			await closedLoop(n8n, w, signups(sandbox, 5, 0), 5);
			await pause(1_000);
			const from = monotonicUs();
			const r = await closedLoop(n8n, w, signups(sandbox, SIGNUPS_PER_ROUND, 50_000), CONCURRENCY);
			await pause(2_000);
			signupWindows.push({ way: w.way, window: { fromUs: from, toUs: monotonicUs() }, wrong: r.wrong });
		}
	} finally {
		await app.stopChild(n8n.server);
	}
	// n8n's main process wrote the biggest profile (its task runner, if any, wrote a small one).
	const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
	if (!files.length) throw new Error(`n8n wrote no CPU profile into ${dir}`);
	const biggest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
	const cpuProfile = readProfile(biggest);
	const split: Split = splitProfile(cpuProfile, window);
	const perSignup = signupWindows.map((w) => {
		const s = splitProfile(cpuProfile, w.window, 1_000, false);
		const busy = Object.entries(s.buckets).filter(([k]) => k !== 'idle');
		const perOne = (ms: number) => Math.round((ms * 1000) / SIGNUPS_PER_ROUND);
		return {
			way: w.way,
			signups: SIGNUPS_PER_ROUND,
			wrongAnswers: w.wrong,
			windowMs: s.windowMs,
			cpuUsPerSignup: perOne(busy.reduce((sum, [, ms]) => sum + ms, 0)),
			usPerSignupByBucket: Object.fromEntries(busy.sort((a, b) => b[1] - a[1]).map(([k, ms]) => [k, perOne(ms)])),
		};
	});
	// Kept outside the scratch folder (deleted at the end) for a closer look: bench/profile.ts reads it again.
	const kept = join(tmpdir(), `bench-n8n-${prepared.version}-${Date.now()}.cpuprofile`);
	copyFileSync(biggest, kept);
	const items = ITEMS * executions;
	return {
		items,
		windowMs: split.windowMs,
		msByBucket: split.buckets,
		usPerItem: Object.fromEntries(Object.entries(split.buckets).map(([k, ms]) => [k, Math.round((ms * 1000) / items)])),
		ourHotspots: split.ourHotspots,
		otherByPackage: split.otherByPackage,
		window: `${window.fromUs}-${window.toUs}`,
		nodeExecutionTimeMsPerItem: Math.round((nodeMs / items) * 1000) / 1000,
		signups: perSignup,
		profileFile: kept,
	};
}

// ---------------------------------------------------------------------------------------------------------------

const round2 = (n: number) => Math.round(n * 100) / 100;

async function main() {
	const scratch = mkdtempSync(join(tmpdir(), 'bench-n8n-'));
	const tarball = app.packPackage(scratch);
	const sandbox = await startSandbox({ clara: { transactions: Math.max(ITEMS, 2_000) }, claro: { people: 1_000 } });
	for (const service of [sandbox.clara, sandbox.claro, sandbox.conferma, sandbox.clevertap]) {
		service.faults.latencyMs = LATENCY_MS;
		service.faults.handshakeDelayMs = HANDSHAKE_MS;
	}
	const results: unknown[] = [];
	const checks: Array<{ check: string; ok: boolean }> = [];
	try {
		for (const version of VERSIONS) {
			console.log(`\n=== n8n ${version} ===`);
			const loadAtStart = loadAverage();
			const prepared = await prepare(version, sandbox, tarball, scratch);
			const n8n = await serve(prepared);
			let lookups: LookupRow[];
			let signupRows: Awaited<ReturnType<typeof scenarioSignups>>;
			try {
				lookups = await scenarioLookups(n8n, sandbox);
				signupRows = await scenarioSignups(n8n, sandbox);
			} finally {
				await app.stopChild(n8n.server);
			}
			const profile = PROFILE ? await scenarioProfile(prepared, sandbox, scratch) : undefined;
			const [node, diy, raw] = lookups;
			const [sNode, sDiy, sAlone] = signupRows;
			const ratios = {
				'Clara lookups: node speed vs HTTP Request node (execution records)': round2(diy.ms / node.ms),
				'Clara lookups: node speed vs raw undici loop': round2(raw.ms / node.ms),
				'Clara lookups: node executionTime vs raw undici loop': round2(raw.ms / (node.nodeMs ?? node.ms)),
				'signup: node p95 / HTTP Request p50 (caller)': round2(sNode.client.p95 / sDiy.client.p50),
				'signup: node p95 / HTTP Request p50 (execution records)': round2(sNode.execution.p95 / sDiy.execution.p50),
				// Not the goal, which is over all rounds: the same ratio within each pair of neighbouring rounds, which
				// leaves out the machine's drift between pairs. The median of the pairs (of an even number, the higher middle one).
				'signup: node p95 / HTTP Request p50 (caller), within a round pair, median': round2(median(sNode.clientByRound.map((r, k) => r.p95 / sDiy.clientByRound[k].p50))),
				// What the goal's ratio would be if our two nodes cost nothing: n8n's own nodes of the flow alone.
				"signup: n8n's nodes alone p95 / HTTP Request p50 (caller)": round2(sAlone.client.p95 / sDiy.client.p50),
				// What each way's two nodes add to n8n's part, at the median: ours against the HTTP Request nodes.
				"signup: p50 above n8n's nodes alone, node / HTTP Request": round2((sNode.client.p50 - sAlone.client.p50) / (sDiy.client.p50 - sAlone.client.p50)),
			};
			const goals = [
				{ goal: `n8n ${version}: Clara lookups ≥ 2× the HTTP Request way`, met: diy.ms / node.ms >= 2 },
				{ goal: `n8n ${version}: signup p95 (node) ≤ p50 (HTTP Request way), as the caller sees it`, met: sNode.client.p95 <= sDiy.client.p50 },
			];
			const runsOf = (row: LookupRow) => row.runsCounts;
			const versionChecks = [
				{ check: `n8n ${version}: node, every lookup execution gave ${ITEMS} items, each its own uuid`, ok: runsOf(node).every((c) => c.items === ITEMS && c.wrongItems === 0) },
				{ check: `n8n ${version}: node, ${ITEMS} requests per execution and no new token (the token is shared)`, ok: runsOf(node).every((c) => c.requests === ITEMS && c.tokenRequests === 0) },
				{ check: `n8n ${version}: node, at most ${CONNECTIONS} handshakes per execution`, ok: runsOf(node).every((c) => c.handshakes <= CONNECTIONS) },
				{ check: `n8n ${version}: HTTP Request way, ${ITEMS} items per execution`, ok: runsOf(diy).every((c) => c.items === ITEMS && c.wrongItems === 0) },
				{ check: `n8n ${version}: raw loop, every lookup answered`, ok: runsOf(raw).every((c) => c.items === ITEMS && c.wrongItems === 0) },
				{ check: `n8n ${version}: HTTP Request way, one token per execution`, ok: runsOf(diy).every((c) => c.tokenRequests === 1) },
				{ check: `n8n ${version}: signup (node), every answer right and every execution a success`, ok: sNode.counts.wrongAnswers === 0 && sNode.counts.failedExecutions === 0 },
				{ check: `n8n ${version}: signup (node), one execution and one Claro check per signup`, ok: sNode.counts.executions === sNode.counts.signups && sNode.counts.claroChecks === sNode.counts.signups },
				{ check: `n8n ${version}: signup (HTTP Request way), every answer right, one execution per signup`, ok: sDiy.counts.wrongAnswers === 0 && sDiy.counts.failedExecutions === 0 && sDiy.counts.executions === sDiy.counts.signups },
				{ check: `n8n ${version}: signup (n8n's nodes alone), every answer right, one execution per signup`, ok: sAlone.counts.wrongAnswers === 0 && sAlone.counts.failedExecutions === 0 && sAlone.counts.executions === sAlone.counts.signups },
			];
			checks.push(...versionChecks);
			const result = { n8n: version, node: await nodeVersion(n8n.nodeBin), ranAt: new Date().toISOString(), load: { atStart: loadAtStart, atEnd: loadAverage() }, lookups, perItem: perItem(node, raw, profile), signups: signupRows, ratios, goals, checks: versionChecks, ...(profile ? { profile } : {}) };
			results.push(result);
			printVersion(result);
			// After each version: a later version's failure must not lose this one's figures.
			save(results);
		}
	} finally {
		await sandbox.close();
	}
	const failed = checks.filter((c) => !c.ok);
	rmSync(scratch, { recursive: true, force: true });
	if (failed.length) console.log(`\n${failed.length} count check(s) FAILED`);
	process.exit(failed.length ? 1 : 0);
}

function save(results: unknown[]) {
	// A quick run's figures say nothing: they go to a scratch file (for bench/speed-table.ts to be tried on).
	const file = QUICK ? join(tmpdir(), 'results.n8n.quick.json') : join(__dirname, 'results.n8n.json');
	// A run of some versions (--versions) replaces those versions' results and keeps the others' (each says when
	// it ran and at what load).
	const settings = { items: ITEMS, lookupRounds: LOOKUP_ROUNDS, concurrency: CONCURRENCY, signupsPerWay: SIGNUPS_PER_ROUND * SIGNUP_ROUNDS, latencyMs: LATENCY_MS, handshakeMs: HANDSHAKE_MS };
	let kept: Array<{ n8n: string }> = [];
	try {
		const before = JSON.parse(readFileSync(file, 'utf8'));
		if (JSON.stringify(Object.fromEntries(Object.keys(settings).map((k) => [k, before[k]]))) === JSON.stringify(settings)) kept = before.results;
	} catch {
		kept = [];
	}
	const ran = new Set((results as Array<{ n8n: string }>).map((r) => r.n8n));
	const all = [...kept.filter((r) => !ran.has(r.n8n)), ...(results as Array<{ n8n: string }>)].sort((a, b) => a.n8n.localeCompare(b.n8n, 'en', { numeric: true }));
	writeFileSync(file, JSON.stringify({ ...settings, results: all }, null, 2) + '\n');
	console.log(`wrote ${file}`);
}

/**
 * The gap between our node and the raw loop, per item: the wall time each takes per lookup (execution records; the
 * raw loop's own clock), the raw loop's CPU per lookup, and — with --profile — n8n's CPU per item by where it went.
 * n8n runs every item of an execution on one thread, so CPU it spends per item beyond what the raw loop spends is
 * what keeps the node from the raw loop's pace.
 */
function perItem(node: LookupRow, raw: LookupRow, profile?: Awaited<ReturnType<typeof scenarioProfile>>) {
	const us = (ms: number) => Math.round((ms * 1000) / ITEMS);
	const busy = profile ? Object.entries(profile.usPerItem).filter(([k]) => k !== 'idle') : [];
	return {
		nodeWallUs: us(node.ms),
		rawWallUs: us(raw.ms),
		gapWallUs: us(node.ms - raw.ms),
		rawCpuUs: raw.cpuMs === undefined ? undefined : us(raw.cpuMs),
		...(profile ? { n8nCpuUs: busy.reduce((sum, [, v]) => sum + v, 0), n8nCpuUsByBucket: Object.fromEntries(busy.sort((a, b) => b[1] - a[1])) } : {}),
	};
}

function loadAverage() {
	return require('os').loadavg().map((x: number) => round2(x));
}

async function nodeVersion(bin: string) {
	const { execFileSync } = require('child_process') as typeof import('child_process');
	return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}

function printVersion(r: any) {
	console.log(`\nn8n ${r.n8n} on Node ${r.node}`);
	console.log(`A. Clara: ${ITEMS} lookups per execution (median of ${LOOKUP_ROUNDS}, execution records)`);
	for (const row of r.lookups as LookupRow[]) {
		const counts = Object.entries(row.counts).map(([k, v]) => `${k}=${v}`).join(' ');
		console.log(`  ${row.way.padEnd(28)} ${String(row.ms).padStart(7)} ms${row.nodeMs !== undefined ? `  node ${row.nodeMs} ms` : ''}${row.clientMs !== undefined ? `  caller ${row.clientMs} ms` : ''}  [${row.all.join(', ')}]  ${counts}`);
	}
	console.log(`B. signup, ${CONCURRENCY} at once`);
	for (const row of r.signups) {
		const p = (x: ReturnType<typeof percentiles>) => `p50 ${Math.round(x.p50)}  p95 ${Math.round(x.p95)}  p99 ${Math.round(x.p99)} ms`;
		console.log(`  ${row.way}\n    caller     ${p(row.client)}\n    execution  ${p(row.execution)}\n    ${Object.entries(row.counts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
		console.log(`    by round   ${row.clientByRound.map((x: ReturnType<typeof percentiles>) => `${Math.round(x.p50)}/${Math.round(x.p95)}`).join('  ')} ms (p50/p95)`);
		for (const w of row.firstWrong) console.log(`    wrong answer: ${w}`);
	}
	const p = r.perItem;
	console.log(`  per item: node ${p.nodeWallUs} µs, raw loop ${p.rawWallUs} µs (its CPU ${p.rawCpuUs} µs), gap ${p.gapWallUs} µs${p.n8nCpuUs !== undefined ? `; n8n's CPU ${p.n8nCpuUs} µs per item (C)` : ''}`);
	for (const [k, v] of Object.entries(r.ratios)) console.log(`  ratio  ${k}: ${v}×`);
	for (const g of r.goals) console.log(`  goal   ${g.met ? 'met   ' : 'MISSED'} ${g.goal}`);
	for (const c of r.checks) console.log(`  check  ${c.ok ? 'ok    ' : 'FAILED'} ${c.check}`);
	if (r.profile) {
		console.log(`C. profile: ${r.profile.items} items, window ${r.profile.windowMs} ms; node executionTime ${r.profile.nodeExecutionTimeMsPerItem} ms/item`);
		for (const [k, v] of Object.entries(r.profile.usPerItem as Record<string, number>).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(56)} ${String(v).padStart(6)} µs/item`);
		for (const h of r.profile.ourHotspots) console.log(`    ${String(h.ms).padStart(8)} ms  ${h.fn}`);
		for (const sp of r.profile.signups) {
			console.log(`  signup, ${sp.way}: ${sp.signups} at ${CONCURRENCY} at once, n8n's CPU ${sp.cpuUsPerSignup} µs per signup (wrong answers: ${sp.wrongAnswers})`);
			for (const [k, v] of Object.entries(sp.usPerSignupByBucket as Record<string, number>)) console.log(`    ${k.padEnd(54)} ${String(v).padStart(7)} µs`);
		}
		console.log(`  other JavaScript: ${r.profile.otherByPackage.map((o: { pkg: string; ms: number }) => `${o.pkg} ${o.ms} ms`).join(', ')}`);
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}

export { main };
