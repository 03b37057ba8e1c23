/**
 * `npm run sandbox` as a person keeps using it: two starts print the same credentials and write the same PEM files,
 * `--fresh` makes new ones, `--host 0.0.0.0` warns that the secrets are then reachable from the network and serves a
 * certificate n8n in Docker can check (host.docker.internal). Each start is the real CLI in its own process, with
 * its kept state in a temporary folder (SANDBOX_DIR), never the repository's .sandbox/.
 */
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { connect } from 'tls';
import { freePorts } from '../../scripts/n8n/app';
import { parseArgs } from '../../sandbox/cli';

const REPO = resolve(__dirname, '..', '..');
/** A start compiles the CLI and makes certificates: seconds, or a minute on a loaded machine. */
const START = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `npm run sandbox` with `args`, returns what it printed up to "Ctrl-C stops it.", and stops it. */
async function start(args: string[] = [], use: (printed: string) => Promise<void> = async () => undefined): Promise<string> {
	// Five consecutive free ports are not guaranteed; a taken one moves that service, which the output says.
	const [base] = await freePorts(1);
	const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'sandbox/cli.ts', ...args], {
		cwd: REPO,
		env: { ...process.env, SANDBOX_DIR: dir, SANDBOX_PORT: String(base) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (out += d));
	const exited = new Promise((ok) => child.once('exit', ok));
	try {
		await new Promise<void>((ok, fail) => {
			child.stdout.on('data', () => out.includes('Ctrl-C stops it.') && ok());
			child.once('exit', (code) => fail(new Error(`the sandbox stopped (exit ${code}):\n${out}`)));
		});
		await use(out);
	} finally {
		child.kill('SIGTERM');
		await exited;
	}
	return out;
}

/** The credentials a person copies, with the ports (which may differ between starts) left out. */
const credentials = (printed: string) =>
	printed
		.slice(printed.indexOf('Clara  (credential'))
		.replace(/:\d{2,5}\b/g, ':PORT')
		.replace(/127\.0\.0\.1:PORT-127\.0\.0\.1:PORT/g, '');
const secretsIn = (printed: string) => [...printed.matchAll(/(?:Client Secret|Secret|Passcode|API Key): (\S+)/g)].map((m) => m[1]);

test('two starts print the same credentials and keep the same certificates; --fresh makes new ones', async () => {
	const first = await start();
	expect(first).toMatch(/New secrets, passcodes and certificates/);
	expect(first).not.toMatch(/WARNING/);
	const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
	const key = readFileSync(join(dir, 'client.key'), 'utf8');
	expect(statSync(join(dir, 'sandbox.json')).mode & 0o777).toBe(0o600);

	const second = await start();
	expect(second).toMatch(/The same secrets, passcodes and certificates as the last start/);
	expect(secretsIn(second)).toHaveLength(secretsIn(first).length);
	expect(secretsIn(first).length).toBeGreaterThanOrEqual(5);
	expect(credentials(second)).toBe(credentials(first));
	expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(ca);
	expect(readFileSync(join(dir, 'client.key'), 'utf8')).toBe(key);

	const fresh = await start(['--fresh']);
	expect(fresh).toMatch(/New secrets, passcodes and certificates \(asked for with --fresh\)/);
	for (const secret of secretsIn(first)) expect(fresh).not.toContain(secret);
	expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).not.toBe(ca);
}, START * 3);

test('--host 0.0.0.0: a warning that the secrets are reachable from the network, and a certificate for host.docker.internal', async () => {
	const printed = await start(['--host', '0.0.0.0'], async (out) => {
		const port = Number(/Base URL: https:\/\/127\.0\.0\.1:(\d+)\n\s+Token URL/.exec(out)![1]);
		const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
		// What n8n in a container checks: the certificate it is served names host.docker.internal, signed by the kept CA.
		const authorized = await new Promise<boolean>((ok, fail) => {
			const socket = connect({ host: '127.0.0.1', port, servername: 'host.docker.internal', ca }, () => {
				ok(socket.authorized);
				socket.end();
			});
			socket.once('error', fail);
		});
		expect(authorized).toBe(true);
	});
	expect(printed).toMatch(/WARNING: listening on 0\.0\.0\.0, not only on this machine: anyone who can reach it/);
	expect(printed).toMatch(/host\.docker\.internal/);
}, START);

test('arguments: --host needs an address; anything else is refused by name', () => {
	expect(parseArgs([])).toEqual({ fresh: false, host: '127.0.0.1' });
	expect(parseArgs(['--fresh', '--host', '0.0.0.0'])).toEqual({ fresh: true, host: '0.0.0.0' });
	expect(parseArgs(['--host=::'])).toEqual({ fresh: false, host: '::' });
	expect(() => parseArgs(['--host'])).toThrow(/--host needs an address/);
	expect(() => parseArgs(['--frseh'])).toThrow(/unknown argument --frseh/);
});
