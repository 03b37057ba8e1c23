/**
 * `npm run bench [-- --quick]`: each scenario runs the node, the practical limit (a raw undici keep-alive loop)
 * and where possible the do-it-yourself way (n8n's own HTTP Request node), side by side in this one process, and
 * prints ratios — absolute times on a shared 2-core machine are noise. Sandbox latency knobs stand in for the
 * network: 20 ms per request, 5 ms more on each new connection (the TLS handshake's round trips).
 * Writes bench/results.json. `--quick` shrinks every scenario so CI can check the counts (never the times).
 * Scenario 1 also profiles each of its ways once and prints where its CPU goes per request (`--hot`: the hottest
 * functions too); `--no-diy` leaves out the HTTP Request node's way (16 s a round) while working on the engine.
 * `--n8n` runs bench/n8n/ instead: the real n8n app, with its own results file; `--queue` runs bench/queue/: the
 * real app in queue mode (main, 1–3 workers, Redis, PostgreSQL), with its own results file.
 */
import 'reflect-metadata';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { startSandbox } from '../sandbox';
import { built } from '../sandbox/built';
import { scenarioClaraLookups, scenarioClaraReturnAll } from './clara';
import { scenarioClaroRepeats } from './claro';
import { scenarioCleverTapLimit } from './clevertap';
import { HANDSHAKE_MS, LATENCY_MS, QUICK, type ScenarioResult } from './common';
import { scenarioConfermaConcurrent } from './conferma';

const { closeAllAgents } = built.transport();
/** `--only=1,5`: run just those scenarios (numbered as printed). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
/** `--out=file`: write the results there instead (bench/before-after.ts collects one file per run). */
const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6);

const scenarios = [scenarioClaraLookups, scenarioClaraReturnAll, scenarioClaroRepeats, scenarioCleverTapLimit, scenarioConfermaConcurrent];

function print(results: ScenarioResult[]) {
	for (const r of results) {
		console.log(`\n${r.scenario}`);
		for (const row of r.rows) {
			const counts = Object.entries(row.counts).map(([k, v]) => `${k}=${v}`).join(' ');
			console.log(`  ${row.way.padEnd(28)} ${String(row.ms).padStart(7)} ms  heap+${String(row.peakHeapMB).padStart(6)} MB  ${counts}`);
		}
		for (const [k, v] of Object.entries(r.ratios)) console.log(`  ratio  ${k}: ${v}×`);
		for (const g of r.goals) console.log(`  goal   ${g.met ? 'met   ' : 'MISSED'} ${g.goal}`);
		for (const c of r.checks ?? []) console.log(`  check  ${c.ok ? 'ok    ' : 'FAILED'} ${c.check}`);
		for (const n of r.notes ?? []) console.log(`  note   ${n}`);
	}
}

async function main() {
	const sandbox = await startSandbox({ clara: { transactions: QUICK ? 2_000 : 50_000 }, claro: { people: QUICK ? 100 : 1_000 } });
	for (const service of [sandbox.clara, sandbox.claro, sandbox.conferma]) {
		service.faults.latencyMs = LATENCY_MS;
		service.faults.handshakeDelayMs = HANDSHAKE_MS;
	}
	const results: ScenarioResult[] = [];
	try {
		for (const [i, scenario] of scenarios.entries()) if (!ONLY || ONLY.includes(String(i + 1))) results.push(await scenario(sandbox));
	} finally {
		await closeAllAgents();
		await sandbox.close();
	}
	print(results);
	const failed = results.flatMap((r) => (r.checks ?? []).filter((c) => !c.ok));
	// A partial run (--only) must not overwrite the full results docs/speed.md is made from (npm run speed:table).
	if (!ONLY || OUT) writeFileSync(OUT ?? join(__dirname, QUICK ? 'results.quick.json' : 'results.json'), JSON.stringify({ quick: QUICK, latencyMs: LATENCY_MS, handshakeMs: HANDSHAKE_MS, node: process.version, results }, null, 2) + '\n');
	if (failed.length) console.log(`\n${failed.length} count check(s) FAILED`);
	process.exit(failed.length ? 1 : 0);
}

if (require.main === module) {
	// `npm run bench -- --n8n`: the same questions asked of the real n8n app (bench/n8n/); `--queue`: of its queue mode.
	const run = process.argv.includes('--n8n') ? (require('./n8n') as typeof import('./n8n/index')).main : process.argv.includes('--queue') ? (require('./queue') as typeof import('./queue/index')).main : main;
	run().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
