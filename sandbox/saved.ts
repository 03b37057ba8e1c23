import { X509Certificate } from 'crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { hostname, networkInterfaces } from 'os';
import { join } from 'path';
import { makeCertificates, withServerNames } from './certs';
import { startSandbox, type Sandbox } from './index';
import type { SandboxCerts } from './types';

/**
 * The sandbox a person keeps using (`npm run sandbox`, `npm run dev`): its secrets, passcodes and certificates are
 * kept in one folder (.sandbox/, gitignored) and served again at every start, so the credentials pasted into n8n
 * keep working; `fresh` makes new ones. Tests, the demo and the bench call startSandbox, which keeps nothing.
 */

/** What is kept: every secret an emulator checks, and the certificates (the CA's key too, to issue server certificates). */
interface Saved {
	secrets: { clara: string; claro: string; clevertap: string; clevertapExpired: string; conferma: string; openai: string };
	certs: Omit<SandboxCerts, 'server'>;
}

export interface SavedSandboxOptions {
	dir: string;
	/** New secrets and certificates, replacing the kept ones. */
	fresh?: boolean;
	/** Where to listen; default 127.0.0.1. */
	host?: string;
	basePort?: number;
}

/** The files a person pastes from, by name. */
export function pemFiles(certs: SandboxCerts): Record<string, string> {
	return {
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
}

/** Why the kept state cannot be used, or undefined when it can. */
function unusable(saved: Saved | undefined): string | undefined {
	if (!saved) return 'none kept yet';
	// A client certificate about to expire would fail in n8n a few days later, far from its cause.
	let validTo: number;
	try {
		validTo = Date.parse(new X509Certificate(saved.certs.client.cert).validTo);
	} catch {
		return 'the kept client certificate cannot be read';
	}
	if (validTo < Date.now() + 7 * 86_400_000) return `the client certificate expires on ${new Date(validTo).toISOString().slice(0, 10)}`;
	return undefined;
}

function read(file: string): Saved | undefined {
	if (!existsSync(file)) return undefined;
	try {
		const saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
		return saved.secrets && saved.certs?.client?.cert ? saved : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Names besides loopback that the server certificate must carry when the sandbox listens on `host`: the address
 * itself, and for every address (0.0.0.0, ::) the names a container or another machine reaches this one by.
 */
export function serverNames(host: string): string[] {
	if (host !== '0.0.0.0' && host !== '::') return [host];
	const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.replace(/%.*$/, '')));
	return ['host.docker.internal', hostname(), ...addresses];
}

/** Starts the sandbox with the kept state (or a new one, then kept), and writes the PEM files next to it. */
export async function startSavedSandbox(options: SavedSandboxOptions): Promise<{ sandbox: Sandbox; created?: string }> {
	const file = join(options.dir, 'sandbox.json');
	const kept = options.fresh ? undefined : read(file);
	const created = options.fresh ? 'asked for with --fresh' : unusable(kept);
	const saved = created ? undefined : kept;
	const certs = await withServerNames(saved ? ({ ...saved.certs } as SandboxCerts) : await makeCertificates(), serverNames(options.host ?? '127.0.0.1'));
	const s = saved?.secrets;
	// Without kept secrets each emulator makes its own, which are then kept.
	const sandbox = await startSandbox({
		basePort: options.basePort,
		host: options.host,
		certs,
		clara: { clientSecret: s?.clara },
		claro: { secret: s?.claro },
		clevertap: { passcode: s?.clevertap, expiredPasscode: s?.clevertapExpired },
		conferma: { clientSecret: s?.conferma },
		openai: { apiKey: s?.openai },
	});
	mkdirSync(options.dir, { recursive: true, mode: 0o700 });
	if (created) {
		const { server: _server, ...keep } = certs;
		const secrets: Saved['secrets'] = {
			clara: sandbox.clara.clientSecret,
			claro: sandbox.claro.secret,
			clevertap: sandbox.clevertap.passcode,
			clevertapExpired: sandbox.clevertap.expiredPasscode,
			conferma: sandbox.conferma.clientSecret,
			openai: sandbox.openai.apiKey,
		};
		writeSecret(file, JSON.stringify({ secrets, certs: keep } satisfies Saved, null, 1));
	}
	for (const [name, content] of Object.entries(pemFiles(certs))) writeSecret(join(options.dir, name), content);
	return { sandbox, created };
}

/** Readable by this user only (the mode also when the file already existed). */
function writeSecret(file: string, content: string) {
	writeFileSync(file, content, { mode: 0o600 });
	chmodSync(file, 0o600);
}
