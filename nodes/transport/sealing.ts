import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'crypto';

/**
 * Keys that encrypt ("seal") cached tokens in a shared store such as Redis. A token is sealed with a key derived
 * from its own credential's secret, so whoever can read Redis (but does not have the credential) learns nothing,
 * and a value written under another secret does not open. The secret reaches the store without changing the
 * TokenStore API: `tokenCacheKey` (token.ts) records the derived key here, under the cache key it returns. Nothing
 * else is a source of keys: this module reads no environment variable and no file (n8n's own encryption key is
 * n8n's, not a community node's), and a cache key with no credential-derived key is never stored.
 */

const INFO = 'n8n-nodes-fintech-identity token sealing';
const sealingKeys = new Map<string, Buffer>();

/** 32 bytes for AES-256-GCM. The salt is the cache key, so two credentials never share a key. */
export function deriveSealingKey(secret: string, cacheKey: string): Buffer {
	return Buffer.from(hkdfSync('sha256', secret, cacheKey, INFO, 32));
}

/** Called by tokenCacheKey. One entry per credential in use by this process: the map stays small. */
export function rememberSealingKey(cacheKey: string, secret: string) {
	if (!sealingKeys.has(cacheKey)) sealingKeys.set(cacheKey, deriveSealingKey(secret, cacheKey));
}

/** A token whose cache key has no credential-derived key: it stays out of the shared store (fail closed). */
class NoSealingKeyError extends Error {
	constructor() {
		super("Refused to put a token in the shared cache without a key derived from its credential's secret (its cache key was not built by tokenCacheKey)");
		this.name = 'NoSealingKeyError';
	}
}

/** The key to seal the token under `cacheKey` with: the one derived from its credential's secret, or an error. */
export function sealingKey(cacheKey: string): Buffer {
	const own = sealingKeys.get(cacheKey);
	if (!own) throw new NoSealingKeyError();
	return own;
}

/** An HMAC of the access token: lets a Lua script compare tokens (compare-and-delete) without reading one. */
export function fingerprint(key: Buffer, accessToken: string) {
	return createHmac('sha256', key).update(accessToken).digest('hex');
}

/** AES-256-GCM: base64 of 12-byte IV, 16-byte tag, ciphertext. The store's key name is bound in as associated data. */
export function seal(key: Buffer, aad: string, plain: string) {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(Buffer.from(aad));
	const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The plain text, or undefined for a value sealed under another key or name, or tampered with. */
export function unseal(key: Buffer, aad: string, sealed: string): string | undefined {
	try {
		const raw = Buffer.from(sealed, 'base64');
		const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
		decipher.setAAD(Buffer.from(aad));
		decipher.setAuthTag(raw.subarray(12, 28));
		return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}
