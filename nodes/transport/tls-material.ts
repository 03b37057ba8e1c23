import { createPrivateKey, X509Certificate } from 'crypto';
import { TransportError, tried, type TlsMaterial } from './exchange';
import { rebuildPem, type PemKind } from './pem';

/** Each PEM field rebuilt (see pem.ts), or a tls-config error naming the field and what is wrong with it. */
function rebuilt(tls: TlsMaterial): TlsMaterial {
	const field = (value: string | undefined, kind: PemKind, label: string, what: string) => {
		if (typeof value !== 'string' || value.trim() === '') return undefined;
		const result = rebuildPem(value, kind);
		if ('problem' in result) throw new TransportError('tls-config', `${label} is not a valid PEM ${what}: ${result.problem}`);
		return result.pem;
	};
	return {
		ca: field(tls.ca, 'certificate', 'The CA certificate', 'certificate'),
		cert: field(tls.cert, 'certificate', 'The client certificate', 'certificate'),
		key: field(tls.key, 'key', 'The private key', 'key'),
		passphrase: tls.passphrase || undefined,
	};
}

/**
 * Check PEM material before it reaches a socket, so the user learns which field is wrong instead of an OpenSSL
 * code, and return it rebuilt (a paste that lost its line breaks works). Messages never contain the material.
 */
export function checkTlsMaterial(given: TlsMaterial, now = Date.now(), checkCa?: (ca: string) => void): TlsMaterial {
	const tls = rebuilt(given);
	if (!!tls.cert !== !!tls.key) {
		throw new TransportError(
			'tls-config',
			tls.cert
				? 'A client certificate was given without its private key: fill both Certificate and Private Key'
				: 'A private key was given without its client certificate: fill both Certificate and Private Key',
		);
	}
	const ca = tls.ca;
	if (ca && 'error' in tried(() => (checkCa?.(ca), new X509Certificate(ca)))) {
		throw new TransportError('tls-config', 'The CA certificate is not a valid PEM certificate: its BEGIN and END lines are there, but what is between them is not a certificate; paste the CA certificate file again');
	}
	if (!tls.cert || !tls.key) return tls;
	const certificate = tls.cert;
	const parsed = tried(() => new X509Certificate(certificate));
	if ('error' in parsed) {
		throw new TransportError('tls-config', 'The client certificate is not a valid PEM certificate: its BEGIN and END lines are there, but what is between them is not a certificate; paste the certificate file again');
	}
	const cert = parsed.value;
	const notAfter = Date.parse(cert.validTo);
	if (notAfter < now) {
		throw new TransportError(
			'tls-config',
			`The client certificate expired on ${new Date(notAfter).toISOString().slice(0, 10)}: ask the vendor for a new one and update the credential`,
			'CERT_HAS_EXPIRED',
		);
	}
	if (Date.parse(cert.validFrom) > now) {
		throw new TransportError('tls-config', `The client certificate is not valid before ${cert.validFrom}`, 'CERT_NOT_YET_VALID');
	}
	const pem = tls.key;
	const key = tried(() => createPrivateKey({ key: pem, passphrase: tls.passphrase }));
	if ('error' in key) {
		const text = String((key.error as Error).message);
		// A wrong passphrase usually fails as "bad decrypt", but about 1 time in 256 the garbage happens to end in
		// valid padding and fails later as a parse error: for an encrypted PEM, any failure is about the passphrase.
		const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(tls.key);
		if (encrypted || /bad decrypt|passphrase|interrupted or cancelled/i.test(text)) {
			throw new TransportError('tls-config', tls.passphrase ? 'The private key passphrase is wrong' : 'The private key is encrypted: fill Passphrase', 'BAD_DECRYPT');
		}
		throw new TransportError('tls-config', 'The private key is not a valid PEM key: its BEGIN and END lines are there, but what is between them is not a key; paste the .key file again');
	}
	if (!cert.checkPrivateKey(key.value)) {
		throw new TransportError('tls-config', 'The private key does not belong to the client certificate: use the key that came with this certificate', 'KEY_VALUES_MISMATCH');
	}
	return tls;
}
