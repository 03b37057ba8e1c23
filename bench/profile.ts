/**
 * Where n8n's own process spends its CPU while our node runs: a V8 `.cpuprofile` (n8n started with `--cpu-prof`)
 * cut down to the window in which the benchmarked executions ran, each sample put into one bucket. A sample belongs
 * to the innermost frame that is not Node.js itself or native code (JSON.parse called by our transport is ours;
 * a socket read with nothing of ours or n8n's on the stack is Node's), and that frame's file says the bucket.
 *
 * `npx ts-node --transpile-only bench/profile.ts <file.cpuprofile> [items] [fromUs-toUs]` prints the split of one
 * profile (bench/results.n8n.json keeps each profile's file and window).
 */
import { readFileSync } from 'fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** Buckets, in the order they are tested against a frame's file (the first match wins). */
export const BUCKETS: Array<{ bucket: string; test: RegExp }> = [
	// Our dependency, which the raw loop pays as well. npm hoists the package's dependencies next to it in n8n's
	// community-nodes folder (<user folder>/.n8n/nodes/node_modules/undici).
	{ bucket: 'undici (HTTP client; the raw loop pays it too)', test: /(\.n8n\/nodes|n8n-nodes-fintech-identity)\/node_modules\/undici\// },
	{ bucket: 'our code (node + transport)', test: /n8n-nodes-fintech-identity\/dist\/|\.n8n\/nodes\/node_modules\// },
	{
		bucket: "n8n's expression engine and parameter resolution",
		test: /n8n-workflow\/dist\/(cjs\/|esm\/)?(expression|workflow-data-proxy|extensions|expressions|node-parameters|type-validation)|@n8n\/tournament|@n8n\/expression|esprima|recast|ast-types|isolated-vm|get-node-parameter|luxon|jmespath/,
	},
	{ bucket: 'execution-data saving (database)', test: /typeorm|sqlite3|@n8n\/db|flatted|execution-persistence|execution-repository|execution-lifecycle|save-execution|execution-data|better-sqlite|pg\/lib/ },
	{ bucket: 'logging', test: /winston|logform|triple-beam|backend-common\/dist\/logging|logger-proxy|[/\\]logging[/\\]/ },
	{ bucket: "n8n's engine (running nodes, items, pairedItem)", test: /n8n-core\/|n8n-workflow\// },
	{ bucket: "n8n's server (webhook, other nodes, REST)", test: /node_modules\/(n8n|n8n-nodes-base|express|body-parser|raw-body|@n8n)\// },
];

const CORE_NET = /^node:(tls|_tls_wrap|net|_http_|https|http|internal\/(stream_base_commons|tls|net|crypto|js_stream_socket))/;

export interface Split {
	/** Wall time of the window, ms. */
	windowMs: number;
	/** CPU time sampled in the window, ms, by bucket. */
	buckets: Record<string, number>;
	/** The hottest functions of our code (self time, ms). */
	ourHotspots: Array<{ fn: string; ms: number }>;
	/** What "other JavaScript" is, by package (ms). */
	otherByPackage: Array<{ pkg: string; ms: number }>;
}

/**
 * Split `profile` over `window` — monotonic-clock microseconds, the clock V8 stamps profiles with and
 * `process.hrtime` reads in any process of the machine, so the benchmark can say when its executions ran. Without
 * it: from the first to the last sample with our code running (not being loaded), extended to the end of the work
 * that follows it (until the process has been idle for `settleMs`: the last execution's saving). `requireOurs`
 * false for a window in which only n8n's own nodes ran.
 */
export function splitProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, settleMs = 1_000, requireOurs = true): Split {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

	const ours = /n8n-nodes-fintech-identity\//;
	const bucketOf = new Map<number, string>();
	const hasOurs = new Map<number, boolean>();
	const classify = (id: number): string => {
		const known = bucketOf.get(id);
		if (known) return known;
		const frame = byId.get(id)!.callFrame;
		let bucket: string | undefined;
		if (frame.functionName === '(idle)') bucket = 'idle';
		else if (frame.functionName === '(garbage collector)') bucket = 'garbage collection';
		else if (frame.functionName === '(program)') bucket = 'V8 / native (unattributed)';
		else if (frame.url && !frame.url.startsWith('node:')) bucket = BUCKETS.find((b) => b.test.test(frame.url))?.bucket ?? 'other JavaScript';
		if (!bucket) {
			const up = parent.get(id);
			const above = up === undefined || byId.get(up)!.callFrame.functionName === '(root)' ? undefined : classify(up);
			bucket = above ?? (CORE_NET.test(frame.url) ? 'Node.js sockets and TLS' : 'Node.js (other)');
			// Only Node's own frames up to the root: decide by the innermost core frame that says something.
			if (above === 'Node.js (other)' && CORE_NET.test(frame.url)) bucket = 'Node.js sockets and TLS';
		}
		bucketOf.set(id, bucket);
		return bucket;
	};
	// Our code running, not being loaded: n8n requires the package at start-up, long before any execution.
	const loading = new Map<number, boolean>();
	const isLoading = (id: number): boolean => {
		const known = loading.get(id);
		if (known !== undefined) return known;
		const up = parent.get(id);
		const result = byId.get(id)!.callFrame.url === 'node:internal/modules/cjs/loader' || (up !== undefined && isLoading(up));
		loading.set(id, result);
		return result;
	};
	const oursOnStack = (id: number): boolean => {
		const known = hasOurs.get(id);
		if (known !== undefined) return known;
		const up = parent.get(id);
		const result = ours.test(byId.get(id)!.callFrame.url) || (up !== undefined && oursOnStack(up));
		hasOurs.set(id, result);
		return result;
	};
	const oursRunning = (id: number) => oursOnStack(id) && !isLoading(id);

	// Sample times (the monotonic clock, µs).
	const times: number[] = [];
	let t = profile.startTime;
	for (const d of profile.timeDeltas) times.push((t += d));
	let first = -1;
	let end = -1;
	if (window) {
		first = times.findIndex((x) => x >= window.fromUs);
		end = times.findLastIndex((x) => x <= window.toUs);
	} else {
		profile.samples.forEach((id, i) => {
			if (oursRunning(id)) {
				if (first < 0) first = i;
				end = i;
			}
		});
		// Extend past the last sample of ours until the process rests.
		for (let i = end + 1; first >= 0 && i < profile.samples.length; i++) {
			if (classify(profile.samples[i]) === 'idle') continue;
			if (times[i] - times[end] > settleMs * 1000) break;
			end = i;
		}
	}
	if (first < 0 || end < first) throw new Error('no sample of the profile falls in the window: was the benchmark run while profiling?');
	// (A window of the do-it-yourself flow has none of ours, on purpose.)
	if (requireOurs && !profile.samples.slice(first, end + 1).some(oursRunning)) throw new Error('no sample in the window has this package running');
	const buckets: Record<string, number> = {};
	const self = new Map<string, number>();
	const other = new Map<string, number>();
	for (let i = first; i <= end; i++) {
		const id = profile.samples[i];
		const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
		const bucket = classify(id);
		buckets[bucket] = (buckets[bucket] ?? 0) + ms;
		if (bucket === 'other JavaScript') {
			let at: number | undefined = id;
			while (at !== undefined && (!byId.get(at)!.callFrame.url || byId.get(at)!.callFrame.url.startsWith('node:'))) at = parent.get(at);
			const url = at === undefined ? '' : byId.get(at)!.callFrame.url;
			const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url;
			other.set(pkg, (other.get(pkg) ?? 0) + ms);
		}
		if (bucket === 'our code (node + transport)') {
			// The innermost frame of ours is where the time goes.
			let at: number | undefined = id;
			while (at !== undefined && !ours.test(byId.get(at)!.callFrame.url)) at = parent.get(at);
			if (at !== undefined) {
				const f = byId.get(at)!.callFrame;
				const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*n8n-nodes-fintech-identity\//, '')}:${f.lineNumber + 1}`;
				self.set(key, (self.get(key) ?? 0) + ms);
			}
		}
	}
	for (const k of Object.keys(buckets)) buckets[k] = Math.round(buckets[k] * 10) / 10;
	const ourHotspots = [...self.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, 12)
		.map(([fn, ms]) => ({ fn, ms: Math.round(ms * 10) / 10 }));
	const otherByPackage = [...other.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, 8)
		.map(([pkg, ms]) => ({ pkg, ms: Math.round(ms * 10) / 10 }));
	return { windowMs: Math.round((times[end] - times[first]) / 1000), buckets, ourHotspots, otherByPackage };
}

export function readProfile(file: string): CpuProfile {
	return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

if (require.main === module) {
	const [file, items] = process.argv.slice(2);
	const [fromUs, toUs] = (process.argv[4] ?? '').split('-').map(Number);
	const split = splitProfile(readProfile(file), fromUs && toUs ? { fromUs, toUs } : undefined);
	const n = Number(items) || 0;
	console.log(`window ${split.windowMs} ms`);
	for (const [bucket, ms] of Object.entries(split.buckets).sort((a, b) => b[1] - a[1])) {
		console.log(`  ${bucket.padEnd(56)} ${String(ms).padStart(8)} ms${n ? `  ${((ms * 1000) / n).toFixed(0).padStart(6)} µs/item` : ''}`);
	}
	console.log('our hotspots (self time):');
	for (const h of split.ourHotspots) console.log(`  ${String(h.ms).padStart(8)} ms  ${h.fn}`);
	console.log('other JavaScript, by package:');
	for (const o of split.otherByPackage) console.log(`  ${String(o.ms).padStart(8)} ms  ${o.pkg}`);
}
