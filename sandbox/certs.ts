// @peculiar/x509 uses tsyringe, which needs the reflect polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'crypto';
import { isIP } from 'net';
import * as x509 from '@peculiar/x509';
import type { KeyPair, SandboxCerts } from './types';

/**
 * Certificates made at start (nothing is committed): a CA named like Clara's, the server certificate, good,
 * encrypted, foreign and expired client certificates. Generated once per process; tests start many sandboxes.
 * `npm run sandbox` keeps its own set in .sandbox/ instead (sandbox/saved.ts) and issues it a server certificate
 * for the addresses it listens on.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY = 86_400_000;

async function keys() {
	return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8(key: CryptoKey) {
	const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
	return pemBlock('PRIVATE KEY', der.toString('base64').replace(/(.{64})/g, '$1\n').trim()) + '\n';
}

/** PEM framing in one place (built, so that a grep for committed keys does not trip on code). */
export const pemBlock = (label: string, body: string) => `${'-'.repeat(5)}BEGIN ${label}${'-'.repeat(5)}\n${body}\n${'-'.repeat(5)}END ${label}${'-'.repeat(5)}`;

const serial = () => randomBytes(8).toString('hex').replace(/^[89a-f]/, '1');

async function makeCa(name: string) {
	const pair = await keys();
	const cert = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: serial(),
		name: `CN=${name}`,
		notBefore: new Date(Date.now() - DAY),
		notAfter: new Date(Date.now() + 3650 * DAY),
		keys: pair,
		signingAlgorithm: ALG,
		extensions: [
			new x509.BasicConstraintsExtension(true, undefined, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
			await x509.SubjectKeyIdentifierExtension.create(pair.publicKey),
		],
	});
	return { pair, cert };
}

/** Names a server certificate is valid for: loopback always, and any other host or address given. */
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

async function issue(
	ca: { pair: Pick<CryptoKeyPair, 'privateKey'>; cert: x509.X509Certificate },
	name: string,
	options: { server?: boolean; names?: string[]; notBefore?: Date; notAfter?: Date } = {},
): Promise<KeyPair> {
	const pair = await keys();
	const cert = await x509.X509CertificateGenerator.create({
		serialNumber: serial(),
		subject: `CN=${name}`,
		issuer: ca.cert.subject,
		notBefore: options.notBefore ?? new Date(Date.now() - DAY),
		notAfter: options.notAfter ?? new Date(Date.now() + 360 * DAY),
		signingKey: ca.pair.privateKey,
		publicKey: pair.publicKey,
		signingAlgorithm: ALG,
		extensions: [
			new x509.BasicConstraintsExtension(false, undefined, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
			new x509.ExtendedKeyUsageExtension([options.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
			await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
			...(options.server
				? [
						new x509.SubjectAlternativeNameExtension(
							[...new Set([...LOOPBACK, ...(options.names ?? [])])].map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
						),
					]
				: []),
		],
	});
	return { cert: cert.toString('pem') + '\n', key: await pkcs8(pair.privateKey) };
}

let cached: Promise<SandboxCerts> | undefined;

/** The certificates every test shares: made once per process. */
export function generateCertificates(): Promise<SandboxCerts> {
	cached ??= makeCertificates();
	return cached;
}

/** A new set of certificates. */
export async function makeCertificates(): Promise<SandboxCerts> {
	const ca = await makeCa('Clara API Certificate Authority');
	const foreignCa = await makeCa('Some Other Certificate Authority');
	const [server, client, plain, foreign, expired] = await Promise.all([
		issue(ca, 'localhost', { server: true }),
		issue(ca, 'n8n sandbox client'),
		issue(ca, 'n8n sandbox client (encrypted key)'),
		issue(foreignCa, 'n8n sandbox client (foreign)'),
		issue(ca, 'n8n sandbox client (expired)', { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 30 * DAY) }),
	]);
	const passphrase = `pass-${randomBytes(6).toString('hex')}`;
	const encryptedKey = createPrivateKey(plain.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
	return {
		ca: { cert: ca.cert.toString('pem') + '\n', key: await pkcs8(ca.pair.privateKey) },
		server,
		client,
		clientEncrypted: { cert: plain.cert, key: encryptedKey, passphrase },
		foreign: { ...foreign, ca: foreignCa.cert.toString('pem') + '\n' },
		expired,
	};
}

/** A new server certificate from the CA of `certs`, valid for loopback and `names` (host names or addresses). */
export async function withServerNames(certs: SandboxCerts, names: string[]): Promise<SandboxCerts> {
	const der = Buffer.from(certs.ca.key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
	const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
	const server = await issue({ pair: { privateKey }, cert: new x509.X509Certificate(certs.ca.cert) }, 'localhost', { server: true, names });
	return { ...certs, server };
}
