/**
 * `npm run bench -- --queue [--quick] [--rounds=N]` (N cycles of 3 2 1 1 2 3, default 2): the package in n8n's queue mode, for real. n8n 2.41.1 (the
 * newest CI runs) as a main and 1, 2 and 3 workers sharing Redis and PostgreSQL (cluster.ts), the sandbox in this
 * process with the bench's latency; work is sent by webhook and timed from n8n's execution records (batch.ts).
 *
 * Worker counts are interleaved in one run, 3 2 1 1 2 3 … (each change one worker up or down): a worker is stopped
 * with TERM (it finishes what it runs and takes nothing new) and started again when wanted, then warmed until it has
 * run work. Pausing a worker (SIGSTOP) would be cheaper but is not honest: a stopped worker's connection still
 * holds Bull's blocking pop, so Redis hands it a job it then sits on. Per round, at that worker count:
 *   - Clara: CLARA_EXECUTIONS executions × CLARA_LOOKUPS lookups at once: lookups per second;
 *   - CleverTap: CT_EXECUTIONS executions × CT_READS profile reads at once, the account's limit of 3 reads in flight
 *     (20 ms of server time each), and the same batch on a regular-mode n8n (one process, in-memory limiter);
 *   - Conferma: the platform's token expires at the server, then CONFERMA_EXECUTIONS executions at once.
 * Before the timed rounds, one batch each of Clara and CleverTap at 3 workers is watched with Redis MONITOR (never
 * timed: MONITOR slows Redis) for the package's round trips per token use and per limiter slot under real load.
 * After them, coordination.ts times those round trips in this process, Redis store against in-memory store.
 *
 * Writes bench/results.queue.json (--quick: small, counts only, into the temp folder); `bench/queue/table.ts`
 * writes docs/queue-speed.md's tables from it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import Redis from 'ioredis';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { PREFIX } from '../../nodes/transport/redis';
import { HANDSHAKE_MS, LATENCY_MS, median, QUICK, round } from '../common';
import { runBatch, queueTarget, singleTarget, startedCounts, type Batch } from './batch';
import { MAX_WORKERS, startCluster, WORKER_CONCURRENCY, type Cluster } from './cluster';
import { CLEVERTAP_WORK_MS, scenarioCoordination } from './coordination';

/** The newest n8n CI runs (N8N_VERSION to choose another installed 2.x). */
const VERSION = process.env.N8N_VERSION ?? '2.41.1';
const argv = process.argv.slice(2);
/**
 * Cycles of 3 2 1 1 2 3: the default 2 measures each worker count 4 times. Quick: 3 2 1 2, so that the way back up
 * (a stopped worker started again and warmed) is checked too.
 */
const CYCLES = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
const ORDER = QUICK ? [3, 2, 1, 2] : Array.from({ length: CYCLES }, () => [3, 2, 1, 1, 2, 3]).flat();
const CLARA_EXECUTIONS = QUICK ? 6 : 20;
const CLARA_LOOKUPS = QUICK ? 40 : 200;
const CT_EXECUTIONS = QUICK ? 6 : 20;
const CT_READS = QUICK ? 10 : 30;
const CONFERMA_EXECUTIONS = 100;
const LIMIT_PER_SEC = 3 / (CLEVERTAP_WORK_MS / 1000);

interface Round {
	workers: number;
	clara: Batch & { counts: Record<string, number> };
	clevertap: Batch & { counts: Record<string, number> };
	clevertapSingle: Batch & { counts: Record<string, number> };
	conferma: Batch & { counts: Record<string, number> };
}

async function main() {
	const started = Date.now();
	const scratch = mkdtempSync(join(tmpdir(), 'bench-queue-'));
	const sandbox = await startSandbox({ clara: { transactions: Math.max(CLARA_LOOKUPS, 2_000) } });
	for (const s of [sandbox.clara, sandbox.conferma, sandbox.claro]) Object.assign(s.faults, { latencyMs: LATENCY_MS, handshakeDelayMs: HANDSHAKE_MS });
	// CleverTap as in bench/clevertap.ts: the time that counts against its limit is the server's (workMs), so no
	// network latency outside it.
	sandbox.clevertap.workMs = CLEVERTAP_WORK_MS;
	const checks: Array<{ check: string; ok: boolean }> = [];
	const check = (what: string, ok: boolean) => checks.push({ check: what, ok });
	const rounds: Round[] = [];
	let monitored: ReturnType<typeof roundTrips> | undefined;
	let cluster: Cluster | undefined;
	const loadAtStart = loadavg().map(round);
	try {
		console.log(`starting n8n ${VERSION}: main + ${MAX_WORKERS} workers (queue mode), and one regular-mode n8n …`);
		cluster = await startCluster(VERSION, sandbox, scratch);
		console.log(`  up after ${Math.round((Date.now() - started) / 1000)} s`);
		await warm(cluster, sandbox, true);
		monitored = await watchRoundTrips(cluster, sandbox);
		let current = MAX_WORKERS;
		for (const [i, workers] of ORDER.entries()) {
			while (current > workers) await cluster.stopWorker(--current);
			const wasBelow = current < workers;
			while (current < workers) await cluster.startWorker(current++);
			if (wasBelow) await warm(cluster, sandbox, false);
			const r = await oneRound(cluster, sandbox, workers);
			rounds.push(r);
			console.log(`round ${i + 1}/${ORDER.length}, ${workers} worker(s): Clara ${rate(r.clara, CLARA_EXECUTIONS * CLARA_LOOKUPS)}/s, CleverTap ${rate(r.clevertap, CT_EXECUTIONS * CT_READS)}/s (single process ${rate(r.clevertapSingle, CT_EXECUTIONS * CT_READS)}/s), Conferma ${r.conferma.counts.tokenRequests} token(s), ${r.conferma.counts.http401} × 401; load ${r.clara.load1}`);
			const tag = `round ${i + 1} (${workers} worker(s))`;
			check(`${tag}: Clara, every execution a success and ${CLARA_EXECUTIONS * CLARA_LOOKUPS} lookups sent, no new token`, r.clara.ended.success === CLARA_EXECUTIONS && r.clara.counts.requests === CLARA_EXECUTIONS * CLARA_LOOKUPS && r.clara.counts.tokenRequests === 0);
			for (const [way, b] of [['queue', r.clevertap], ['single process', r.clevertapSingle]] as const) {
				check(`${tag}: CleverTap (${way}), every execution a success, ${CT_EXECUTIONS * CT_READS} reads`, b.ended.success === CT_EXECUTIONS && b.counts.reads === CT_EXECUTIONS * CT_READS);
				check(`${tag}: CleverTap (${way}), never more than 3 reads in flight, 0 × 429`, b.counts.peakInFlight <= 3 && b.counts.http429 === 0);
			}
			check(`${tag}: Conferma after an expiry, 1 token for ${CONFERMA_EXECUTIONS} executions, 0 lost`, r.conferma.counts.tokenRequests === 1 && r.conferma.ended.success === CONFERMA_EXECUTIONS && r.conferma.refused === 0);
		}
	} finally {
		await cluster?.stop();
	}
	console.log('coordination per call, in this process: Redis store against in-memory store …');
	const coordination = await scenarioCoordination(sandbox);
	await sandbox.close();
	rmSync(scratch, { recursive: true, force: true });

	const by = (n: number) => rounds.filter((r) => r.workers === n);
	const perSec = (b: Batch, items: number) => (items / b.spanMs) * 1000;
	const claraRate = (n: number) => round(median(by(n).map((r) => perSec(r.clara, CLARA_EXECUTIONS * CLARA_LOOKUPS))));
	const ctRate = (n: number) => round(median(by(n).map((r) => perSec(r.clevertap, CT_EXECUTIONS * CT_READS))));
	const ctSingle = round(median(rounds.map((r) => perSec(r.clevertapSingle, CT_EXECUTIONS * CT_READS))));
	const workerCounts = [1, 2, 3];
	const summary = {
		clara: Object.fromEntries(workerCounts.map((n) => [n, { lookupsPerSec: claraRate(n), vsOneWorker: round(claraRate(n) / claraRate(1)) }])),
		clevertap: {
			limitPerSec: LIMIT_PER_SEC,
			singleProcessPerSec: ctSingle,
			byWorkers: Object.fromEntries(workerCounts.map((n) => [n, { readsPerSec: ctRate(n), vsLimit: round(ctRate(n) / LIMIT_PER_SEC), vsSingleProcess: round(ctRate(n) / ctSingle) }])) as Record<number, { readsPerSec: number; vsLimit: number; vsSingleProcess: number }>,
			http429: rounds.reduce((s, r) => s + r.clevertap.counts.http429 + r.clevertapSingle.counts.http429, 0),
			peakInFlight: Math.max(...rounds.map((r) => Math.max(r.clevertap.counts.peakInFlight, r.clevertapSingle.counts.peakInFlight))),
		},
		conferma: {
			tokenRequestsPerExpiry: [...new Set(rounds.map((r) => r.conferma.counts.tokenRequests))],
			http401: rounds.map((r) => r.conferma.counts.http401),
			// Of the executions n8n accepted, those that did not succeed: what the package could lose.
			lostExecutions: rounds.reduce((s, r) => s + (CONFERMA_EXECUTIONS - r.conferma.refused - (r.conferma.ended.success ?? 0)), 0),
			// Webhook calls n8n's main did not answer within 60 s (no execution was made): n8n and the machine, not the package.
			unansweredWebhooks: rounds.reduce((s, r) => s + r.conferma.refused, 0),
		},
	};
	const goals = [
		{ goal: `Clara lookups: 3 workers ≥ 1.8× one worker (${summary.clara[3].vsOneWorker}×)`, met: summary.clara[3].vsOneWorker >= 1.8 },
		{ goal: `CleverTap across 3 workers ≥ 0.95× the single process (${summary.clevertap.byWorkers[3].vsSingleProcess}×) with 0 × 429 (${summary.clevertap.http429})`, met: summary.clevertap.byWorkers[3].vsSingleProcess >= 0.95 && summary.clevertap.http429 === 0 },
		{ goal: `Conferma: 1 token per expiry (${summary.conferma.tokenRequestsPerExpiry.join(', ')}), 0 executions lost (${summary.conferma.lostExecutions}; webhook calls n8n did not answer in 60 s, so never executions: ${summary.conferma.unansweredWebhooks})`, met: summary.conferma.tokenRequestsPerExpiry.every((n) => n === 1) && summary.conferma.lostExecutions === 0 },
		...coordination.map((c) => ({ goal: `Redis adds ≤ 5 % per call against in-memory, ${c.what} (${Math.round(c.added * 100)} %)`, met: c.added <= 0.05 })),
	];
	const result = {
		quick: QUICK,
		n8n: VERSION,
		ranAt: new Date().toISOString(),
		machine: { cores: cpus().length, model: cpus()[0]?.model },
		load: { atStart: loadAtStart, atEnd: loadavg().map(round) },
		settings: { order: ORDER, workerConcurrency: WORKER_CONCURRENCY, latencyMs: LATENCY_MS, handshakeMs: HANDSHAKE_MS, clevertapWorkMs: CLEVERTAP_WORK_MS, claraExecutions: CLARA_EXECUTIONS, claraLookups: CLARA_LOOKUPS, clevertapExecutions: CT_EXECUTIONS, clevertapReads: CT_READS, confermaExecutions: CONFERMA_EXECUTIONS },
		summary,
		roundTrips: monitored,
		coordination,
		goals,
		checks,
		rounds,
		wallSec: Math.round((Date.now() - started) / 1000),
	};
	const file = QUICK ? join(tmpdir(), 'results.queue.quick.json') : join(__dirname, '..', 'results.queue.json');
	writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
	print(result);
	console.log(`wrote ${file} (${result.wallSec} s)`);
	const failed = checks.filter((c) => !c.ok);
	if (failed.length) console.log(`\n${failed.length} count check(s) FAILED`);
	process.exit(failed.length ? 1 : 0);
}

const rate = (b: Batch, items: number) => Math.round((items / b.spanMs) * 1000);
const uuidsBody = (sandbox: Sandbox, n: number) => ({ uuids: sandbox.clara.data.transactions.slice(0, n).map((t) => ({ uuid: t.uuid })) });
const identitiesBody = (sandbox: Sandbox, n: number) => ({ identities: [...sandbox.clevertap.profiles.keys()].slice(0, n).map((identity) => ({ identity })) });

async function oneRound(cluster: Cluster, sandbox: Sandbox, workers: number): Promise<Round> {
	const c0 = { ...sandbox.clara.counters };
	const clara = await runBatch(cluster, queueTarget(cluster), 'clara-lookups', 'qbClaraLookups', CLARA_EXECUTIONS, uuidsBody(sandbox, CLARA_LOOKUPS));
	const claraCounts = { requests: sandbox.clara.counters.requests - c0.requests, tokenRequests: sandbox.clara.counters.tokenRequests - c0.tokenRequests, handshakes: sandbox.clara.counters.handshakes - c0.handshakes };
	const ct = sandbox.clevertap;
	const ctCounts = () => ({ reads: ct.counters.custom.reads ?? 0, http429: ct.counters.custom.http429 ?? 0, peakInFlight: ct.peak.read });
	ct.resetCounters();
	const clevertap = await runBatch(cluster, queueTarget(cluster), 'clevertap-load', 'qCleverTapLoad', CT_EXECUTIONS, identitiesBody(sandbox, CT_READS));
	const clevertapCounts = ctCounts();
	ct.resetCounters();
	const clevertapSingle = await runBatch(cluster, singleTarget(cluster), 'clevertap-load', 'qCleverTapLoad', CT_EXECUTIONS, identitiesBody(sandbox, CT_READS));
	const singleCounts = ctCounts();
	// The token every worker shares stops working at the server before its time (as when it expires early or the
	// vendor drops it): every execution meets a 401, and among them they must take exactly one new token.
	sandbox.conferma.resetCounters();
	sandbox.conferma.expireTokens();
	const conferma = await runBatch(cluster, queueTarget(cluster), 'conferma-load', 'qConfermaLoad', CONFERMA_EXECUTIONS, {});
	const cf = sandbox.conferma.counters;
	return {
		workers,
		clara: { ...clara, counts: claraCounts },
		clevertap: { ...clevertap, counts: clevertapCounts },
		clevertapSingle: { ...clevertapSingle, counts: singleCounts },
		conferma: { ...conferma, counts: { tokenRequests: cf.tokenRequests, http401: cf.custom.http401 ?? 0, lists: cf.custom.lists ?? 0, expiredTokenUses: cf.custom.expiredTokenUses ?? 0 } },
	};
}

/**
 * Small batches of each workflow until every live worker has run at least 3 executions since it started (and, with
 * `single`, the regular-mode n8n its first): first runs load and compile, open connections, read the token.
 */
async function warm(cluster: Cluster, sandbox: Sandbox, single: boolean) {
	const since = startedCounts(cluster);
	const live = cluster.workers.map((w) => !!w);
	for (let i = 0; i < 10; i++) {
		const n = 2 * live.filter(Boolean).length;
		await runBatch(cluster, queueTarget(cluster), 'clara-lookups', 'qbClaraLookups', n, uuidsBody(sandbox, 16));
		await runBatch(cluster, queueTarget(cluster), 'clevertap-load', 'qCleverTapLoad', n, identitiesBody(sandbox, 6));
		await runBatch(cluster, queueTarget(cluster), 'conferma-load', 'qConfermaLoad', n, {});
		const now = startedCounts(cluster);
		// A restarted worker's log starts again from zero.
		if (now.every((c, k) => !live[k] || c - (since[k] ?? 0) >= 3 || (c >= 3 && c < (since[k] ?? 0)))) break;
	}
	if (single) {
		await runBatch(cluster, singleTarget(cluster), 'clara-lookups', 'qbClaraLookups', 2, uuidsBody(sandbox, 16));
		await runBatch(cluster, singleTarget(cluster), 'clevertap-load', 'qCleverTapLoad', 2, identitiesBody(sandbox, 6));
	}
}

/** The package's Redis commands (on its own keys) per Clara token use and per CleverTap limiter slot, from MONITOR. */
function roundTrips(counts: { clara: Record<string, number>; clevertap: Record<string, number> }) {
	const sum = (c: Record<string, number>) => Object.entries(c).reduce((a, [k, n]) => a + (k.startsWith('inside scripts') ? 0 : n), 0);
	const lookups = CLARA_EXECUTIONS * CLARA_LOOKUPS;
	const reads = CT_EXECUTIONS * CT_READS;
	return {
		workers: MAX_WORKERS,
		claraLookups: lookups,
		clevertapReads: reads,
		perTokenUse: round(sum(counts.clara) / lookups),
		perLimiterSlot: round(sum(counts.clevertap) / reads),
		claraCommands: counts.clara,
		clevertapCommands: counts.clevertap,
	};
}

async function watchRoundTrips(cluster: Cluster, sandbox: Sandbox) {
	const client = new Redis({ host: '127.0.0.1', port: cluster.redisPort });
	const monitor = await client.monitor();
	let counts: Record<string, number> = {};
	// Round trips are the commands a worker sent; what Redis ran inside a script (source "lua") is counted apart.
	monitor.on('monitor', (_time: string, args: string[], source: string) => {
		if (!args.some((a) => String(a).startsWith(PREFIX))) return;
		const command = args[0].toLowerCase();
		const script = /^-- limiter (\w+)/.exec(args[1])?.[1] ?? (/PEXPIRE/.test(args[1]) ? 'extend lock' : /'DEL'/.test(args[1]) ? 'unlock or delete-if' : 'other');
		const name = source === 'lua' ? `inside scripts: ${command}` : command === 'eval' ? `eval ${script}` : command;
		counts[name] = (counts[name] ?? 0) + 1;
	});
	try {
		await runBatch(cluster, queueTarget(cluster), 'clara-lookups', 'qbClaraLookups', CLARA_EXECUTIONS, uuidsBody(sandbox, CLARA_LOOKUPS));
		await new Promise((r) => setTimeout(r, 200)); // MONITOR's stream trails the commands a little
		const clara = counts;
		counts = {};
		await runBatch(cluster, queueTarget(cluster), 'clevertap-load', 'qCleverTapLoad', CT_EXECUTIONS, identitiesBody(sandbox, CT_READS));
		await new Promise((r) => setTimeout(r, 200));
		return roundTrips({ clara, clevertap: counts });
	} finally {
		monitor.disconnect();
		client.disconnect();
	}
}

function print(r: any) {
	if (r.quick) console.log('\n--quick: small batches on a busy machine; the counts are checked, the times and ratios below mean nothing');
	console.log(`\nn8n ${r.n8n} in queue mode, worker concurrency ${r.settings.workerConcurrency}; order of worker counts ${r.settings.order.join(' ')}; load ${r.load.atStart[0]} → ${r.load.atEnd[0]} on ${r.machine.cores} cores`);
	console.log(`Clara, ${CLARA_EXECUTIONS} executions × ${CLARA_LOOKUPS} lookups at once (execution records; median over rounds):`);
	for (const n of [1, 2, 3]) console.log(`  ${n} worker(s)  ${r.summary.clara[n].lookupsPerSec} lookups/s  ${r.summary.clara[n].vsOneWorker}× one worker`);
	console.log(`CleverTap, ${CT_EXECUTIONS} executions × ${CT_READS} reads at once, limit 3 in flight × ${CLEVERTAP_WORK_MS} ms = ${LIMIT_PER_SEC}/s; single process ${r.summary.clevertap.singleProcessPerSec}/s:`);
	for (const n of [1, 2, 3]) console.log(`  ${n} worker(s)  ${r.summary.clevertap.byWorkers[n].readsPerSec} reads/s  ${r.summary.clevertap.byWorkers[n].vsLimit}× the limit  ${r.summary.clevertap.byWorkers[n].vsSingleProcess}× the single process`);
	console.log(`  429s ${r.summary.clevertap.http429}, peak in flight ${r.summary.clevertap.peakInFlight}`);
	console.log(`Conferma, ${CONFERMA_EXECUTIONS} executions at once after the token expired at the server: tokens per expiry ${r.summary.conferma.tokenRequestsPerExpiry.join(', ')}; 401s per round ${r.summary.conferma.http401.join(', ')}; executions lost ${r.summary.conferma.lostExecutions}`);
	const t = r.roundTrips;
	console.log(`Redis round trips of the package (MONITOR, ${t.workers} workers): ${t.perTokenUse} per token use ${JSON.stringify(t.claraCommands)}, ${t.perLimiterSlot} per limiter slot ${JSON.stringify(t.clevertapCommands)}`);
	console.log('Coordination per call, Redis store vs in-memory (this process, own Redis):');
	for (const c of r.coordination) console.log(`  ${c.what.padEnd(52)} memory ${c.memoryMsPerCall} ms  Redis ${c.redisMsPerCall} ms  +${Math.round(c.added * 100)} %  ${c.roundTripsPerCall} round trips/call (Redis ran ${JSON.stringify(c.commands)})`);
	console.log('CPU per process, seconds over each batch (share of the batch\'s wall time), machine busy share:');
	for (const round of r.rounds as Round[]) {
		for (const [name, b] of [['Clara', round.clara], ['CleverTap', round.clevertap], ['CleverTap single', round.clevertapSingle]] as const) {
			console.log(`  ${round.workers}w ${name.padEnd(17)} ${b.spanMs} ms  ${Object.entries(b.cpuSec).map(([k, v]) => `${k} ${v}`).join(', ')}  machine ${Math.round(b.machineBusy * 100)} %${b.perWorker ? `  executions per worker ${b.perWorker.join('/')}` : ''}`);
		}
	}
	for (const g of r.goals) console.log(`  goal   ${g.met ? 'met   ' : 'MISSED'} ${g.goal}`);
	for (const c of r.checks) console.log(`  check  ${c.ok ? 'ok    ' : 'FAILED'} ${c.check}`);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}

export { main };
