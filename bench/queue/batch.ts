import { loadavg } from 'os';
import * as app from '../../scripts/n8n/app';
import { round } from '../common';
import { machineCpuSec, treeCpuSec, type Cluster, type N8nProcess } from './cluster';

/**
 * One batch: `executions` webhook calls sent at once to the queue's main (or the single process), then n8n's own
 * execution records read from PostgreSQL once all have ended. The webhooks answer on receipt, so the time is the
 * records': from the first execution's createdAt (main put it in the queue) to the last one's stoppedAt.
 */
export interface Batch {
	executions: number;
	/** Executions by status, from the records. */
	ended: Record<string, number>;
	/** HTTP statuses of the webhook calls that were not 200 ("refused" for no answer). */
	refused: number;
	spanMs: number;
	/** Executions per worker, from each worker's log ("Worker started execution N"). */
	perWorker?: number[];
	/** CPU seconds over the batch, per process (with its children: n8n's task runner) and of this process (the sandbox). */
	cpuSec: Record<string, number>;
	/** Busy share of all the machine's cores over the batch (1 = every core busy). */
	machineBusy: number;
	load1: number;
}

export interface Target {
	db: 'n8n' | 'n8n_single';
	base: string;
	processes: Array<{ name: string; process: N8nProcess }>;
}

export const queueTarget = (c: Cluster): Target => ({
	db: 'n8n',
	base: c.base,
	processes: [{ name: 'main', process: c.main }, ...c.workers.flatMap((w, i) => (w ? [{ name: `worker ${i + 1}`, process: w }] : []))],
});
export const singleTarget = (c: Cluster): Target => ({ db: 'n8n_single', base: c.singleBase, processes: [{ name: 'single process', process: c.single }] });

const started = (w: N8nProcess) => [...w.output.join('').matchAll(/Worker started execution (\d+)/g)].map((m) => Number(m[1]));

export async function runBatch(cluster: Cluster, target: Target, path: string, workflowId: string, executions: number, body: unknown): Promise<Batch> {
	const [[newest]] = await cluster.sql(target.db, 'select coalesce(max(id), 0) from execution_entity');
	const after = Number(newest);
	const load1 = round(loadavg()[0]);
	const cpu0 = target.processes.map((p) => treeCpuSec(p.process.pid!));
	const own0 = process.cpuUsage();
	const m0 = machineCpuSec();
	const statuses = await Promise.all(
		Array.from({ length: executions }, () =>
			fetch(`${target.base}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) }).then(
				async (r) => (await r.arrayBuffer(), r.status),
				() => 'refused',
			),
		),
	);
	const refused = statuses.filter((s) => s !== 200).length;
	const query = `select id, status, extract(epoch from "createdAt") * 1000, extract(epoch from "stoppedAt") * 1000 from execution_entity where "workflowId" = '${workflowId}' and id > ${after} and status in ('success', 'error', 'crashed', 'canceled')`;
	let rows: string[][] = [];
	await app.waitFor(`${executions - refused} executions of ${workflowId} ending`, async () => (rows = await cluster.sql(target.db, query)).length >= executions - refused, 300_000);
	const m1 = machineCpuSec();
	const own = process.cpuUsage(own0);
	const cpuSec: Record<string, number> = Object.fromEntries(target.processes.map((p, i) => [p.name, round(treeCpuSec(p.process.pid!) - cpu0[i])]));
	cpuSec['bench (sandbox)'] = round((own.user + own.system) / 1e6);
	const ended: Record<string, number> = {};
	for (const [, status] of rows) ended[status] = (ended[status] ?? 0) + 1;
	const spanMs = Math.max(...rows.map((r) => Number(r[3]))) - Math.min(...rows.map((r) => Number(r[2])));
	const ids = new Set(rows.map((r) => Number(r[0])));
	const workers = target.db === 'n8n' ? cluster.workers : [];
	return {
		executions,
		ended,
		refused,
		spanMs: Math.round(spanMs),
		...(workers.length ? { perWorker: workers.map((w) => (w ? started(w).filter((id) => ids.has(id)).length : 0)) } : {}),
		cpuSec,
		machineBusy: round((m1.busy - m0.busy) / (m1.total - m0.total)),
		load1,
	};
}

/** Executions each live worker has started so far (from its log). */
export const startedCounts = (cluster: Cluster) => cluster.workers.map((w) => (w ? started(w).length : 0));
