/**
 * The two editions in n8n's queue mode, counted on the sandbox in one run: main + WORKERS `n8n worker` processes,
 * Redis and PostgreSQL, one cluster per edition in turn (both define the same node and credential types). Each is
 * installed into n8n's community-nodes folder the way a user installs a package by hand (the folder every process of
 * the cluster reads): the full edition from `npm pack`, the verified one from the `.verified/*.tgz` of
 * `npm run pack:verified`.
 * - CleverTap: EXECUTIONS webhook executions of READS_EACH profile reads, spread over the workers, the sandbox taking
 *   40 ms per read and refusing a 4th read in flight with 429 (the account's budget of 3). The full edition counts
 *   the budget in n8n's Redis; the verified one in each worker's memory.
 * - Conferma: BURST executions at once right after every token expired on Conferma's side, after a warm-up in
 *   which every worker took part. Conferma revokes every other token of the platform when it issues one.
 * `npm run test:queue-editions` (not in CI: two queue-mode clusters of its own; test:queue checks the full edition's
 * side of both on every CI run). With
 * EDITIONS_QUEUE_RESULTS=<file> the counts are written there (bench/results.editions-queue.json, from which
 * scripts/verified/editions-table.ts generates docs/editions.md).
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';
import { build, layOut, pack, PACKAGES } from '../../scripts/verified/packages';
import { startPostgres, startRedis, type Service } from '../helpers/services';

jest.setTimeout(600_000);

const WORKERS = 2;
const EXECUTIONS = 30;
const READS_EACH = 6;
const BURST = 30;
const [major, minor] = (process.env.N8N_VERSION ?? '2.8.4').split('.').map(Number);

type Name = 'full' | 'verified';
interface Cluster {
	base: string;
	db: string;
	main: ReturnType<typeof app.startN8n>;
	workers: Array<ReturnType<typeof app.startN8n>>;
}

let sandbox: Sandbox;
let redis: Service;
let postgres: Service;
let scratch: string;
let bin: string;
const results: { n8n?: string; workers: number; clevertap: Array<Record<string, unknown>>; conferma: Array<Record<string, unknown>> } = { workers: WORKERS, clevertap: [], conferma: [] };

/** The tarballs a user installs for each edition: the full package, or the two verified packages these workflows use. */
function tarballs(edition: Name): string[] {
	if (edition === 'full') return [app.packPackage(scratch)];
	return PACKAGES.filter((p) => ['n8n-nodes-clevertap', 'n8n-nodes-conferma-pay'].includes(p.name)).map((pkg) => {
		const dir = layOut(pkg);
		build(pkg, dir);
		return pack(dir);
	});
}

/** test:queue's two load workflows, their node types those of the edition's package(s). */
function workflows(edition: Name): string {
	const dir = join(scratch, `workflows-${edition}`);
	mkdirSync(dir, { recursive: true });
	for (const file of ['clevertap-load.json', 'conferma-load.json']) {
		let text = readFileSync(join(__dirname, '..', 'queue-e2e', 'workflows', file), 'utf8');
		if (edition === 'verified') text = text.replace(`${app.PACKAGE}.cleverTap`, 'n8n-nodes-clevertap.cleverTap').replace(`${app.PACKAGE}.confermaPay`, 'n8n-nodes-conferma-pay.confermaPay');
		writeFileSync(join(dir, file), text);
	}
	return dir;
}

const psql = (db: string, sql: string) =>
	execFileSync('psql', ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', db, '-At', '-F', ' ', '-c', sql], { encoding: 'utf8' }).trim();

async function startCluster(edition: Name): Promise<Cluster> {
	const home = join(scratch, `home-${edition}`);
	for (const tarball of tarballs(edition)) app.installPackage(home, tarball);
	const db = `n8n_${edition}`;
	psql('n8n', `create database ${db}`);
	const [port, ...brokerPorts] = await app.freePorts(1 + 1 + WORKERS);
	const env = (brokerPort: number) =>
		app.n8nEnv(home, port, brokerPort, {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_BULL_PREFIX: `bull-${edition}`,
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: db,
			DB_POSTGRESDB_USER: 'postgres',
			// Every process must decrypt the same credentials.
			N8N_ENCRYPTION_KEY: 'queue-editions-encryption-key-not-a-secret',
			...(major > 2 || (major === 2 && minor >= 41) ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		});
	const credentials = join(scratch, `credentials-${edition}.json`);
	const needed = app.sandboxCredentials(sandbox).filter((c) => ['cleverTapApi', 'confermaPayApi'].includes(c.type));
	writeFileSync(credentials, JSON.stringify(needed), { mode: 0o600 });
	await app.n8nCli(bin, env(brokerPorts[0]), ['import:credentials', `--input=${credentials}`]);
	await app.n8nCli(bin, env(brokerPorts[0]), ['import:workflow', '--separate', `--input=${workflows(edition)}`]);
	for (const id of ['qConfermaLoad', 'qCleverTapLoad']) await app.activateWorkflow(bin, env(brokerPorts[0]), id);
	const workers = brokerPorts.slice(1).map((p) => app.startN8n(bin, env(p), ['worker', '--concurrency=10']));
	const main = app.startN8n(bin, env(brokerPorts[0]));
	await Promise.all([...workers.map((w, i) => app.waitFor(`worker ${i + 1} ready`, async () => /ready/i.test(w.output.join('')), 180_000, w)), app.waitUntilListening(main, env(brokerPorts[0]))]);
	return { base: `http://127.0.0.1:${port}`, db, main, workers };
}

beforeAll(async () => {
	bin = app.n8nBinary();
	results.n8n = app.n8nVersion(bin);
	scratch = mkdtempSync(join(tmpdir(), 'test-queue-editions-'));
	[redis, postgres, sandbox] = await Promise.all([startRedis(), startPostgres(), startSandbox()]);
}, 300_000);

afterAll(async () => {
	await Promise.all([sandbox?.close(), redis?.stop(), postgres?.stop()]);
	if (scratch) rmSync(scratch, { recursive: true, force: true });
	// One entry per n8n version, the others kept.
	const file = process.env.EDITIONS_QUEUE_RESULTS;
	if (file && results.clevertap.length + results.conferma.length > 0) {
		const kept = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
		// A run of one edition (jest -t) keeps the other edition's rows of the same version.
		const ran = new Set([...results.clevertap, ...results.conferma].map((r) => r.edition));
		const keep = (rows: Array<Record<string, unknown>> = []) => rows.filter((r) => !ran.has(r.edition));
		const old = kept[results.n8n!] ?? {};
		const merged = { ...results, clevertap: [...keep(old.clevertap), ...results.clevertap], conferma: [...keep(old.conferma), ...results.conferma] };
		const order = (rows: Array<Record<string, unknown>>) => rows.sort((a, b) => String(a.edition).localeCompare(String(b.edition)));
		merged.clevertap = order(merged.clevertap);
		merged.conferma = order(merged.conferma);
		writeFileSync(file, JSON.stringify({ ...kept, [results.n8n!]: { executions: EXECUTIONS, readsEach: READS_EACH, burst: BURST, ...merged } }, null, 2) + '\n');
	}
});

describe.each(['full', 'verified'] as const)('%s edition in queue mode', (edition) => {
	let cluster: Cluster;

	beforeAll(async () => {
		cluster = await startCluster(edition);
	}, 900_000);

	afterAll(async () => {
		if (!cluster) return;
		await Promise.all([cluster.main, ...cluster.workers].map((p) => app.stopChild(p)));
		// n8n's own logs, kept for when a test failed.
		const logs = join(tmpdir(), 'test-queue-editions-logs', edition);
		mkdirSync(logs, { recursive: true });
		[cluster.main, ...cluster.workers].forEach((p, i) => writeFileSync(join(logs, i === 0 ? 'main.log' : `worker-${i}.log`), p.output.join('')));
	});

	const post = (path: string, body: unknown) =>
		fetch(`${cluster.base}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) }).then(
			(r) => r.status,
			(e: Error) => e.name,
		);

	/** `total` webhook calls, `parallel` at a time; the HTTP statuses (the webhooks answer on receipt). */
	async function load(path: string, total: number, parallel: number, body: unknown = {}) {
		const statuses: Array<number | string> = [];
		let next = 0;
		await Promise.all(Array.from({ length: parallel }, async () => {
			while (next < total) statuses[next++] = await post(path, body);
		}));
		return statuses;
	}

	/** Executions of the workflow after execution `sinceId` that have ended, by status (from n8n's database). */
	const endedSince = (workflowId: string, sinceId: number): Record<string, number> =>
		Object.fromEntries(psql(cluster.db, `select status, count(*) from execution_entity where "workflowId" = '${workflowId}' and id > ${sinceId} and status in ('success', 'error', 'crashed') group by status`).split('\n').filter(Boolean).map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]));

	/** Waits until `count` executions of the workflow after `sinceId` have ended; them by status. */
	async function ended(workflowId: string, sinceId: number, count: number) {
		try {
			await app.waitFor(`${count} executions of ${workflowId} ending`, async () => Object.values(endedSince(workflowId, sinceId)).reduce((a, b) => a + b, 0) >= count, 300_000, cluster.main);
		} catch (error) {
			// What n8n's database holds, to tell a lost execution from one in another state.
			throw new Error(`${(error as Error).message}; executions by workflow and status: ${psql(cluster.db, 'select "workflowId", status, count(*) from execution_entity group by 1, 2').replace(/\n/g, '; ')}`);
		}
		return endedSince(workflowId, sinceId);
	}

	/** Per failed execution of the workflow since `sinceId`: the error message `expected` matches, or 'another error'. */
	const errors = (workflowId: string, sinceId: number, expected: string) =>
		psql(cluster.db, `select coalesce(substring(d.data from '${expected}[^"]*'), 'another error') from execution_entity e join execution_data d on d."executionId" = e.id where e."workflowId" = '${workflowId}' and e.status in ('error', 'crashed') and e.id > ${sinceId}`).split('\n').filter(Boolean);
	const CLEVERTAP_429 = 'CleverTap answered 429';
	const CONFERMA_401 = 'Conferma rejected the access token, also a newly issued one';
	const lastId = () => Number(psql(cluster.db, 'select coalesce(max(id), 0) from execution_entity') || 0);
	const startedPerWorker = () => cluster.workers.map((w) => (w.output.join('').match(/started execution/gi) ?? []).length);

	test(`CleverTap: ${EXECUTIONS} executions × ${READS_EACH} reads spread over ${WORKERS} workers against the account's 3 in flight`, async () => {
		// The webhook registered (its one execution, of no items, is left out of the counts by its id).
		await app.waitFor('the CleverTap webhook', async () => (await post('clevertap-load', { identities: [] })) === 200, 300_000, cluster.main);
		sandbox.clevertap.resetCounters();
		sandbox.clevertap.workMs = 40; // inside the limit window: reads overlap, so a per-process budget shows as 429s
		const identities = Array.from({ length: READS_EACH }, (_, i) => ({ identity: `user-${String(i + 1).padStart(4, '0')}` }));
		const since = lastId();
		const startedBefore = startedPerWorker();
		expect(await load('clevertap-load', EXECUTIONS, 15, { identities })).toEqual(Array(EXECUTIONS).fill(200));
		const done = await ended('qCleverTapLoad', since, EXECUTIONS);
		sandbox.clevertap.workMs = 0;
		const ran = startedPerWorker().map((n, i) => n - startedBefore[i]);
		const ct = sandbox.clevertap;
		const failedExecutions = (done.error ?? 0) + (done.crashed ?? 0);
		const row = {
			edition,
			executions: EXECUTIONS,
			perWorker: ran,
			succeeded: done.success ?? 0,
			failedItems: failedExecutions * READS_EACH,
			reads: ct.counters.custom.reads ?? 0,
			http429: ct.counters.custom.http429 ?? 0,
			peakInFlight: ct.peak.read,
			peakAsked: ct.peakAsked.read,
		};
		results.clevertap.push(row);
		console.info(`CleverTap across ${WORKERS} workers, ${edition} edition on n8n ${results.n8n}: ${row.succeeded}/${EXECUTIONS} executions succeeded (per worker ${ran.join('/')}), ${row.http429} answers of 429 (each retried unless its item failed), ${row.failedItems} failed items, peak ${row.peakInFlight} in flight, ${row.peakAsked} asked at once; errors: ${JSON.stringify(errors('qCleverTapLoad', since, CLEVERTAP_429).slice(0, 3))}`);
		// The load was spread: more than one process counted against the one account.
		expect(ran.filter((n) => n > 0).length).toBeGreaterThan(1);
		// The emulator admits no 4th read; a read refused with 429 is the only way a client's over-asking shows.
		expect(row.peakInFlight).toBeLessThanOrEqual(3);
		if (edition === 'full') {
			// One budget in Redis for every worker: nobody asked for a 4th.
			expect(row).toMatchObject({ succeeded: EXECUTIONS, http429: 0, failedItems: 0, reads: EXECUTIONS * READS_EACH, peakAsked: 3 });
		} else {
			// A budget per worker: together they ask for more than 3, the account refuses the rest with 429.
			expect(row.peakAsked).toBeGreaterThan(3);
			expect(row.http429).toBeGreaterThan(0);
			// A failed execution failed on a 429 and says so, nothing else.
			expect(errors('qCleverTapLoad', since, CLEVERTAP_429).filter((m) => !m.startsWith(CLEVERTAP_429))).toEqual([]);
		}
	});

	test(`Conferma: ${BURST} executions at once right after the token expired, over ${WORKERS} workers`, async () => {
		await app.waitFor('the Conferma webhook', async () => (await post('conferma-load', {})) === 200, 300_000, cluster.main);
		// Warm-up, not counted: every worker ran executions and holds the token it was given.
		const warm = lastId();
		const warmStarted = startedPerWorker();
		await load('conferma-load', 10, 5);
		await ended('qConfermaLoad', warm, 10);
		expect(startedPerWorker().every((n, i) => n > warmStarted[i])).toBe(true);
		sandbox.conferma.resetCounters();
		sandbox.conferma.expireTokens();
		const since = lastId();
		const startedBefore = startedPerWorker();
		expect(await load('conferma-load', BURST, BURST)).toEqual(Array(BURST).fill(200));
		const done = await ended('qConfermaLoad', since, BURST);
		const ran = startedPerWorker().map((n, i) => n - startedBefore[i]);
		const c = sandbox.conferma.counters;
		const failedExecutions = (done.error ?? 0) + (done.crashed ?? 0);
		const row = {
			edition,
			executions: BURST,
			perWorker: ran,
			succeeded: done.success ?? 0,
			failedItems: failedExecutions,
			tokens: c.tokenRequests,
			http401: c.custom.http401 ?? 0,
			expiredTokenUses: c.custom.expiredTokenUses ?? 0,
			revokedTokenUses: c.custom.revokedTokenUses ?? 0,
		};
		results.conferma.push(row);
		console.info(`Conferma burst across ${WORKERS} workers, ${edition} edition on n8n ${results.n8n}: ${row.succeeded}/${BURST} succeeded (per worker ${ran.join('/')}), ${row.tokens} token(s), ${row.http401} 401s (${row.expiredTokenUses} with the expired token, ${row.revokedTokenUses} with a revoked one); errors: ${JSON.stringify(errors('qConfermaLoad', since, CONFERMA_401).slice(0, 3))}`);
		expect(ran.filter((n) => n > 0).length).toBeGreaterThan(1);
		if (edition === 'full') {
			// One token in Redis for every worker: replaced once. A worker keeps the token it read at hand, so a call it
			// sent with the old one after the other worker replaced it is a 401 with the expired token, replayed with the
			// new one; never a 401 with a token the burst took (that would be two tokens revoking each other).
			expect(row).toMatchObject({ succeeded: BURST, failedItems: 0, tokens: 1, revokedTokenUses: 0 });
		} else {
			// A token per worker: each worker's new token revokes the other's, whose executions meet 401s with a revoked
			// token and take a token in turn. Up to 3 replays, each with the token current then: nothing is lost.
			expect(row.tokens).toBeGreaterThanOrEqual(WORKERS);
			expect(row.revokedTokenUses).toBeGreaterThan(0);
			expect(errors('qConfermaLoad', since, CONFERMA_401)).toEqual([]);
			expect(row).toMatchObject({ succeeded: BURST, failedItems: 0 });
		}
	});
});
