/**
 * `npm run sandbox`: the emulators on fixed ports, for a person to point n8n credentials at. Certificates are
 * written to .sandbox/ (gitignored); they are new at every start, so paste them again after a restart. When a
 * fixed port is taken (SANDBOX_PORT, default 8443, then one port per service), a free one is used instead.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { serviceNames, startSandbox, type Sandbox } from './index';
import { printClara } from './clara';
import { printClaro } from './claro';
import { printCleverTap } from './clevertap';
import { printConferma } from './conferma';
import { printOpenAi } from './openai';

/** How to fill each service's n8n credential; each emulator exports its printer. */
export const printers: Array<(sandbox: Sandbox, dir: string) => void> = [printClara, printCleverTap, printClaro, printConferma, printOpenAi];

async function main() {
	const basePort = Number(process.env.SANDBOX_PORT ?? 8443);
	const sandbox = await startSandbox({ basePort });
	const { certs } = sandbox;
	// A port already taken usually means another sandbox is running: its certificates stay where they are.
	const fixed = serviceNames.every((name, i) => sandbox[name].port === basePort + i);
	const dir = resolve(__dirname, '..', '.sandbox', ...(fixed ? [] : [`run-${process.pid}`]));
	mkdirSync(dir, { recursive: true });
	const files: Record<string, string> = {
		'ca.crt': certs.ca.cert,
		'client.crt': certs.client.cert,
		'client.key': certs.client.key,
		'client-encrypted.crt': certs.clientEncrypted.cert,
		'client-encrypted.key': certs.clientEncrypted.key,
		'passphrase.txt': certs.clientEncrypted.passphrase,
		'foreign.crt': certs.foreign.cert,
		'foreign.key': certs.foreign.key,
		'expired.crt': certs.expired.cert,
		'expired.key': certs.expired.key,
	};
	for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
	console.log(`Sandbox running on 127.0.0.1 — certificates in ${dir}\n`);
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
