import { readFileSync } from 'fs';

/**
 * Collects everything a test run showed the user or wrote to a log, and the secrets it used, then asserts that
 * no secret appears anywhere. PEM keys are watched line by line, so a partial leak of a key is caught too.
 *
 * With `{ shapes: true }` it also greps for what must never be shown whatever its value (a test cannot list every
 * card or CPF a vendor might send): bearer tokens and JWTs, full card numbers (13–19 digits, spaces or dashes
 * allowed, Luhn-valid, starting as card numbers do), CVV fields with their digits, and full CPFs (valid check
 * digits, with or without punctuation). `allow` lists texts that may appear (a test's own masked or fake values).
 */
export class Leaks {
	private readonly secrets = new Set<string>();
	private readonly texts: string[] = [];

	constructor(private readonly options: { shapes?: boolean; allow?: string[] } = {}) {}

	/** How many distinct values are watched (a PEM key counts once per line). */
	get watching(): number {
		return this.secrets.size;
	}

	/** A file the run produced (n8n's log, its SQLite database, an export), read as bytes so binary files work too. */
	collectFile(path: string) {
		this.texts.push(readFileSync(path).toString('latin1'));
	}

	watch(...values: unknown[]) {
		for (const value of values) {
			if (typeof value !== 'string' || value.length < 6) continue;
			if (value.includes('-----BEGIN')) {
				for (const line of value.split('\n')) if (/^[A-Za-z0-9+/=]{24,}$/.test(line.trim())) this.secrets.add(line.trim());
			} else {
				this.secrets.add(value);
			}
		}
	}

	/** Anything: a runNode result (items, error, logs), an error, a string. */
	collect(...things: unknown[]) {
		for (const thing of things) {
			if (thing instanceof Error) {
				this.texts.push(thing.message, String((thing as { description?: string }).description ?? ''), safeJson(thing));
			} else if (typeof thing === 'string') {
				this.texts.push(thing);
			} else {
				this.texts.push(safeJson(thing));
				const error = (thing as { error?: unknown })?.error;
				if (error instanceof Error) this.collect(error);
			}
		}
	}

	/** Returns how much text was checked, so a test can also assert it checked something. */
	assertNone(): number {
		const all = this.texts.join('\n');
		const found = [...this.secrets].filter((s) => all.includes(s));
		if (found.length) throw new Error(`${found.length} secret value(s) leaked, e.g. one starting "${found[0].slice(0, 3)}…"`);
		if (this.secrets.size === 0) throw new Error('no secrets were watched: the leak test checks nothing');
		if (this.options.shapes) {
			const allowed = this.options.allow ?? [];
			const shaped = secretShapes(all).filter((hit) => !allowed.some((a) => hit.text.includes(a) || a.includes(hit.text)));
			if (shaped.length) throw new Error(`${shaped.length} secret-shaped value(s) shown, e.g. a ${shaped[0].kind} starting "${shaped[0].text.slice(0, 4)}…"`);
		}
		return all.length;
	}
}

const BEARER = /\b(?:Bearer|Basic)\s+(?!\[redacted)[A-Za-z0-9._~+/=-]{8,}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Not a run that continues a word or an id (a letter before it): in n8n's SQLite files a uuid column is followed
// straight by the next column's digits, which pass Luhn one time in ten. A card in text stands apart ("…", : or a space).
// Nor one a letter ends (a uuid whose first groups are all digits). A number starting with 2 is a card only as a
// Mastercard is (2221–2720, 16 digits): CleverTap's timestamps (YYYYMMDDHHMMSS, 2026…) pass Luhn one time in ten too.
const CARD = /(?<![\dA-Za-z.-])[2-6](?:[ -]?\d){12,18}(?![\dA-Za-z-])/g;
const cardPrefix = (digits: string) => digits[0] !== '2' || (digits.length === 16 && Number(digits.slice(0, 4)) >= 2221 && Number(digits.slice(0, 4)) <= 2720);
// Quotes may come escaped (`\"cvv\": \"123\"`): JSON inside a log line's JSON message.
const CVV = /(?:\\*["'])?(?:cvv2?|cvc2?|securityCode|card_?verification\w*)(?:\\*["'])?\s*[:=]\s*(?:\\*["'])?\d{3,4}(?!\d)/gi;
// Like a card, a CPF stands apart: not a run inside a hex id or hash (PostgreSQL holds many), one in a hundred of
// whose 11-digit runs has valid check digits.
const CPF = /(?<![\dA-Za-z.])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\dA-Za-z])/g;

function luhn(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = Number(digits[digits.length - 1 - i]);
		if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return sum % 10 === 0;
}

function validCpf(digits: string): boolean {
	if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
	const check = (n: number) => {
		const sum = [...digits.slice(0, n)].reduce((acc, d, i) => acc + Number(d) * (n + 1 - i), 0);
		const rest = (sum * 10) % 11;
		return rest === 10 ? 0 : rest;
	};
	return check(9) === Number(digits[9]) && check(10) === Number(digits[10]);
}

/** Every token, full card number, CVV field and full CPF in `text`. */
export function secretShapes(text: string): Array<{ kind: string; text: string }> {
	const hits: Array<{ kind: string; text: string }> = [];
	for (const m of text.matchAll(BEARER)) hits.push({ kind: 'token', text: m[0] });
	for (const m of text.matchAll(JWT)) hits.push({ kind: 'token', text: m[0] });
	for (const m of text.matchAll(CARD)) {
		const digits = m[0].replace(/\D/g, '');
		if (digits.length >= 13 && digits.length <= 19 && cardPrefix(digits) && luhn(digits)) hits.push({ kind: 'card number', text: m[0] });
	}
	for (const m of text.matchAll(CVV)) hits.push({ kind: 'CVV', text: m[0] });
	for (const m of text.matchAll(CPF)) if (validCpf(m[0].replace(/\D/g, ''))) hits.push({ kind: 'CPF', text: m[0] });
	return hits;
}

function safeJson(value: unknown) {
	const seen = new WeakSet();
	try {
		return JSON.stringify(value, (_k, v) => {
			if (v && typeof v === 'object') {
				if (seen.has(v)) return undefined;
				seen.add(v);
			}
			return v;
		});
	} catch {
		return String(value);
	}
}
