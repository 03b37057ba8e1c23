/**
 * PEM text as people paste it (pem.ts), the transport using it over real TLS, and redaction that removes key
 * material but never our own advice. n8n's password fields are one-line inputs: a browser strips every line break
 * from a paste, so "lost its line breaks" is the everyday case, not an edge case.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'crypto';
import * as pemModule from '../../nodes/transport/pem';
import { rebuildPem } from '../../nodes/transport/pem';
import { closeAllAgents, redact, send, validateTlsMaterial } from '../../nodes/transport';
import { generateCertificates, pemBlock } from '../../sandbox/certs';
import { startService } from '../../sandbox/framework';
import type { SandboxCerts } from '../../sandbox/types';

let certs: SandboxCerts;
let service: Awaited<ReturnType<typeof startService>>;
/** The sandbox client key as an OpenSSL "traditional" encrypted key (Proc-Type / DEK-Info headers). */
let traditional: Record<'aes' | 'des', string>;
const passphrase = 'correct horse battery';

beforeAll(async () => {
	certs = await generateCertificates();
	const key = createPrivateKey(certs.client.key);
	traditional = {
		aes: key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string,
		des: key.export({ type: 'pkcs1', format: 'pem', cipher: 'des-ede3-cbc', passphrase }) as string,
	};
	service = await startService({ name: 'echo', certs, handler: () => ({ status: 200, json: { ok: true } }) });
});
afterAll(async () => {
	await closeAllAgents();
	await service.close();
});

/** How a PEM arrives after each way of pasting it. */
const pastes: Array<[string, (pem: string) => string]> = [
	['as the file has it', (p) => p],
	['into a one-line field (every line break stripped, as a browser does)', (p) => p.replace(/[\r\n]/g, '')],
	['with spaces for line breaks', (p) => p.replace(/\n/g, ' ')],
	['with CRLF line ends', (p) => p.replace(/\n/g, '\r\n')],
	['indented', (p) => p.replace(/^/gm, '    ')],
	['from a JSON string or .env file (literal \\n)', (p) => p.replace(/\n/g, '\\n')],
	['with the text openssl prints around it', (p) => `Bag Attributes\n    friendlyName: n8n\nsubject=CN = n8n sandbox client\nissuer=CN = Clara API Certificate Authority\n${p}\nsome trailing note`],
	['with blank lines and tabs', (p) => `\n\n\t${p.replace(/\n/g, '\n\t')}\n\n`],
];

const ok = (result: ReturnType<typeof rebuildPem>) => {
	if ('problem' in result) throw new Error(`expected a PEM, got: ${result.problem}`);
	return result.pem;
};
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
const der = (pem: string, pass?: string) => createPrivateKey({ key: pem, passphrase: pass }).export({ type: 'pkcs8', format: 'der' }).toString('hex');

describe('rebuildPem: every paste of an intact block works', () => {
	test.each(pastes)('a certificate pasted %s', (_how, paste) => {
		const rebuilt = ok(rebuildPem(paste(certs.client.cert), 'certificate'));
		expect(fingerprint(rebuilt)).toBe(fingerprint(certs.client.cert));
		// Canonical: lines of 64, one block, LF only.
		expect(rebuilt.split('\n').every((line) => line.length <= 64)).toBe(true);
		expect(rebuilt).not.toMatch(/\r/);
	});

	test.each(pastes)('a private key pasted %s', (_how, paste) => {
		expect(der(ok(rebuildPem(paste(certs.client.key), 'key')))).toBe(der(certs.client.key));
	});

	test.each(pastes)('an encrypted PKCS#8 key pasted %s', (_how, paste) => {
		const enc = certs.clientEncrypted;
		expect(der(ok(rebuildPem(paste(enc.key), 'key')), enc.passphrase)).toBe(der(enc.key, enc.passphrase));
	});

	test.each(pastes)('a traditional encrypted key (AES and DES IVs) pasted %s', (_how, paste) => {
		for (const key of [traditional.aes, traditional.des]) {
			const rebuilt = ok(rebuildPem(paste(key), 'key'));
			expect(rebuilt).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: [A-Z0-9-]+,[0-9A-F]+\n\n/);
			expect(der(rebuilt, passphrase)).toBe(der(certs.client.key));
		}
	});

	test.each(pastes)('a CA chain of two certificates pasted %s keeps both, in order', (_how, paste) => {
		const chain = `${certs.client.cert}${certs.ca.cert}`;
		const rebuilt = ok(rebuildPem(paste(chain), 'certificate'));
		const blocks = rebuilt.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
		expect(blocks.map(fingerprint)).toEqual([fingerprint(certs.client.cert), fingerprint(certs.ca.cert)]);
	});

	test('an EC key printed after its EC PARAMETERS block: the parameters are dropped, the key kept', () => {
		const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		const pasted = `${pemBlock('EC PARAMETERS', 'BggqhkjOPQMBBw==')}\n${privateKey}`.replace(/\n/g, '');
		const rebuilt = ok(rebuildPem(pasted, 'key'));
		expect(rebuilt).not.toMatch(/EC PARAMETERS/);
		expect(der(rebuilt)).toBe(der(privateKey));
	});

	test('a combined file (key and certificate) in each field: each field takes its own block', () => {
		const combined = (certs.client.key + certs.client.cert).replace(/\n/g, '');
		expect(fingerprint(ok(rebuildPem(combined, 'certificate')))).toBe(fingerprint(certs.client.cert));
		expect(der(ok(rebuildPem(combined, 'key')))).toBe(der(certs.client.key));
	});

	test('empty stays empty', () => {
		expect(rebuildPem('  \n ', 'certificate')).toEqual({ pem: '' });
	});
});

describe('rebuildPem: what cannot be rebuilt is said in words, without the material', () => {
	const collapsed = (pem: string) => pem.replace(/\n/g, '');
	const cases: Array<[string, () => string, 'certificate' | 'key', RegExp]> = [
		['cut short before the END line', () => collapsed(certs.client.cert).slice(0, 400), 'certificate', /stops before its END line \(the paste was cut short\)/],
		['only the encoded text', () => certs.client.cert.replace(/-----[A-Z ]+-----/g, ''), 'certificate', /no BEGIN and END lines, only the encoded text between them/],
		['no PEM at all', () => 'my certificate', 'certificate', /has no -----BEGIN CERTIFICATE----- line: paste the whole file/],
		['a key in the certificate field', () => collapsed(certs.client.key), 'certificate', /is a private key, not a certificate: put it in the private key field/],
		['a certificate in the key field', () => collapsed(certs.client.cert), 'key', /is a certificate, not a private key: put it in the certificate field/],
		['a CSR', () => pemBlock('CERTIFICATE REQUEST', 'MIIBAAAA'), 'certificate', /certificate signing request \(CSR\), not the certificate/],
		['a public key', () => pemBlock('PUBLIC KEY', 'MIIBAAAA'), 'key', /is a public key; the private key is needed/],
		['two private keys', () => certs.client.key + certs.foreign.key, 'key', /holds 2 private keys: paste only the one that belongs to the certificate/],
		['quotes inside the block', () => certs.client.cert.replace(/\n(?=[A-Za-z0-9])/, '\n"'), 'certificate', /characters .* that a PEM file cannot contain/],
		['a character missing', () => certs.client.cert.replace(/\n([A-Za-z0-9+/])/, '\n'), 'certificate', /part of it is missing or was changed/],
		['BEGIN and END of different kinds', () => certs.client.cert.replace('END CERTIFICATE', 'END PRIVATE KEY'), 'certificate', /BEGIN and END lines do not match/],
		['an empty block', () => pemBlock('CERTIFICATE', ''), 'certificate', /nothing between its BEGIN and END lines/],
	];
	test.each(cases)('%s', (_what, input, kind, message) => {
		const text = input();
		const result = rebuildPem(text, kind);
		expect(result).toEqual({ problem: expect.stringMatching(message) });
		// No run of the material made it into the message.
		const problem = (result as { problem: string }).problem;
		for (const run of text.match(/[A-Za-z0-9+/]{16,}/g) ?? []) expect(problem).not.toContain(run);
	});
});

describe('the transport uses rebuilt PEMs, rebuilt once per identity', () => {
	const oneLine = (pem: string) => pem.replace(/[\r\n]/g, '');

	test('validateTlsMaterial accepts a one-line certificate, key and CA and returns them rebuilt', () => {
		const enc = certs.clientEncrypted;
		const tls = validateTlsMaterial({ ca: oneLine(certs.ca.cert), cert: `  ${oneLine(enc.cert)}  `, key: oneLine(enc.key), passphrase: enc.passphrase });
		expect(fingerprint(tls.ca!)).toBe(fingerprint(certs.ca.cert));
		expect(fingerprint(tls.cert!)).toBe(fingerprint(enc.cert));
		expect(der(tls.key!, enc.passphrase)).toBe(der(enc.key, enc.passphrase));
	});

	test('each field is named in its message', () => {
		const check = (m: Parameters<typeof validateTlsMaterial>[0]) => {
			try {
				validateTlsMaterial(m);
				return 'ok';
			} catch (e) {
				return (e as Error).message;
			}
		};
		expect(check({ ca: oneLine(certs.ca.cert).slice(0, 300) })).toMatch(/^The CA certificate is not a valid PEM certificate: it stops before its END line/);
		expect(check({ cert: certs.client.key, key: certs.client.key })).toMatch(/^The client certificate is not a valid PEM certificate: it is a private key, not a certificate/);
		expect(check({ cert: certs.client.cert, key: certs.client.cert })).toMatch(/^The private key is not a valid PEM key: it is a certificate, not a private key/);
	});

	test('a TLS connection trusts a CA pasted on one line; 30 requests rebuild it once', async () => {
		const spy = jest.spyOn(pemModule, 'rebuildPem');
		try {
			const tls = { ca: oneLine(certs.ca.cert) };
			for (let i = 0; i < 20; i++) expect((await send({ method: 'GET', url: `${service.url}/x` }, { tls })).status).toBe(200);
			// A new execution reads the credential again: a new object with the same text finds the same agent.
			for (let i = 0; i < 10; i++) expect((await send({ method: 'GET', url: `${service.url}/y` }, { tls: { ca: oneLine(certs.ca.cert) } })).status).toBe(200);
			expect(spy).toHaveBeenCalledTimes(1);
		} finally {
			spy.mockRestore();
		}
	});
});

describe('redact removes key material, never our own advice', () => {
	test('the advice of every PEM message survives', () => {
		for (const advice of [
			'The client certificate is not a valid PEM certificate: paste the whole -----BEGIN CERTIFICATE----- block',
			'it has no -----BEGIN CERTIFICATE----- line: paste the whole file, from its -----BEGIN CERTIFICATE----- line to its END line',
			'it is a certificate, not a private key: put it in the certificate field, and here the key that came with it (-----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY))',
		]) {
			expect(redact(advice)).toBe(advice);
		}
	});

	test('material goes: whole blocks, one-line blocks, a block cut short, and bare DER', () => {
		const key = certs.client.key;
		const body = key.replace(/-----[A-Z ]+-----|\n/g, '');
		for (const text of [
			`before ${key} after`,
			`before ${key.replace(/\n/g, '')} after`,
			`before ${key.slice(0, 200)}`,
			`before ${key.replace(/\n/g, ' ').slice(0, 200)}`,
			`the value was ${body.slice(0, 120)}`,
		]) {
			const out = redact(text);
			expect(out).toMatch(/^before |^the value was /);
			expect(out).toContain('[redacted PEM]');
			for (const run of body.match(/.{12}/g)!.slice(0, 8)) expect(out).not.toContain(run);
		}
	});
});
