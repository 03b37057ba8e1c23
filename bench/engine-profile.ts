/**
 * Where the in-process bench's time goes, per request: a V8 CPU profile (node:inspector, in this process) of one
 * way, its samples split by whose code ran (ours, undici, the sandbox serving the request, Node's sockets and TLS,
 * n8n, garbage collection). Scenario 1's client and sandbox share one JavaScript thread, so what the client spends
 * per request is what separates it from the raw loop.
 */
import { Session } from 'inspector';
import type { CpuProfile } from './profile';

const BUCKETS: Array<[string, RegExp]> = [
	['undici', /node_modules\/undici\//],
	['ours', /\/dist\/(nodes|credentials)\//],
	['sandbox (server side)', /\/sandbox\//],
	['n8n', /node_modules\/(n8n-core|n8n-workflow|@n8n)\//],
	['bench / harness', /\/(bench|test)\//],
];

export interface CpuSplit {
	totalMs: number;
	buckets: Record<string, number>;
	hot: Array<{ fn: string; ms: number }>;
}

/**
 * Split a profile by the innermost frame that is not Node.js itself: Node's own frames go to the code that called
 * them (a socket write by undici is undici's; JSON.parse called by our transport is ours).
 */
export function splitCpu(profile: CpuProfile): CpuSplit {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const memo = new Map<number, string>();
	const bucketOf = (id: number): string => {
		const known = memo.get(id);
		if (known) return known;
		const f = byId.get(id)!.callFrame;
		let b: string | undefined;
		if (f.functionName === '(garbage collector)') b = 'garbage collection';
		else if (f.functionName === '(idle)') b = 'idle';
		else if (f.functionName === '(program)') b = 'V8 / native';
		else if (f.url && !f.url.startsWith('node:')) b = BUCKETS.find(([, re]) => re.test(f.url))?.[0] ?? 'other JavaScript';
		if (!b) {
			const up = parent.get(id);
			const above = up === undefined || byId.get(up)!.callFrame.functionName === '(root)' ? undefined : bucketOf(up);
			b = above ?? 'Node.js (sockets, TLS, timers)';
		}
		memo.set(id, b);
		return b;
	};
	const buckets: Record<string, number> = {};
	const self = new Map<string, number>();
	let total = 0;
	profile.samples.forEach((id, i) => {
		const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
		const b = bucketOf(id);
		buckets[b] = (buckets[b] ?? 0) + ms;
		if (b !== 'idle') total += ms;
		const f = byId.get(id)!.callFrame;
		const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist|sandbox)\//, '$1/')}:${f.lineNumber + 1}`;
		if (b.startsWith('ours') || b.startsWith('undici')) self.set(key, (self.get(key) ?? 0) + ms);
	});
	const hot = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([fn, ms]) => ({ fn, ms: Math.round(ms * 10) / 10 }));
	for (const k of Object.keys(buckets)) buckets[k] = Math.round(buckets[k] * 10) / 10;
	return { totalMs: Math.round(total), buckets, hot };
}

/** Run `fn` under the CPU profiler (sampling every 100 µs). */
export async function profiled<T>(fn: () => Promise<T>): Promise<{ value: T; profile: CpuProfile }> {
	const session = new Session();
	session.connect();
	const post = (method: string, params?: object) =>
		new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
	await post('Profiler.enable');
	await post('Profiler.setSamplingInterval', { interval: 100 });
	await post('Profiler.start');
	try {
		const value = await fn();
		const { profile } = await post('Profiler.stop');
		return { value, profile: profile as CpuProfile };
	} finally {
		session.disconnect();
	}
}
