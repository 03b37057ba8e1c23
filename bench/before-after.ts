/**
 * `npm run bench:before-after -- --before=<dist> [--label=…] [--rounds=N]`: today's in-process scenarios (bench/run.ts)
 * against two builds of the full edition in one run — this worktree's dist/ ("after") and another commit's built
 * dist/ ("before", e.g. a scratch worktree of the commit before a refactor). Each build runs in its own process (as
 * n8n loads one package), one run of every way per process, the two builds alternating and the order swapped each
 * round so drift in the machine's load hits both alike. Reported per way: after/before within each round's pair,
 * median and range, for the wall time and for the process's CPU time (steadier when other work shares the machine).
 * The raw undici loops do not use the package at all: their ratio is the run's noise floor.
 * n8n's HTTP Request node (the DIY ways) is skipped: not ours, and under load it now and then loses a connection.
 * Each way's counts are kept per build, every distinct one seen, to compare (handshakes may differ by one from run to run).
 *
 * Writes bench/results.before-after.json; `npm run speed:table` makes docs/speed.md's table from it.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';
import { median, round, type ScenarioResult } from './common';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const REPO = join(__dirname, '..');
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

function runOnce(dist: string | undefined, out: string): ScenarioResult[] {
	const r = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', join(__dirname, 'run.ts'), '--times=1', '--skip=DIY', `--out=${out}`], {
		cwd: REPO,
		env: { ...process.env, ...(dist ? { BENCH_DIST: dist } : {}) },
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	// Exit 1 with results written: a check that needed a skipped way; the rows are what is compared here.
	if (r.status !== 0 && !(r.status === 1 && existsSync(out))) throw new Error(`bench run on ${dist ?? 'dist/'} ended with ${r.status}`);
	return JSON.parse(readFileSync(out, 'utf8')).results;
}

function main() {
	const before = resolve(arg('before') ?? '');
	if (!arg('before')) throw new Error('--before=<another build\'s dist/ folder> is required');
	const rounds = Number(arg('rounds') ?? 5);
	const scratch = mkdtempSync(join(tmpdir(), 'bench-before-after-'));
	const atStart = loadavg().map(round);
	const runs: Record<'before' | 'after', ScenarioResult[][]> = { before: [], after: [] };
	for (let i = 0; i < rounds; i++) {
		const order: Array<'before' | 'after'> = i % 2 ? ['after', 'before'] : ['before', 'after'];
		for (const build of order) {
			runs[build].push(runOnce(build === 'before' ? before : undefined, join(scratch, `${build}-${i}.json`)));
			console.error(`round ${i + 1}/${rounds}: ${build} done (load ${loadavg()[0].toFixed(2)})`);
		}
	}
	rmSync(scratch, { recursive: true, force: true });
	const rows = runs.after[0].flatMap((s, si) =>
		s.rows.flatMap((row, wi) => {
			if (row.skipped) return [];
			const pick = (build: 'before' | 'after') => runs[build].map((r) => r[si].rows[wi]);
			const ratios = pick('after').map((a, i) => a.ms / pick('before')[i].ms);
			const cpuRatios = pick('after').map((a, i) => a.cpuMs! / pick('before')[i].cpuMs!);
			const spread = (xs: number[]) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });
			const seen = (build: 'before' | 'after') => [...new Set(pick(build).map((r) => JSON.stringify(r.counts)))].map((c) => JSON.parse(c));
			return [{
				scenario: s.scenario,
				way: row.way,
				usesPackage: !/^raw /.test(row.way),
				beforeMs: median(pick('before').map((r) => r.ms)),
				afterMs: median(pick('after').map((r) => r.ms)),
				ratio: spread(ratios),
				beforeCpuMs: median(pick('before').map((r) => r.cpuMs!)),
				afterCpuMs: median(pick('after').map((r) => r.cpuMs!)),
				cpuRatio: spread(cpuRatios),
				counts: { before: seen('before'), after: seen('after') },
			}];
		}),
	);
	const result = {
		command: `npm run bench:before-after -- --before=${arg('before')} --rounds=${rounds}`,
		date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
		before: arg('label') ?? git(resolve(before, '..'), 'rev-parse', '--short', 'HEAD'),
		after: git(REPO, 'rev-parse', '--short', 'HEAD'),
		node: process.version,
		rounds,
		load: { atStart, atEnd: loadavg().map(round) },
		rows,
	};
	writeFileSync(join(__dirname, 'results.before-after.json'), JSON.stringify(result, null, 2) + '\n');
	for (const r of rows) console.log(`${r.scenario.slice(0, 40).padEnd(40)} ${r.way.slice(0, 34).padEnd(34)} ${r.beforeMs} → ${r.afterMs} ms  after/before ${r.ratio.median} (${r.ratio.min}–${r.ratio.max}); CPU ${r.beforeCpuMs} → ${r.afterCpuMs} ms, ${r.cpuRatio.median} (${r.cpuRatio.min}–${r.cpuRatio.max})`);
}

main();
