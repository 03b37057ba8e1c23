/**
 * Everything that leaves the transport (error messages, descriptions, response bodies shown in errors, log lines)
 * goes through here. Secrets are removed by value (the caller lists the credential's secrets) and by shape
 * (bearer tokens, JWTs, PEM blocks, CPFs), so a secret the caller forgot to list is still caught by its shape.
 */

/** A PEM block, or its start when the END line is missing. */
const PEM = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)(-----END [A-Z0-9 ]+-----|$)/g;
/** Encoded material after a BEGIN line with no END: a run of base64 longer than any word. */
const MATERIAL = /[A-Za-z0-9+/]{24,}/;
/** DER (certificates and keys all start "MII…" in base64) without its BEGIN/END lines. */
const BARE_DER = /\bMII[A-Za-z0-9+/]{40,}={0,2}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** A CPF with or without punctuation; masked to the middle six digits, as Brazilian receipts do. */
const CPF = /(?<![\d.])(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})(?![\d])/g;

export function maskCpf(cpf: string): string {
	const digits = cpf.replace(/\D/g, '');
	if (digits.length !== 11) return '***';
	return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
}

export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		// Short values (a 3-letter country code) would shred ordinary text; they are not secrets anyway.
		if (typeof secret === 'string' && secret.length >= 6) out = out.split(secret).join('[redacted]');
	}
	return out
		// A whole block always goes; a BEGIN line alone only with material after it, so that our own advice
		// ("paste the whole file, from its -----BEGIN CERTIFICATE----- line …") is never eaten.
		.replace(PEM, (block, body: string, end: string) => (end || MATERIAL.test(body) ? '[redacted PEM]' : block))
		.replace(BARE_DER, '[redacted PEM]')
		.replace(BEARER, '$1 [redacted]')
		.replace(JWT, '[redacted token]')
		.replace(CPF, (_m, _a, b, c) => `***.${b}.${c}-**`);
}

export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined> = []): T {
	if (typeof value === 'string') return redact(value, secrets) as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets);
		return out as T;
	}
	return value;
}
