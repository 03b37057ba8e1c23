/**
 * `npm run sandbox`: the emulators on fixed ports, for a person to point n8n credentials at. Certificates are
 * written to .sandbox/ (gitignored); they are new at every start, so paste them again after a restart.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { startSandbox, type Sandbox } from './index';
import { printClaro } from './claro';
import { printCleverTap } from './clevertap';

/** Printers per service; each service adds one. */
export const printers: Array<(sandbox: Sandbox, dir: string) => void> = [
	(sandbox, dir) => {
		const c = sandbox.clara;
		console.log(`Clara  (credential "Clara API")
  Environment: Production   Country: Mexico (mx)
  Client ID: ${c.clientId}
  Client Secret: ${c.clientSecret}
  Client Certificate: paste ${join(dir, 'client.crt')}
  Private Key: paste ${join(dir, 'client.key')}
  Clara CA Certificate: paste ${join(dir, 'ca.crt')}
  Base URL Override: ${c.url}/{country}
  (also there: foreign.crt/.key → HTTP 406, expired.crt/.key, client-encrypted.key with the passphrase in passphrase.txt)
`);
	},
	printClaro,
	printCleverTap,
];

async function main() {
	const dir = resolve(__dirname, '..', '.sandbox');
	mkdirSync(dir, { recursive: true });
	const sandbox = await startSandbox({ basePort: Number(process.env.SANDBOX_PORT ?? 8443) });
	const { certs } = sandbox;
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
	const stop = async () => {
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) void main();
