/**
 * What every in-process scenario shares: the stand-in for the network, how a way is timed and how ways are
 * interleaved, and the shape of a scenario's result. Scenarios import this; bench/run.ts imports the scenarios.
 */
export const QUICK = process.argv.includes('--quick');
/** Scenario 1 also profiles its ways' CPU and says where it goes, per request (not in `--quick`: times only). */
export const PROFILE = !QUICK;
export const LATENCY_MS = 20;
export const HANDSHAKE_MS = 5;
/** `--times=N`: runs of each way per scenario (default 3, 1 in quick mode); its median is kept. */
const TIMES = Number(process.argv.find((a) => a.startsWith('--times='))?.slice(8)) || (QUICK ? 1 : 3);
/**
 * `--skip=<regex>`: ways whose name matches are not run (their row says skipped; the scenario's ratios and checks
 * that need them come out meaningless). bench/before-after.ts skips n8n's HTTP Request node, which is not ours.
 */
const SKIP = process.argv.find((a) => a.startsWith('--skip='))?.slice(7);

export interface Measured {
	ms: number;
	counts: Record<string, number>;
	peakHeapMB?: number;
	/** This process's CPU time (user + system) while it ran: on a machine busy with other work, steadier than `ms`. */
	cpuMs?: number;
	skipped?: boolean;
}

export interface ScenarioResult {
	scenario: string;
	rows: Array<{ way: string } & Measured>;
	ratios: Record<string, number>;
	goals: Array<{ goal: string; met: boolean }>;
	/** Counts that must hold whatever the machine (CI fails on these, never on times). */
	checks?: Array<{ check: string; ok: boolean }>;
	notes?: string[];
}

/**
 * Run each way `times` times, interleaved (so drift in machine load hits all ways alike) and in a rotated order each
 * round (so no way always runs just after the same other one, e.g. after the DIY way's 1,000 closed connections);
 * keep each way's median.
 */
export async function interleaved(ways: Array<{ way: string; run: () => Promise<Measured> }>, times = TIMES) {
	const runs = new Map<string, Measured[]>(ways.map((w) => [w.way, []]));
	for (let i = 0; i < times; i++) {
		for (let k = 0; k < ways.length; k++) {
			const w = ways[(i + k) % ways.length];
			runs.get(w.way)!.push(SKIP && new RegExp(SKIP).test(w.way) ? { ms: 0, counts: {}, skipped: true } : await w.run());
		}
	}
	return ways.map((w) => {
		const all = runs.get(w.way)!;
		const sorted = [...all].sort((a, b) => a.ms - b.ms);
		// Each round's time and peak heap, in round order: ratios are also taken within a round (see paired).
		return { way: w.way, ...sorted[Math.floor(sorted.length / 2)], runsMs: all.map((m) => m.ms), runsHeapMB: all.map((m) => m.peakHeapMB ?? 0) };
	});
}

/**
 * `a / b` within each round of `interleaved` (the two ways ran minutes apart at most, under the same load): the
 * median and the spread (lowest, highest) of those ratios. A gain smaller than the spread is not a gain.
 */
export function paired(a: number[], b: number[]) {
	const ratios = a.map((x, i) => x / b[i]).sort((p, q) => p - q);
	return { median: round(ratios[Math.floor(ratios.length / 2)]), low: round(ratios[0]), high: round(ratios[ratios.length - 1]) };
}

/** Time `fn`, sampling the heap every 5 ms for its peak above the starting point. */
export async function measure(fn: () => Promise<Record<string, number>>): Promise<Measured> {
	global.gc?.();
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
	const start = process.hrtime.bigint();
	const cpu = process.cpuUsage();
	const counts = await fn();
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	const used = process.cpuUsage(cpu);
	clearInterval(timer);
	peak = Math.max(peak, process.memoryUsage().heapUsed);
	return { ms: Math.round(ms), cpuMs: Math.round((used.user + used.system) / 1000), counts, peakHeapMB: Math.round(((peak - base) / 1048576) * 10) / 10 };
}

export const round = (n: number) => Math.round(n * 100) / 100;
/** The middle value; of an even count, the mean of the two middle ones (the upper one alone biased every 2-round median upward). */
export const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
export function percentiles(xs: number[]) {
	const s = [...xs].sort((a, b) => a - b);
	return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] };
}
