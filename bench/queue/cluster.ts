import { execFile } from 'child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';
import { startPostgres, startRedis, type Service } from '../../test/helpers/services';
import { launcherOf } from '../n8n/instance';

/**
 * n8n in queue mode as test:queue starts it (main `n8n start`, `n8n worker` processes, Redis and PostgreSQL from
 * Debian's packages on loopback), with up to three workers that can be stopped and started between rounds; and
 * beside it one n8n in regular mode (one process, this package's in-memory token store and limiter) on its own
 * database in the same PostgreSQL: the single-process run CleverTap is compared with.
 */

export type N8nProcess = ReturnType<typeof app.startN8n>;
export const MAX_WORKERS = 3;
/** n8n's default worker concurrency: what a user who starts `n8n worker` gets. */
export const WORKER_CONCURRENCY = 10;
const WORKFLOWS = ['qbClaraLookups', 'qCleverTapLoad', 'qConfermaLoad'];

export interface Cluster {
	version: string;
	redisPort: number;
	main: N8nProcess;
	workers: Array<N8nProcess | undefined>;
	single: N8nProcess;
	base: string;
	singleBase: string;
	/** Rows of a query on the queue's database (`n8n`) or the single process's (`n8n_single`), fields split on |. */
	sql(db: 'n8n' | 'n8n_single', query: string): Promise<string[][]>;
	startWorker(i: number): Promise<void>;
	stopWorker(i: number): Promise<void>;
	stop(): Promise<void>;
}

export async function startCluster(version: string, sandbox: Sandbox, scratch: string): Promise<Cluster> {
	const { bin } = launcherOf(version);
	const tarball = app.packPackage(scratch);
	const homes = { queue: join(scratch, 'home-queue'), single: join(scratch, 'home-single') };
	app.installPackage(homes.queue, tarball);
	app.installPackage(homes.single, tarball);
	const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
	const services: Service[] = [redis, postgres];
	const psql = (db: string, query: string) =>
		new Promise<string>((ok, fail) =>
			execFile('psql', ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', db, '-At', '-F', '|', '-c', query], { encoding: 'utf8' }, (e, out) => (e ? fail(e) : ok(out))),
		);
	await psql('n8n', 'create database n8n_single');
	const [port, singlePort, ...brokerPorts] = await app.freePorts(2 + 2 + MAX_WORKERS);
	const db = (name: string) => ({
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: name,
		DB_POSTGRESDB_USER: 'postgres',
		// Every process must decrypt the same credentials.
		N8N_ENCRYPTION_KEY: 'queue-bench-encryption-key-not-a-secret',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_LOG_LEVEL: 'info',
	});
	const queue = { ...db('n8n'), EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redis.port) };
	const env = (brokerPort: number) => app.n8nEnv(homes.queue, port, brokerPort, queue);
	const singleEnv = app.n8nEnv(homes.single, singlePort, brokerPorts[1], db('n8n_single'));
	// The same credentials and workflows in both databases (n8n's CLI, as a user would), the two in parallel; one
	// import of each kind, since every n8n command costs seconds of start-up.
	const workflows = join(scratch, 'workflows');
	mkdirSync(workflows);
	for (const dir of [join(app.REPO, 'test', 'queue-e2e', 'workflows'), join(__dirname, 'workflows')]) for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(workflows, f));
	const credentials = join(scratch, 'credentials.json');
	writeFileSync(credentials, JSON.stringify(app.sandboxCredentials(sandbox)), { mode: 0o600 });
	const setup = async (e: NodeJS.ProcessEnv) => {
		await app.n8nCli(bin, e, ['import:credentials', `--input=${credentials}`]);
		await app.n8nCli(bin, e, ['import:workflow', '--separate', `--input=${workflows}`]);
		for (const id of WORKFLOWS) await app.activateWorkflow(bin, e, id);
	};
	await Promise.all([setup(env(brokerPorts[0])), setup(singleEnv)]);
	const main = app.startN8n(bin, env(brokerPorts[0]));
	const single = app.startN8n(bin, singleEnv);
	const workers: Array<N8nProcess | undefined> = Array(MAX_WORKERS).fill(undefined);
	const startWorker = async (i: number) => {
		const w = app.startN8n(bin, env(brokerPorts[2 + i]), ['worker', `--concurrency=${WORKER_CONCURRENCY}`]);
		workers[i] = w;
		await app.waitFor(`worker ${i + 1} ready`, async () => /ready/i.test(w.output.join('')), 180_000, w);
	};
	const stopWorker = async (i: number) => {
		const w = workers[i];
		workers[i] = undefined;
		// TERM: n8n's worker takes no new job and ends once its running jobs have (none run between rounds).
		if (w) await app.stopChild(w, 60_000);
	};
	const cluster: Cluster = {
		version,
		redisPort: redis.port,
		main,
		workers,
		single,
		base: `http://127.0.0.1:${port}`,
		singleBase: `http://127.0.0.1:${singlePort}`,
		sql: async (name, query) => (await psql(name, query)).trim().split('\n').filter(Boolean).map((l) => l.split('|')),
		startWorker,
		stopWorker,
		async stop() {
			await Promise.all([main, single, ...workers].map((p) => p && app.stopChild(p)));
			await Promise.all(services.map((s) => s.stop()));
		},
	};
	try {
		await Promise.all([...Array.from({ length: MAX_WORKERS }, (_, i) => startWorker(i)), app.waitUntilListening(main, env(brokerPorts[0])), app.waitUntilListening(single, singleEnv)]);
	} catch (error) {
		await cluster.stop();
		throw error;
	}
	return cluster;
}

// ---------------------------------------------------------------------------------------------------------------
// CPU: per process (its own and its children's, e.g. n8n's task runner) and the machine's, from /proc.

const TICK = 100; // USER_HZ on Linux

function stat(pid: number) {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
	} catch {
		return undefined; // gone
	}
}

/** CPU seconds of a process and every live descendant (utime + stime). */
export function treeCpuSec(pid: number): number {
	const parent = new Map<number, number>();
	const ticks = new Map<number, number>();
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const s = stat(Number(name));
		if (s) (parent.set(Number(name), s.ppid), ticks.set(Number(name), s.ticks));
	}
	const under = (p: number): boolean => p === pid || (parent.has(p) && p !== 1 && under(parent.get(p)!));
	let sum = 0;
	for (const [p, t] of ticks) if (under(p)) sum += t;
	return sum / TICK;
}

/** The machine's busy and total CPU seconds so far, over every core (/proc/stat). */
export function machineCpuSec() {
	const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const idle = f[3] + f[4];
	const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
	return { busy: (total - idle) / TICK, total: total / TICK };
}
