import { fork } from 'child_process';
import { join } from 'path';
import type { Sandbox } from '../../sandbox';
import { median } from '../common';
import type { RawLoopJob, RawLoopResult } from '../raw-loop';
import { durationMs, finishedSince, newestExecutionId, post, runDataOf, type Instance } from './instance';
import { CONNECTIONS, ITEMS, LOOKUP_ROUNDS } from './settings';

// ---------------------------------------------------------------------------------------------------------------
// A. Clara lookups.

export interface LookupRow {
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


export async function lookupWay(n8n: Instance, sandbox: Sandbox, workflowId: string, path: string, lookupNode: string, uuids: string[]) {
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

export function claraCounters(sandbox: Sandbox): Record<string, number> {
	const c = sandbox.clara.counters;
	return { requests: c.requests, handshakes: c.handshakes, tokenRequests: c.tokenRequests };
}
export function diffCounters(a: Record<string, number>, b: Record<string, number>) {
	return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
}

export function rawLoop(nodeBin: string) {
	const child = fork(join(__dirname, '..', 'raw-loop.ts'), [], { execPath: nodeBin, execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const run = (job: RawLoopJob) =>
		new Promise<RawLoopResult>((ok, fail) => {
			child.once('message', (m: { ok: boolean; result?: RawLoopResult; error?: string }) => (m.ok ? ok(m.result!) : fail(new Error(m.error))));
			child.send(job);
		});
	return { run, stop: () => child.kill() };
}

export async function scenarioLookups(n8n: Instance, sandbox: Sandbox) {
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
