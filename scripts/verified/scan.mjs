// n8n's own scanner (@n8n/scan-community-package, pinned) on each verified package, both of its legs, as
// `npx @n8n/scan-community-package <name>` runs them after publishing: the package's source (the folder whose
// package.json has its name: package.json and {nodes,credentials}/**/*.{js,ts,json}) and the packed tarball
// (**/*.js and package.json), with n8n's Cloud rule set and inline eslint-disable comments ignored. Run after
// `npm run pack:verified`. Then `n8n-node cloud-support` (@n8n/node-cli, pinned) in each package's folder must say
// "ENABLED" (strict mode and the starter's lint config). Both tools are installed once into a cache folder (not
// dependencies of this package: they pin their own eslint and TypeScript), with --ignore-scripts.
//   SCANNER_CACHE_DIR  where it is installed (default ~/.cache/n8n-nodes-fintech-identity, CI's cached folder)
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { dirname, join } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

const VERSION = '0.32.0';
const CLI_VERSION = '0.48.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(process.env.SCANNER_CACHE_DIR || join(homedir(), '.cache', 'n8n-nodes-fintech-identity'), `scan-community-package-${VERSION}`);
const entry = join(cache, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');
const cli = join(cache, 'node_modules', '.bin', 'n8n-node');
if (!existsSync(entry) || !existsSync(cli)) {
	mkdirSync(cache, { recursive: true });
	writeFileSync(join(cache, 'package.json'), '{"private":true}\n');
	const specs = [`@n8n/scan-community-package@${VERSION}`, `@n8n/node-cli@${CLI_VERSION}`];
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs], { cwd: cache, stdio: 'inherit' });
}
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(entry).href);

const packages = readdirSync(join(root, 'verified')).filter((name) => existsSync(join(root, 'verified', name, 'package.json')));
const tarballs = existsSync(join(root, '.verified')) ? readdirSync(join(root, '.verified')).filter((f) => f.endsWith('.tgz')) : [];
let failed = 0;
let passed = 0;
for (const name of packages) {
	const tarball = tarballs.find((f) => f.startsWith(`${name}-`) && /^\d/.test(f.slice(name.length + 1)));
	const legs = [['source', join(root, 'verified', name), SOURCE_FILE_PATTERNS]];
	let unpacked;
	if (tarball) {
		unpacked = mkdtempSync(join(tmpdir(), 'verified-'));
		execFileSync('tar', ['-xzf', join(root, '.verified', tarball), '-C', unpacked, '--strip-components=1']);
		legs.push(['tarball', unpacked, ['**/*.js', 'package.json']]);
	} else {
		console.log(`✖ ${name}: no tarball in .verified/ (run npm run pack:verified first)`);
		failed++;
	}
	for (const [leg, dir, patterns] of legs) {
		const result = await analyzePackage(dir, patterns);
		console.log(`${result.passed ? '✔' : '✖'} ${name} ${leg}${result.message ? `: ${result.message}` : ''}`);
		if (result.details) console.log(result.details);
		if (result.passed) passed++;
		else failed++;
	}
	if (unpacked) rmSync(unpacked, { recursive: true, force: true });
	// Without colour: the CLI colours its words whenever CI is set (picocolors), which would split the phrase read below.
	const support = execFileSync(cli, ['cloud-support'], { cwd: join(root, 'verified', name), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
		.replace(/\x1b\[[0-9;]*m/g, '');
	const eligible = /Cloud support is ENABLED/.test(support);
	console.log(`${eligible ? '✔' : '✖'} ${name} n8n-node cloud-support: ${eligible ? 'eligible' : 'NOT eligible'}`);
	if (eligible) passed++;
	else {
		console.log(support);
		failed++;
	}
}
console.log(`scan: ${passed} checks passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
