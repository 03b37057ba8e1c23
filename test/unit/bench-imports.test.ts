/**
 * The bench's modules import each other in one direction only: shared pieces (common.ts, n8n/settings.ts …) below,
 * scenarios above them, the entry points (run.ts, n8n/index.ts) on top. A circle would make a module's exports
 * undefined while another is still loading, which is how the old run.ts ⇄ scenario files had to load late.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const BENCH = join(__dirname, '..', '..', 'bench');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((f) => {
		const path = join(dir, f);
		return statSync(path).isDirectory() ? files(path) : f.endsWith('.ts') ? [path] : [];
	});
}

/** The bench files `file` imports or requires (relative specifiers that land in bench/). */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const specs = [...text.matchAll(/(?:from|require\(|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
	return specs
		.map((spec) => resolve(dirname(file), spec))
		.flatMap((base) => [`${base}.ts`, join(base, 'index.ts')].filter((p) => p.startsWith(BENCH) && safeIsFile(p)).slice(0, 1));
}

const safeIsFile = (p: string) => {
	try {
		return statSync(p).isFile();
	} catch {
		return false;
	}
};

/** A cycle through `graph` as a list of files, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (node: string): string[] | undefined => {
		if (state.get(node) === 'done') return undefined;
		if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
		state.set(node, 'open');
		stack.push(node);
		for (const next of graph.get(node) ?? []) {
			const cycle = visit(next);
			if (cycle) return cycle;
		}
		stack.pop();
		state.set(node, 'done');
		return undefined;
	};
	for (const node of graph.keys()) {
		const cycle = visit(node);
		if (cycle) return cycle;
	}
	return undefined;
}

describe('bench/ imports', () => {
	const graph = new Map(files(BENCH).map((f) => [f, importsOf(f)]));

	it('finds the modules and their imports (the check below has something to check)', () => {
		expect(graph.get(join(BENCH, 'run.ts'))).toEqual(expect.arrayContaining([join(BENCH, 'common.ts'), join(BENCH, 'clara.ts')]));
		expect(graph.get(join(BENCH, 'run.ts'))).toContain(join(BENCH, 'n8n', 'index.ts'));
	});

	it('has no import circle', () => {
		const cycle = findCycle(graph);
		expect(cycle?.map((f) => relative(BENCH, f)).join(' → ')).toBeUndefined();
	});

	it('the check finds a circle when there is one', () => {
		expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
	});
});
