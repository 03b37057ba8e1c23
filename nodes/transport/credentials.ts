import { timingSafeEqual } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * How every credential reads its text fields: as typed or pasted, without the whitespace a paste brings around a
 * value (a trailing newline, a leading space). Inner whitespace is kept; PEM fields are rebuilt later by pem.ts.
 */
export function credentialText(data: ICredentialDataDecryptedObject) {
	return (key: string): string => (typeof data[key] === 'string' ? (data[key] as string).trim() : '');
}

/** Compares a secret a request brings with the expected one in constant time, so timing does not reveal it. */
export function sameSecret(given: string, expected: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}
