import { timingSafeEqual } from 'crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { tried } from './exchange';
import { headerValue, InvalidInput } from './validate';

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

/**
 * The credential's one-line fields (ids, secrets, keys, names that end up in a header, a Basic header or the token
 * request's form) checked before anything is sent: a line break or other control character in one is an error of
 * that field, never a request that fails on the wire with the secret already sent. `fields`: key → label on screen.
 */
export function oneLineFields(credential: object, fields: Record<string, string>, service: string): void {
	for (const [key, label] of Object.entries(fields)) {
		const value = (credential as Record<string, unknown>)[key];
		if (typeof value !== 'string' || value === '') continue;
		const checked = tried(() => headerValue(value, label));
		if (!('error' in checked)) continue;
		const bad = checked.error as InvalidInput;
		throw new InvalidInput(label, `The ${service} credential's ${bad.message}`, `${bad.description ?? ''} Nothing was sent.`.trim());
	}
}
