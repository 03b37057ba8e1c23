import { DateTime } from 'luxon';
import {
	amount,
	calendarDate,
	calendarDateCompact,
	currency,
	dateRange,
	headerValue,
	httpsUrl,
	instant,
	integer,
	InvalidInput,
	pathSegment,
} from '../../nodes/transport/validate';

const fails = (fn: () => unknown, message: RegExp) => {
	let error: unknown;
	try {
		fn();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(InvalidInput);
	expect((error as Error).message).toMatch(message);
	return error as InvalidInput;
};

describe('pathSegment: an id is exactly one path segment', () => {
	it.each(['', '  ', '.', '..', 'a/b', '../transactions', 'a\\b', 'a?x=1', 'a#b', '%2e%2e', 'a b', 'a\nb', 'x'.repeat(201)])('refuses %j', (id) => {
		const e = fails(() => pathSegment(id, 'Card UUID'), /Card UUID/);
		expect(e.field).toBe('Card UUID');
	});
	it('accepts uuids and numeric ids, trimmed and encoded', () => {
		expect(pathSegment(' 3f2a-11 ', 'Card UUID')).toBe('3f2a-11');
		expect(pathSegment(12345, 'Deployment ID')).toBe('12345');
		expect(pathSegment('ação', 'X')).toBe(encodeURIComponent('ação'));
	});
	it('refuses objects (an expression that gave the whole item)', () => {
		fails(() => pathSegment({ uuid: 'x' }, 'Card UUID'), /must be text/);
	});
});

describe('calendar dates are real dates, never rolled over', () => {
	it.each(['2026-02-30', '2026-13-01', '2026-00-10', '2025-02-29', '2026-04-31', '31/01/2026', '2026-1-5', 'tomorrow', '2026-01-31T25:00:00'])('refuses %j', (d) => {
		fails(() => calendarDate(d, 'Start Date'), /Start Date/);
	});
	it('accepts dates, date-times (keeping the date as written), Dates and Luxon DateTimes', () => {
		expect(calendarDate('2024-02-29', 'D')).toBe('2024-02-29');
		expect(calendarDate('2026-01-31T23:00:00-03:00', 'D')).toBe('2026-01-31');
		expect(calendarDate(new Date(Date.UTC(2026, 0, 5)), 'D')).toBe('2026-01-05');
		expect(calendarDate(DateTime.fromISO('2026-03-04T10:00:00', { zone: 'America/Sao_Paulo' }), 'D')).toBe('2026-03-04');
		expect(calendarDate('', 'D')).toBeUndefined();
		fails(() => calendarDate('', 'D', { required: true }), /D is empty/);
	});
	it('compact form for CleverTap', () => {
		expect(calendarDateCompact('20260131', 'From')).toBe('20260131');
		expect(calendarDateCompact('2026-01-31', 'From')).toBe('20260131');
		fails(() => calendarDateCompact('20260230', 'From'), /not a real calendar date/);
	});
	it('instants honour the zone; ranges must not end before they start', () => {
		expect(instant('2026-01-31T09:30:00-03:00', 'T')).toBe(Date.UTC(2026, 0, 31, 12, 30));
		expect(instant('2026-01-31', 'T')).toBe(Date.UTC(2026, 0, 31));
		fails(() => dateRange('2026-02-01', '2026-01-31', ['Start Date', 'End Date']), /End Date \(2026-01-31\) is before Start Date/);
		expect(() => dateRange('2026-01-31', '2026-01-31', ['S', 'E'])).not.toThrow();
	});
});

describe('numbers', () => {
	it.each([2.5, -1, 0, '3x', '1e3', NaN, Infinity, '', 1001])('integer refuses %j for 1..1000', (v) => {
		fails(() => integer(v, 'Limit', { min: 1, max: 1000, required: true }), /Limit/);
	});
	it('integer accepts whole numbers and digit strings', () => {
		expect(integer(5, 'Limit', { min: 1 })).toBe(5);
		expect(integer(' 42 ', 'Limit', { min: 1 })).toBe(42);
		expect(integer(undefined, 'Limit')).toBeUndefined();
	});
	it('amounts are positive, plain, and have no more decimals than the currency', () => {
		expect(amount('120.50', 'Amount', 'EUR')).toBe(120.5);
		expect(amount(3, 'Amount', 'JPY')).toBe(3);
		for (const bad of [0, -5, '1,234.00', '€10', 'abc', '', NaN]) fails(() => amount(bad, 'Amount', 'EUR'), /Amount/);
		fails(() => amount('10.5', 'Amount', 'JPY'), /more decimals than JPY has \(0\)/);
		fails(() => amount('10.123', 'Amount', 'EUR'), /more decimals/);
		expect(amount('10.123', 'Amount', 'KWD')).toBe(10.123);
	});
	it('currencies are ISO 4217 codes', () => {
		expect(currency('eur', 'Currency')).toBe('EUR');
		for (const bad of ['EURO', 'XYZ', 'E1R', '', 'US']) fails(() => currency(bad, 'Currency'), /Currency/);
	});
});

describe('URLs and headers', () => {
	it('a URL carrying a secret must be https', () => {
		expect(httpsUrl('https://127.0.0.1:8443/', 'Base URL')).toBe('https://127.0.0.1:8443');
		expect(httpsUrl('https://{region}.api.example.com', 'Base URL')).toBe('https://{region}.api.example.com');
		const e = fails(() => httpsUrl('http://api.example.com', 'Base URL'), /Base URL "http:\/\/api.example.com" is not an https:\/\/ address/);
		expect(e.description).toMatch(/unencrypted/);
		fails(() => httpsUrl('HTTP://x', 'Token URL'), /Token URL/);
		fails(() => httpsUrl('ftp://x', 'Token URL'), /not an https/);
		fails(() => httpsUrl('api.example.com', 'Base URL'), /not a URL/);
		fails(() => httpsUrl('https://user:pw@x.com', 'Base URL'), /user name or password/);
		expect(httpsUrl('', 'Base URL')).toBeUndefined();
	});
	it('header values have no line breaks', () => {
		expect(headerValue(' abc ', 'Passcode')).toBe('abc');
		const e = fails(() => headerValue('abc\r\nX-Evil: 1', 'Passcode'), /Passcode contains a line break/);
		expect(e.message).not.toMatch(/abc/);
	});
});
