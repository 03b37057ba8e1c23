/**
 * `npm run sandbox`: the emulators on fixed ports, for a person to point n8n credentials at. Its secrets, passcodes
 * and certificates are kept in .sandbox/ (gitignored) and are the same at every start; `-- --fresh` makes new ones.
 * `-- --host 0.0.0.0` listens on every address (n8n in Docker reaching it as host.docker.internal). When a fixed
 * port is taken (SANDBOX_PORT, default 8443, then one port per service), a free one is used instead.
 * SANDBOX_DIR moves the kept state elsewhere (the tests use a temporary folder).
 */
import { resolve } from 'path';
import { serviceNames, type Sandbox } from './index';
import { startSavedSandbox } from './saved';
import { printClara } from './clara';
import { printClaro } from './claro';
import { printCleverTap } from './clevertap';
import { printConferma } from './conferma';
import { printOpenAi } from './openai';

/** How to fill each service's n8n credential; each emulator exports its printer. */
export const printers: Array<(sandbox: Sandbox, dir: string) => void> = [printClara, printCleverTap, printClaro, printConferma, printOpenAi];

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `--fresh`, `--host <address>` (or `--host=<address>`). */
export function parseArgs(args: string[]): { fresh: boolean; host: string } {
	const at = args.findIndex((a) => a === '--host' || a.startsWith('--host='));
	const host = at < 0 ? '127.0.0.1' : args[at].startsWith('--host=') ? args[at].slice(7) : args[at + 1];
	if (!host || host.startsWith('-')) throw new Error('--host needs an address, e.g. --host 0.0.0.0');
	const unknown = args.filter((a, i) => a !== '--fresh' && i !== at && !(i === at + 1 && args[at] === '--host'));
	if (unknown.length) throw new Error(`unknown argument ${unknown[0]}: npm run sandbox [-- --fresh] [--host 0.0.0.0]`);
	return { fresh: args.includes('--fresh'), host };
}

async function main() {
	const { fresh, host } = parseArgs(process.argv.slice(2));
	const basePort = Number(process.env.SANDBOX_PORT ?? 8443);
	const dir = resolve(process.env.SANDBOX_DIR ?? resolve(__dirname, '..', '.sandbox'));
	const { sandbox, created } = await startSavedSandbox({ dir, fresh, host, basePort });
	console.log(`Sandbox running on ${host} — certificates in ${dir}`);
	console.log(
		created
			? `New secrets, passcodes and certificates (${created}): paste them into n8n once; later starts keep them (--fresh makes new ones).\n`
			: `The same secrets, passcodes and certificates as the last start (kept in ${dir}; --fresh makes new ones).\n`,
	);
	if (!LOOPBACK.has(host)) {
		console.log(`WARNING: listening on ${host}, not only on this machine: anyone who can reach it on ports ${sandbox.clara.port}–${sandbox.openai.port} can call the
sandbox with the secrets below, and they are no secret here (printed, and kept unencrypted in ${dir}). Use it on a
network you trust, and stop it when done.
From n8n in Docker, use https://host.docker.internal:PORT in the URLs below instead of 127.0.0.1 (on Linux, start the
container with --add-host=host.docker.internal:host-gateway); the server certificate names host.docker.internal,
this machine's name and its addresses.
`);
	}
	const fixed = serviceNames.every((name, i) => sandbox[name].port === basePort + i);
	if (!fixed) console.log(`Some fixed ports were taken (another sandbox running?): the ports below differ from last time.\n`);
	for (const print of printers) print(sandbox, dir);
	console.log('Ctrl-C stops it.');
	let stopping = false;
	const stop = async () => {
		if (stopping) process.exit(1); // a second Ctrl-C does not wait
		stopping = true;
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
