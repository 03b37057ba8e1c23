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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';
import { median, percentiles, round } from '../common';
import { prepare, serve } from './instance';
import { scenarioLookups, type LookupRow } from './lookups';
import { scenarioProfile } from './profile-run';
import { CONCURRENCY, CONNECTIONS, HANDSHAKE_MS, ITEMS, LATENCY_MS, LOOKUP_ROUNDS, PROFILE, QUICK, SIGNUP_ROUNDS, SIGNUPS_PER_ROUND, VERSIONS } from './settings';
import { scenarioSignups } from './signups';

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
				'Clara lookups: node speed vs HTTP Request node (execution records)': round(diy.ms / node.ms),
				'Clara lookups: node speed vs raw undici loop': round(raw.ms / node.ms),
				'Clara lookups: node executionTime vs raw undici loop': round(raw.ms / (node.nodeMs ?? node.ms)),
				'signup: node p95 / HTTP Request p50 (caller)': round(sNode.client.p95 / sDiy.client.p50),
				'signup: node p95 / HTTP Request p50 (execution records)': round(sNode.execution.p95 / sDiy.execution.p50),
				// Not the goal, which is over all rounds: the same ratio within each pair of neighbouring rounds, which
				// leaves out the machine's drift between pairs. The median of the pairs (of an even number, the higher middle one).
				'signup: node p95 / HTTP Request p50 (caller), within a round pair, median': round(median(sNode.clientByRound.map((r, k) => r.p95 / sDiy.clientByRound[k].p50))),
				// What the goal's ratio would be if our two nodes cost nothing: n8n's own nodes of the flow alone.
				"signup: n8n's nodes alone p95 / HTTP Request p50 (caller)": round(sAlone.client.p95 / sDiy.client.p50),
				// What each way's two nodes add to n8n's part, at the median: ours against the HTTP Request nodes.
				"signup: p50 above n8n's nodes alone, node / HTTP Request": round((sNode.client.p50 - sAlone.client.p50) / (sDiy.client.p50 - sAlone.client.p50)),
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
	const file = QUICK ? join(tmpdir(), 'results.n8n.quick.json') : join(__dirname, '..', 'results.n8n.json');
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
	return require('os').loadavg().map((x: number) => round(x));
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
