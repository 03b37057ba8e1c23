/**
 * The speed tables of docs/speed.md, made from the benchmarks' own results (the figures are never typed in by hand):
 * the engine table from bench/results.json (`npm run bench`), the real-app tables from bench/results.n8n.json
 * (`npm run bench -- --n8n --profile`), the before/after table from bench/results.before-after.json
 * (`npm run bench:before-after`).
 *
 * `npm run speed:table` rewrites the generated parts of docs/speed.md (between its `<!-- generated: … -->` markers);
 * `npm run speed:table -- --print [results.n8n.json]` prints the real-app tables of the file given instead.
 * A unit test fails when docs/speed.md differs from what this makes of the committed results.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

export const SPEED_DOC = join(__dirname, '..', 'docs', 'speed.md');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

const x = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
const met = (ok: boolean) => (ok ? 'met' : '**missed**');
const load = (r: any) => `${r.load.atStart[0]} → ${r.load.atEnd[0]}`;

/** `npm run bench`: one row per scenario, each way's time and counts, the ratios and goals the run computed. */
export function engineTable(data: any = readJson(join(__dirname, 'results.json'))): string {
	const lines = [
		`Figures from \`bench/results.json\` (Node ${data.node}; ${data.latencyMs} ms of latency per request, ${data.handshakeMs} ms more per new connection):`,
		'',
		"| scenario | each way: time, counts (the first way's speed against it) | ratios | goals |",
		'|---|---|---|---|',
	];
	for (const s of data.results) {
		const first = s.rows[0];
		const ways = s.rows.map((r: any, i: number) => {
			const counts = Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ');
			const against = i === 0 ? '' : ` (${x(r.ms / first.ms)})`;
			return `${r.way}: ${ms(r.ms)}, ${counts}, peak heap ${r.peakHeapMB} MB${against}`;
		});
		const ratios = Object.entries(s.ratios).map(([k, v]) => `${k}: ${v}`);
		const goals = s.goals.map((g: any) => `${g.goal} — ${met(g.met)}`);
		lines.push(`| ${s.scenario} | ${ways.join('<br>')} | ${[...ratios, ...s.notes].join('<br>') || '—'} | ${goals.join('<br>') || '—'} |`);
	}
	return lines.join('\n');
}

/** `npm run bench -- --n8n --profile`: Clara lookups, signups, and where n8n's CPU goes, per n8n version. */
export function appTables(data: any = readJson(join(__dirname, 'results.n8n.json'))): string {
	const lines: string[] = [];
	lines.push(
		`Clara, ${data.items.toLocaleString('en-US')} lookups by uuid in one execution (webhook → Split Out → lookup), median of ${data.lookupRounds} executions per way, times from n8n's execution records:`,
		'',
		'| n8n (Node.js) | node | HTTP Request node (DIY) | raw undici loop | node vs DIY (goal ≥ 2×) | node vs raw loop | load (1 min) |',
		'|---|---|---|---|---|---|---|',
	);
	for (const r of data.results) {
		const [node, diy, raw] = r.lookups;
		lines.push(`| ${r.n8n} (${r.node}) | ${ms(node.ms)} | ${ms(diy.ms)} | ${ms(raw.ms)} | **${x(diy.ms / node.ms)}** — ${met(diy.ms / node.ms >= 2)} | ${x(raw.ms / node.ms)} | ${load(r)} |`);
	}
	lines.push(
		'',
		`Signup webhook → Face Match → CleverTap → response, ${data.concurrency} signups in flight at once, ${data.signupsPerWay} per way (4 in 5 in Claro's base), latency as the caller sees it:`,
		'',
		"| n8n | node flow (example) p50 / p95 / p99 | HTTP Request flow (DIY) p50 / p95 / p99 | node p95 / DIY p50 (goal ≤ 1) | the same within each pair of rounds, median | Claro tokens, node / DIY | n8n's nodes alone (ours as No Operation) p50 / p95 / p99 | their p95 / DIY p50 (the goal's ratio if our two nodes cost nothing) | p50 above n8n's nodes alone, node / DIY |",
		'|---|---|---|---|---|---|---|---|---|',
	);
	for (const r of data.results) {
		const [n, d, alone] = r.signups;
		const p = (c: any) => `${Math.round(c.p50)} / ${Math.round(c.p95)} / ${Math.round(c.p99)} ms`;
		const ratio = n.client.p95 / d.client.p50;
		const paired = r.ratios['signup: node p95 / HTTP Request p50 (caller), within a round pair, median'];
		const floor = alone ? [p(alone.client), x(alone.client.p95 / d.client.p50), x((n.client.p50 - alone.client.p50) / (d.client.p50 - alone.client.p50))] : ['—', '—', '—'];
		lines.push(`| ${r.n8n} | ${p(n.client)} | ${p(d.client)} | ${x(ratio)} — ${met(ratio <= 1)} | ${paired === undefined ? '—' : x(paired)} | ${n.counts.claroTokenRequests} / ${d.counts.claroTokenRequests} | ${floor.join(' | ')} |`);
	}
	const profiled = data.results.filter((r: any) => r.profile);
	if (profiled.length) {
		const buckets = [...new Set(profiled.flatMap((r: any) => Object.keys(r.perItem.n8nCpuUsByBucket)))] as string[];
		lines.push(
			'',
			"Where n8n's CPU goes per Clara lookup (CPU profile of n8n's process over 5 executions of the node's workflow), next to the raw loop's whole CPU per lookup:",
			'',
			`| per item, µs | ${profiled.map((r: any) => r.n8n).join(' | ')} |`,
			`|---|${profiled.map(() => '---').join('|')}|`,
		);
		for (const b of buckets) lines.push(`| ${b} | ${profiled.map((r: any) => r.perItem.n8nCpuUsByBucket[b] ?? 0).join(' | ')} |`);
		lines.push(`| **n8n's CPU, total** | ${profiled.map((r: any) => `**${r.perItem.n8nCpuUs}**`).join(' | ')} |`);
		lines.push(`| raw loop's CPU, total (its own process) | ${profiled.map((r: any) => r.perItem.rawCpuUs).join(' | ')} |`);
		lines.push(`| wall time per item: node / raw loop | ${profiled.map((r: any) => `${r.perItem.nodeWallUs} / ${r.perItem.rawWallUs}`).join(' | ')} |`);
		lines.push(
			'',
			`n8n's CPU per signup at ${data.concurrency} at once (µs):`,
			'',
			`| per signup, µs | ${profiled.flatMap((r: any) => r.profile.signups.map((s: any) => `${r.n8n} ${s.way.startsWith('node') ? 'node flow' : s.way.startsWith('HTTP') ? 'DIY flow' : "n8n's nodes alone"}`)).join(' | ')} |`,
			`|---|${profiled.flatMap((r: any) => r.profile.signups.map(() => '---')).join('|')}|`,
		);
		const sb = [...new Set(profiled.flatMap((r: any) => r.profile.signups.flatMap((s: any) => Object.keys(s.usPerSignupByBucket))))] as string[];
		for (const b of sb) lines.push(`| ${b} | ${profiled.flatMap((r: any) => r.profile.signups.map((s: any) => s.usPerSignupByBucket[b] ?? 0)).join(' | ')} |`);
		lines.push(`| **total** | ${profiled.flatMap((r: any) => r.profile.signups.map((s: any) => `**${s.cpuUsPerSignup}**`)).join(' | ')} |`);
	}
	return lines.join('\n');
}

/** `npm run bench:before-after`: each way of the in-process bench, one build against another, in one run. */
export function beforeAfterTable(data: any = readJson(join(__dirname, 'results.before-after.json'))): string {
	const lines = [
		`Measured ${data.date} by \`${data.command}\` (Node ${data.node}; load average, 1 min, ${data.load.atStart[0]} at the start, ${data.load.atEnd[0]} at the end; ${data.rounds} rounds, each build in its own process per round, the order swapped every round). Before: ${data.before}; after: ${data.after}. A ratio above 1 is slower after. The CPU time is the bench process's own (the package, n8n's engine and the sandbox it runs), steadier than the wall time when other work shares the machine.`,
		'',
		'| scenario | way | wall time before → after (medians) | after / before, wall time: median of the rounds (range) | CPU time before → after (medians) | after / before, CPU time: median (range) | counts before → after |',
		'|---|---|---|---|---|---|---|',
	];
	const counts = (cs: Array<Record<string, number>>) => cs.map((c) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')).join(' or ');
	for (const r of data.rows) {
		const same = JSON.stringify(r.counts.before) === JSON.stringify(r.counts.after);
		lines.push(`| ${r.scenario} | ${r.way}${r.usesPackage ? '' : ' (not the package: the noise floor)'} | ${ms(r.beforeMs)} → ${ms(r.afterMs)} | **${x(r.ratio.median)}** (${x(r.ratio.min)}–${x(r.ratio.max)}) | ${ms(r.beforeCpuMs)} → ${ms(r.afterCpuMs)} | **${x(r.cpuRatio.median)}** (${x(r.cpuRatio.min)}–${x(r.cpuRatio.max)}) | ${same ? `the same: ${counts(r.counts.after)}` : `${counts(r.counts.before)} → ${counts(r.counts.after)}`} |`);
	}
	return lines.join('\n');
}

/** `doc` with the text between `<!-- generated: name -->` and `<!-- end generated: name -->` replaced by each table. */
export function withTables(doc: string, tables: Record<string, string> = { engine: engineTable(), app: appTables(), 'before-after': beforeAfterTable() }): string {
	let out = doc;
	for (const [name, table] of Object.entries(tables)) {
		const start = `<!-- generated: ${name} (npm run speed:table; do not edit by hand) -->`;
		const end = `<!-- end generated: ${name} -->`;
		const from = out.indexOf(start);
		const to = out.indexOf(end);
		if (from < 0 || to < from) throw new Error(`docs/speed.md has no "${start}" … "${end}" markers`);
		out = `${out.slice(0, from + start.length)}\n\n${table}\n\n${out.slice(to)}`;
	}
	return out;
}

if (require.main === module) {
	const at = process.argv.indexOf('--print');
	if (at >= 0) console.log(appTables(process.argv[at + 1] ? readJson(process.argv[at + 1]) : undefined));
	else {
		writeFileSync(SPEED_DOC, withTables(readFileSync(SPEED_DOC, 'utf8')));
		console.log(`wrote the speed tables into ${SPEED_DOC}`);
	}
}
