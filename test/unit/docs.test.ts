/**
 * The README stays a page for users and every link in the documentation lands somewhere:
 * - README.md holds at most 320 lines, none over 200 characters outside code blocks;
 * - every relative link and image in README.md and docs/**.md names a file or folder of this repository (never one
 *   outside it), and a `#fragment` names a heading of the page it points at (GitHub's anchors);
 * - every documentation link the nodes and credentials show in n8n (codex primaryDocumentation and
 *   credentialDocumentation, a credential's documentationUrl) names a heading of the README;
 * - docs/speed.md's tables are exactly what bench/speed-table.ts makes of the committed results, so none is edited by
 *   hand or left behind a new run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { SPEED_DOC, withTables } from '../../bench/speed-table';

const ROOT = resolve(__dirname, '..', '..');
const README = join(ROOT, 'README.md');

function walk(dir: string, keep: (f: string) => boolean): string[] {
	return readdirSync(dir).flatMap((f) => {
		const path = join(dir, f);
		return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : [];
	});
}

const pages = [README, ...walk(join(ROOT, 'docs'), (f) => f.endsWith('.md'))];

/** The page's lines outside fenced code blocks, with their 1-based numbers. */
function prose(text: string): Array<[number, string]> {
	let fenced = false;
	return text.split('\n').flatMap((line, i): Array<[number, string]> => {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			return [];
		}
		return fenced ? [] : [[i + 1, line]];
	});
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
	const seen = new Map<string, number>();
	const out = new Set<string>();
	for (const [, line] of prose(readFileSync(file, 'utf8'))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
		const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
		const n = seen.get(slug) ?? 0;
		seen.set(slug, n + 1);
		out.add(n ? `${slug}-${n}` : slug);
	}
	return out;
}

/** Every link target in the page's prose (inline code left out): `[text](target)` and `![alt](target)`. */
function links(file: string): Array<{ line: number; target: string }> {
	return prose(readFileSync(file, 'utf8')).flatMap(([line, text]) =>
		[...text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ line, target: m[1] })),
	);
}

/** What is wrong with a relative link from `file`, or undefined when it lands. */
function broken(file: string, target: string): string | undefined {
	if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
	const [path, fragment] = target.split('#') as [string, string | undefined];
	const to = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
	if (relative(ROOT, to).startsWith('..')) return 'points outside the repository';
	if (!existsSync(to)) return 'no such file';
	if (fragment !== undefined) {
		if (!to.endsWith('.md')) return 'a fragment on a file that is not Markdown';
		if (!anchors(to).has(fragment)) return `no heading with the anchor #${fragment}`;
	}
	return undefined;
}

describe('the README', () => {
	const text = readFileSync(README, 'utf8');

	it('is at most 320 lines', () => {
		expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(320);
	});

	it('has no line over 200 characters outside code blocks', () => {
		const long = prose(text).filter(([, line]) => [...line].length > 200).map(([n, line]) => `README.md:${n} (${[...line].length})`);
		expect(long).toEqual([]);
	});

	it('keeps the "Start here" commands CI runs', () => {
		expect(text).toContain('npm ci && npm run demo');
		expect(text).toContain('npm test ');
	});

	it('has a Resources section with the vendors, n8n, the changelog, the licence and the docs index', () => {
		const resources = text.slice(text.indexOf('\n## Resources'));
		expect(resources.length).toBeGreaterThan(12);
		for (const link of ['clara', 'clevertap.com', 'claro.com.br', 'confermapay', 'docs.n8n.io/integrations/community-nodes', 'CHANGELOG.md', 'LICENSE', 'docs/README.md']) {
			expect(resources).toContain(link);
		}
	});
});

describe('relative links in README.md and docs/', () => {
	it.each(pages.map((p) => [relative(ROOT, p)]))('%s: every one lands', (page) => {
		const file = join(ROOT, page);
		const bad = links(file).flatMap(({ line, target }) => {
			const why = broken(file, target);
			return why ? [`${page}:${line} ${target}: ${why}`] : [];
		});
		expect(bad).toEqual([]);
	});

	it('the checker itself refuses a missing file, a missing heading and a path outside the repository', () => {
		expect(broken(README, 'docs/no-such-page.md')).toBe('no such file');
		expect(broken(README, 'docs/README.md#no-such-heading')).toBe('no heading with the anchor #no-such-heading');
		expect(broken(README, '../shared/seeds')).toBe('points outside the repository');
		expect(broken(README, '#resources')).toBeUndefined();
	});
});

describe('docs/speed.md', () => {
	it("holds exactly the tables bench/speed-table.ts makes of the committed results (npm run speed:table)", () => {
		const doc = readFileSync(SPEED_DOC, 'utf8');
		expect(doc).toContain('<!-- generated: engine');
		expect(doc).toContain('<!-- generated: app');
		expect(withTables(doc)).toBe(doc);
	});
});
