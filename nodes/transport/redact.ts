/**
 * Everything that leaves the transport (error messages, descriptions, response bodies shown in errors, log lines)
 * goes through here. Secrets are removed by value (the caller lists the credential's secrets) and by shape
 * (bearer tokens, JWTs, PEM blocks, card numbers and CVVs, CPFs), so a secret the caller forgot to list is still
 * caught by its shape.
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

/**
 * Digits with single spaces or dashes between them: where a card number can hide ("5555 5555 5555 4444",
 * "5555-5555-5555-4444", "5555555555554444"). Each run is searched for 13 to 19 consecutive digits (its groups
 * kept whole) that pass the Luhn check.
 */
const DIGIT_RUN = /(?<![\d])\d+(?:[ -]\d+)*(?![\d])/g;
/** A CVV by its field name, as JSON (`"cvv":"123"`, `"cvv": 123`), a query or form (`cvv=123`) or text (`cvv: 123`). */
const CVV_NAMES = 'cvv2?|cvc2?|cvn|csc|(?:card[_ -]?)?security[_ -]?code|card[_ -]?verification[_ -]?(?:value|code)';
const CVV = new RegExp(`(["']?)(?<![A-Za-z0-9])(${CVV_NAMES})\\1(\\s*[:=]\\s*)(["']?)\\d{3,4}\\4(?!\\d)`, 'gi');
const CVV_NAME = new RegExp(`^(?:${CVV_NAMES})$`, 'i');

/** Whether `digits` passes the Luhn check every payment card number carries (ISO/IEC 7812). */
export function luhn(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = digits.charCodeAt(digits.length - 1 - i) - 48;
		if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return digits.length > 0 && sum % 10 === 0;
}

/** Whether a value is shaped like a card number: 13 to 19 digits (spaces and dashes aside) that pass Luhn. */
export function isCardNumber(value: string): boolean {
	if (!/^\d[\d -]*$/.test(value)) return false;
	const digits = value.replace(/[ -]/g, '');
	return digits.length >= 13 && digits.length <= 19 && luhn(digits);
}

/** A card number as a person may see it: the last four digits only (PCI DSS allows at most first six and last four). */
export const maskCardNumber = (digits: string) => `**** ${digits.replace(/\D/g, '').slice(-4)}`;

/**
 * Every card number in `text`, masked. Only digit runs that pass Luhn are touched: every card number does, so none
 * is missed, while a deployment id, reference or amount that fails it stays readable — it is what the user needs to
 * act on an error, and a run that fails Luhn cannot be charged. A run that passes Luhn by chance (one in ten) is
 * masked: hiding an id in a message costs a look-up, showing a card costs a breach.
 */
export function maskCardNumbers(text: string): string {
	return text.replace(DIGIT_RUN, (run) => {
		const parts = run.split(/([ -])/);
		const groups = parts.filter((_p, i) => i % 2 === 0);
		// Every span of whole groups that could be a card, overlapping ones too: with "12 5555 5555 5555 4444" both
		// "12 5555 5555 5555" and the real card may pass, and masking only one would leave the other's digits readable.
		const masked = groups.map(() => false);
		for (let start = 0; start < groups.length; start++) {
			let digits = '';
			for (let end = start; end < groups.length && digits.length + groups[end].length <= 19; end++) {
				digits += groups[end];
				if (digits.length >= 13 && luhn(digits)) masked.fill(true, start, end + 1);
			}
		}
		if (!masked.includes(true)) return run;
		let out = '';
		for (let g = 0; g < groups.length; g++) {
			if (!masked[g]) {
				out += (g > 0 ? parts[2 * g - 1] : '') + groups[g];
				continue;
			}
			let end = g;
			while (end + 1 < groups.length && masked[end + 1]) end++;
			out += `${g > 0 ? parts[2 * g - 1] : ''}[card ending ${groups[end].padStart(4, '*').slice(-4)}]`;
			g = end;
		}
		return out;
	});
}

/** Every CVV field in `text`, its value replaced. */
const maskCvvFields = (text: string) => text.replace(CVV, (_m, q: string, name: string, sep: string, v: string) => `${q}${name}${q}${sep}${v}[redacted]${v}`);

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
	out = out
		// A whole block always goes; a BEGIN line alone only with material after it, so that our own advice
		// ("paste the whole file, from its -----BEGIN CERTIFICATE----- line …") is never eaten.
		.replace(PEM, (block, body: string, end: string) => (end || MATERIAL.test(body) ? '[redacted PEM]' : block))
		.replace(BARE_DER, '[redacted PEM]')
		.replace(BEARER, '$1 [redacted]')
		.replace(JWT, '[redacted token]');
	// Cards after the token shapes (their digits are part of them), before CPFs (a card's digits are not a CPF).
	return maskCardNumbers(maskCvvFields(out)).replace(CPF, (_m, _a, b, c) => `***.${b}.${c}-**`);
}

/** A field that holds a CVV, by its name (the same names as in text). */
export const isCvvField = (key: string) => CVV_NAME.test(key);

export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined> = []): T {
	if (typeof value === 'string') return redact(value, secrets) as T;
	// A card number sent as a JSON number is still one.
	if (typeof value === 'number' && isCardNumber(String(value))) return maskCardNumber(String(value)) as T;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = isCvvField(k) && v !== null && v !== undefined && v !== '' ? '[redacted]' : redactDeep(v, secrets);
		return out as T;
	}
	return value;
}
