import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/**
 * Keys that encrypt ("seal") cached tokens in a shared store such as Redis. A token is sealed with a key derived
 * from its own credential's secret, so whoever can read Redis (but does not have the credential) learns nothing,
 * and a value written under another secret does not open. The secret reaches the store without changing the
 * TokenStore API: `tokenCacheKey` (token.ts) records the derived key here, under the cache key it returns.
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

let n8nKey: string | undefined;

/**
 * n8n's own encryption key: N8N_ENCRYPTION_KEY (or the file N8N_ENCRYPTION_KEY_FILE names, n8n's `_FILE` form),
 * else the one n8n wrote into its config file.
 */
function n8nEncryptionKey(): string | undefined {
	if (process.env.N8N_ENCRYPTION_KEY) return process.env.N8N_ENCRYPTION_KEY;
	if (process.env.N8N_ENCRYPTION_KEY_FILE) {
		try {
			return readFileSync(process.env.N8N_ENCRYPTION_KEY_FILE, 'utf8').trim() || undefined;
		} catch {
			return undefined;
		}
	}
	if (n8nKey) return n8nKey;
	const file = join(process.env.N8N_USER_FOLDER || homedir(), '.n8n', 'config');
	try {
		const key = JSON.parse(readFileSync(file, 'utf8'))?.encryptionKey;
		if (typeof key === 'string' && key !== '') n8nKey = key;
	} catch {
		// No config file (or not JSON): the caller says what is missing.
	}
	return n8nKey;
}

/**
 * The key to seal the token under `cacheKey` with: the credential's own (see above); for a cache key that
 * tokenCacheKey did not build, one derived from n8n's encryption key, which every worker of one n8n shares.
 */
export function sealingKey(cacheKey: string): Buffer {
	const own = sealingKeys.get(cacheKey);
	if (own) return own;
	const n8n = n8nEncryptionKey();
	if (!n8n) {
		throw new Error(
			"No key to encrypt the shared token cache with: this token's cache key was not built by tokenCacheKey, and n8n's encryption key was not found (set N8N_ENCRYPTION_KEY, as queue mode requires on every worker)",
		);
	}
	return deriveSealingKey(n8n, cacheKey);
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
