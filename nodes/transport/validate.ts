/**
 * What every service checks before anything is sent, written once. Each check takes the value as n8n hands it over
 * (a string typed or mapped by an expression, a number, a Luxon DateTime from `{{ $now }}`, a JS Date) and the
 * field's label as the user sees it, and throws InvalidInput naming that field and the expected form. `runPerItem`
 * turns InvalidInput into that item's NodeOperationError, so a bad item never reaches the network.
 */

import { redact } from './redact';

/** Bad input found locally. `field` is the label on screen; `description` says what to do. */
export class InvalidInput extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'InvalidInput';
	}
}

/** How a value is quoted back in a message: short, one line, and never a whole pasted blob. */
export function shown(value: unknown): string {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (value === undefined || value === null) text = String(value);
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	// Masked before it is cut: a CPF typed into another field is shown as ***.456.789-**, never in full or in part.
	text = redact(text.replace(/[\r\n\t]/g, ' '));
	return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
}

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A value as text: strings trimmed, numbers as written; objects are refused (an expression that gave the whole item). */
function asText(value: unknown, field: string): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	throw new InvalidInput(field, `${field} must be text, not ${Array.isArray(value) ? 'a list' : typeof value} ${shown(value)}`, `Map a single value into ${field}.`);
}

/** Required text, trimmed. */
export function requiredText(value: unknown, field: string): string {
	if (isBlank(value)) throw new InvalidInput(field, `${field} is empty`, `Fill ${field}, or map it from a previous node.`);
	return asText(value, field);
}

/** Optional text, trimmed; undefined when empty. */
export function optionalText(value: unknown, field: string): string | undefined {
	return isBlank(value) ? undefined : asText(value, field);
}

/**
 * An id that goes into a URL path: exactly one path segment. Empty, `.`, `..`, or anything with `/`, `\`, `?`, `#`,
 * `%` or control characters would make the request address another endpoint (`statements/../transactions` reads
 * every statement's transactions as if they were this one's) or the collection itself (a PUT to all of them).
 * Returns the id percent-encoded, ready to put in the path.
 */
export function pathSegment(value: unknown, field: string): string {
	const id = requiredText(value, field);
	if (id === '.' || id === '..' || /[/\\?#%\s\u0000-\u001f\u007f]/.test(id) || id.length > 200) {
		throw new InvalidInput(
			field,
			`${field} ${shown(id)} is not a single id`,
			`Give one id (letters, digits, - and _), not a path: it may not be "." or "..", contain spaces, /, \\, ?, # or %, or be longer than 200 characters.`,
		);
	}
	return encodeURIComponent(id);
}

interface CalendarDate {
	year: number;
	month: number;
	day: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function realDate(year: number, month: number, day: number): boolean {
	if (month < 1 || month > 12 || day < 1) return false;
	const max = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
	return day <= max && year >= 1900 && year <= 2999;
}

/** Luxon DateTime (what `{{ $now }}` and n8n's date helpers give) without importing Luxon. */
function isLuxon(value: unknown): value is { isValid: boolean; toISO(): string | null; toISODate(): string | null } {
	return !!value && typeof value === 'object' && typeof (value as { toISODate?: unknown }).toISODate === 'function' && 'isValid' in value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The calendar date the user meant, as typed: `2026-02-30` and month 13 are refused (Date.parse would roll them over
 * into March or next year). A date-time keeps the date as written, not converted to UTC (`2026-01-31T23:00-03:00`
 * is the 31st, which is what the person picking it meant).
 */
function parseDate(value: unknown, field: string, form: string): { date: CalendarDate; time?: { h: number; m: number; s: number; ms: number; zone?: string } } {
	let text: string;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new InvalidInput(field, `${field} is not a valid date`, `Use ${form}.`);
		text = value.toISOString();
	} else if (isLuxon(value)) {
		if (!value.isValid) throw new InvalidInput(field, `${field} is not a valid date`, `Use ${form}.`);
		text = value.toISO() ?? '';
	} else {
		text = asText(value, field);
	}
	const m = DATE_TIME.exec(text);
	if (!m) throw new InvalidInput(field, `${field} must be a date like ${form}, not ${shown(text)}`, `Use ${form}, or pick it in the date picker.`);
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (!realDate(year, month, day)) {
		throw new InvalidInput(field, `${field} ${shown(text)} is not a real calendar date`, `Check the month (01–12) and the day (this month has ${month >= 1 && month <= 12 ? (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]) : 'no'} days).`);
	}
	if (m[4] === undefined) return { date: { year, month, day } };
	const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
	if (h > 23 || min > 59 || s > 59) throw new InvalidInput(field, `${field} ${shown(text)} has an impossible time of day`, 'Hours go 00–23, minutes and seconds 00–59.');
	return { date: { year, month, day }, time: { h, m: min, s, ms: Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)), zone: m[8] } };
}

/** A calendar date as `YYYY-MM-DD`; undefined when empty and not required. */
export function calendarDate(value: unknown, field: string, options: { required?: boolean } = {}): string | undefined {
	if (isBlank(value)) {
		if (options.required) throw new InvalidInput(field, `${field} is empty`, 'Fill it with a date like 2026-01-31.');
		return undefined;
	}
	const { date } = parseDate(value, field, 'YYYY-MM-DD (2026-01-31)');
	return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** A calendar date in another layout the vendor wants, e.g. CleverTap's YYYYMMDD. */
export function calendarDateCompact(value: unknown, field: string, options: { required?: boolean } = {}): string | undefined {
	const iso = calendarDate(typeof value === 'string' && /^\d{8}$/.test(value.trim()) ? `${value.trim().slice(0, 4)}-${value.trim().slice(4, 6)}-${value.trim().slice(6)}` : value, field, options);
	return iso?.replace(/-/g, '');
}

/**
 * A moment in time, as epoch milliseconds: a date-time with or without a zone (none = UTC), or a date alone
 * (midnight UTC). Impossible dates and times are refused rather than rolled over.
 */
export function instant(value: unknown, field: string, options: { required?: boolean } = {}): number | undefined {
	if (isBlank(value)) {
		if (options.required) throw new InvalidInput(field, `${field} is empty`, 'Fill it with a date-time like 2026-01-31T09:30:00Z.');
		return undefined;
	}
	const { date, time } = parseDate(value, field, 'an ISO date-time (2026-01-31T09:30:00Z)');
	const t = time ?? { h: 0, m: 0, s: 0, ms: 0, zone: 'Z' };
	let offsetMin = 0;
	if (t.zone && t.zone !== 'Z') {
		const z = /^([+-])(\d{2}):?(\d{2})$/.exec(t.zone)!;
		offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
	}
	return Date.UTC(date.year, date.month - 1, date.day, t.h, t.m, t.s, t.ms) - offsetMin * 60_000;
}

/** `start` ≤ `end` when both are given (ISO dates or date-times compare as text only when they have the same form). */
export function dateRange(start: string | number | undefined, end: string | number | undefined, fields: [string, string]): void {
	if (start === undefined || end === undefined) return;
	if (start > end) {
		throw new InvalidInput(fields[1], `${fields[1]} (${end}) is before ${fields[0]} (${start})`, `Make ${fields[1]} the same as or later than ${fields[0]}.`);
	}
}

/** A whole number in [min, max]; undefined when empty and not required. Strings of digits are accepted as typed. */
export function integer(value: unknown, field: string, options: { min?: number; max?: number; required?: boolean } = {}): number | undefined {
	const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
	const range = options.max !== undefined ? `from ${min} to ${max}` : options.min !== undefined ? `of at least ${min}` : '';
	if (isBlank(value)) {
		if (options.required) throw new InvalidInput(field, `${field} is empty`, `Fill it with a whole number ${range}.`.replace(/ \./, '.'));
		return undefined;
	}
	const n = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
	if (!Number.isSafeInteger(n) || n < min || n > max) {
		throw new InvalidInput(field, `${field} must be a whole number ${range}, not ${shown(value)}`.replace(/ ,/, ','), undefined);
	}
	return n;
}

let currencies: Set<string> | undefined;
/** ISO 4217 codes as Node's ICU knows them (current codes; no hand-kept table to go stale). */
function isoCurrencies(): Set<string> {
	currencies ??= new Set((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('currency'));
	return currencies;
}

/** An ISO 4217 currency code, upper-cased. */
export function currency(value: unknown, field: string): string {
	const code = requiredText(value, field).toUpperCase();
	if (!/^[A-Z]{3}$/.test(code) || !isoCurrencies().has(code)) {
		throw new InvalidInput(field, `${field} ${shown(value)} is not an ISO 4217 currency code`, 'Use the three-letter code, e.g. EUR, GBP, USD, MXN, BRL.');
	}
	return code;
}

/** Decimal places the currency has (JPY 0, EUR 2, KWD 3), from ICU. */
export function minorUnits(code: string): number {
	return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * A money amount greater than zero with no more decimals than its currency has. Numbers or numeric strings
 * ("120.50"); no thousands separators, no currency signs (ambiguous between locales: "1.234" is 1234 in Brazil).
 */
export function amount(value: unknown, field: string, currencyCode?: string): number {
	if (isBlank(value)) throw new InvalidInput(field, `${field} is empty`, 'Fill it with an amount greater than 0, like 120.50.');
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	const n = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
	if (!Number.isFinite(n) || n <= 0) {
		throw new InvalidInput(field, `${field} must be an amount greater than 0, not ${shown(value)}`, 'Write it with a dot for decimals and nothing else, like 120.50.');
	}
	if (currencyCode) {
		const places = minorUnits(currencyCode);
		const decimals = (/\.(\d+)$/.exec(String(n))?.[1] ?? '').length;
		if (decimals > places) {
			throw new InvalidInput(field, `${field} ${shown(value)} has more decimals than ${currencyCode} has (${places})`, `Round it to ${places} decimal places.`);
		}
	}
	return n;
}

/**
 * A URL that will carry a secret (client secret, passcode, token): it must be https, or the secret travels in clear.
 * Returns it without a trailing slash. Checked before any socket opens.
 */
export function httpsUrl(value: unknown, field: string, options: { required?: boolean } = {}): string | undefined {
	if (isBlank(value)) {
		if (options.required) throw new InvalidInput(field, `${field} is empty`, `Fill ${field} with an https:// address.`);
		return undefined;
	}
	const text = asText(value, field);
	// Placeholders such as {country} or {region} are filled in later; they are not part of the check.
	const checked = text.replace(/\{[a-z]+\}/gi, 'x');
	const url = URL.canParse(checked) ? new URL(checked) : undefined;
	if (!url) throw new InvalidInput(field, `${field} ${shown(text)} is not a URL`, `Use a full address starting with https://.`);
	if (url.protocol !== 'https:') {
		throw new InvalidInput(
			field,
			`${field} ${shown(text)} is not an https:// address`,
			`Use https://: over ${url.protocol.replace(':', '')} the credential's secrets would travel unencrypted, so nothing is sent.`,
		);
	}
	if (url.username || url.password) {
		throw new InvalidInput(field, `${field} must not contain a user name or password`, 'Put secrets in their own credential fields, never in the URL.');
	}
	return text.replace(/\/+$/, '');
}

/**
 * A header value (or a credential value that goes into one): no line break or other control character. CR and LF
 * would split the header, and undici refuses them as a network error after the token request, secret included, may
 * already have gone out.
 */
export function headerValue(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : asText(value, field);
	if (/[\u0000-\u001f\u007f]/.test(text)) {
		const what = /[\r\n]/.test(text) ? 'a line break' : 'a control character';
		throw new InvalidInput(field, `${field} contains ${what}`, `Paste ${field} as one line: line breaks and control characters are not allowed in it.`);
	}
	return text;
}

/**
 * An email address as typed: one `@`, a dot in the domain, no spaces or quotes. Not RFC 5322 in full (no vendor
 * here takes quoted local parts); enough to catch a name, a list or an empty cell mapped into the field.
 */
export function emailAddress(value: unknown, field: string): string {
	const text = requiredText(value, field);
	if (!/^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:.]{2,}$/.test(text) || text.length > 254) {
		throw new InvalidInput(field, `${field} ${shown(text)} is not an email address`, 'Give one address like ana@example.com.');
	}
	return text;
}
