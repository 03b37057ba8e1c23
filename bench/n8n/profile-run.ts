import { copyFileSync, mkdirSync, readdirSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';
import { readProfile, splitProfile, type Split } from '../profile';
import { finishedSince, newestExecutionId, post, runDataOf, serve, type prepare } from './instance';
import { lookupWay } from './lookups';
import { ITEMS, QUICK, SIGNUPS_PER_ROUND, CONCURRENCY } from './settings';
import { closedLoop, signups, signupWays } from './signups';

// ---------------------------------------------------------------------------------------------------------------
// C. Profile.

export async function scenarioProfile(prepared: Awaited<ReturnType<typeof prepare>>, sandbox: Sandbox, scratch: string) {
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
