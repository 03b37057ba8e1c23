/**
 * `npm run dev` on a machine where `node` is a symlink (Debian's alternatives, nvm, /usr/local/bin) or a version
 * manager's shim: scripts/n8n/install.sh must compile sqlite3 against the headers beside the real binary, or
 * node-gyp tries to download them and the install fails offline. `--resolve-node` runs that part alone.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';

const INSTALL = resolve(__dirname, '..', '..', 'scripts', 'n8n', 'install.sh');
const real = realpathSync(process.execPath);
const prefix = dirname(dirname(real));
const scratch = mkdtempSync(join(tmpdir(), 'install-node-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** install.sh --resolve-node with `bin` first on PATH; its node=… and nodedir=… lines. */
function resolveWith(bin: string): Record<string, string> {
	const out = execFileSync('bash', [INSTALL, '--resolve-node'], {
		encoding: 'utf8',
		// 2.8.4 runs on the machine's own Node; an empty cache: nothing is installed, nothing fetched.
		env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, N8N_VERSION: '2.8.4', N8N_CACHE_DIR: join(scratch, 'cache') },
	});
	return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

test('the machine’s Node has its headers beside it (what the other cases rely on)', () => {
	expect(existsSync(join(prefix, 'include', 'node', 'node.h'))).toBe(true);
});

test('node reached through a chain of symlinks: the headers beside the real binary', () => {
	const [a, b] = [join(scratch, 'a'), join(scratch, 'b')];
	mkdirSync(a);
	mkdirSync(b);
	symlinkSync(real, join(b, 'node'));
	symlinkSync(join(b, 'node'), join(a, 'node'));
	expect(resolveWith(a)).toEqual({ node: real, nodedir: prefix });
});

test('node reached through a version manager’s shim script: the binary it runs, and its headers', () => {
	const shims = join(scratch, 'shims');
	mkdirSync(shims);
	writeFileSync(join(shims, 'node'), `#!/bin/sh\nexec "${real}" "$@"\n`, { mode: 0o755 });
	expect(resolveWith(shims)).toEqual({ node: real, nodedir: prefix });
});
