/**
 * Docs links that land. n8n opens a node's codex links (`resources.primaryDocumentation` /
 * `credentialDocumentation` in X.node.json) and a credential's or node's `documentationUrl` from the editor, with
 * `utm_*` parameters appended after any `#anchor`, so GitHub never jumps to an anchor: each link must name a page.
 * Every node and credential n8n loads (package.json's `n8n` section) has one, and each one is
 * `<package.json's repository>/blob/main/<path>` with `<path>` a file git tracks here, no anchor and no query.
 * The pages' own relative links (docs/nodes, docs/credentials) resolve too, anchors into the README included.
 */
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const REPO = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const REPOSITORY = String(pkg.repository.url).replace(/^git\+/, '').replace(/\.git$/, '');
const BLOB = `${REPOSITORY}/blob/main/`;
const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).split('\n'));

/** The source (.ts) of a file package.json lists from dist/ (.js). */
const source = (dist: string) => join(REPO, dist.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

/** The first exported class of a source file, instantiated. */
function load(file: string): Record<string, unknown> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exports = require(file) as Record<string, new () => Record<string, unknown>>;
	return new (Object.values(exports).find((e) => typeof e === 'function')!)();
}

/** Every docs link of every node and credential n8n loads, as [where, url]. */
function links(): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	for (const path of pkg.n8n.credentials as string[]) {
		out.push([`${path}: documentationUrl`, String(load(source(path)).documentationUrl ?? '')]);
	}
	for (const path of pkg.n8n.nodes as string[]) {
		const description = load(source(path)).description as { documentationUrl?: string };
		if (description.documentationUrl !== undefined) out.push([`${path}: documentationUrl`, description.documentationUrl]);
		const codexFile = source(path).replace(/\.ts$/, '.json');
		const resources = (JSON.parse(readFileSync(codexFile, 'utf8')).resources ?? {}) as Record<string, Array<{ url: string }>>;
		out.push([`${relative(REPO, codexFile)}: primaryDocumentation`, resources.primaryDocumentation?.[0]?.url ?? '']);
		for (const [kind, list] of Object.entries(resources)) {
			list.slice(kind === 'primaryDocumentation' ? 1 : 0).forEach((link) => out.push([`${relative(REPO, codexFile)}: ${kind}`, link.url]));
		}
	}
	return out;
}

/** Why a link does not land on a page of this repository, or undefined when it does. */
function problem(url: string): string | undefined {
	if (!url) return 'missing';
	if (!url.startsWith(BLOB)) return `not under ${BLOB}`;
	if (/[#?]/.test(url)) return 'has an anchor or a query (n8n appends utm_* after it)';
	const path = decodeURI(url.slice(BLOB.length));
	if (!tracked.has(path)) return `${path} is not a file in the repository`;
	return undefined;
}

test('every node and credential has docs links, each a page of this repository without an anchor', () => {
	const all = links();
	// 4 credentials, 7 nodes with a primary page, 6 of them (not the Conferma Pay Trigger: no credential) with a credential page.
	expect(all.length).toBeGreaterThanOrEqual(pkg.n8n.credentials.length + pkg.n8n.nodes.length);
	expect(all.map(([where, url]) => [where, url, problem(url)]).filter(([, , why]) => why)).toEqual([]);
});

test('the check refuses what the old links did: another repository, an anchor, a page that is not there', () => {
	expect(problem('https://github.com/n8n-nodes-fintech-identity/n8n-nodes-fintech-identity#clara')).toMatch(/not under/);
	expect(problem(`${REPOSITORY}#clara`)).toMatch(/not under/);
	expect(problem(`${BLOB}docs/nodes/clara.md#operations`)).toMatch(/anchor/);
	expect(problem(`${BLOB}docs/nodes/no-such-node.md`)).toMatch(/not a file/);
	expect(problem(`${BLOB}docs/nodes/clara.md`)).toBeUndefined();
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

test("the docs pages' relative links resolve, anchors included", () => {
	const pages = ['nodes', 'credentials'].flatMap((dir) => readdirSync(join(REPO, 'docs', dir)).map((f) => join(REPO, 'docs', dir, f)));
	expect(pages.length).toBe(pkg.n8n.nodes.length + pkg.n8n.credentials.length);
	const broken: string[] = [];
	for (const page of pages) {
		for (const [, target] of readFileSync(page, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^https?:/.test(target)) continue;
			const [file, anchor] = target.split('#');
			const path = resolve(dirname(page), file);
			if (!existsSync(path)) broken.push(`${relative(REPO, page)} → ${target}`);
			else if (anchor && ![...readFileSync(path, 'utf8').matchAll(/^#+ (.*)$/gm)].some(([, h]) => slug(h) === anchor)) broken.push(`${relative(REPO, page)} → ${target} (no such heading)`);
		}
	}
	expect(broken).toEqual([]);
});
