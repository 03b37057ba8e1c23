/**
 * CPF rules, checked before any call: Claro bills per answer, so a CPF that cannot be valid must cost nothing.
 * Messages show the CPF only masked (the middle six digits, as Brazilian receipts do).
 */

export type CpfCheck = { valid: true; digits: string } | { valid: false; problem: string; masked: string };

/** DV rule of the Receita Federal: weights n..2 over the digits, r = sum mod 11, DV = r < 2 ? 0 : 11 − r. */
function checkDigit(digits: string): number {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (digits.length + 1 - i);
	const r = sum % 11;
	return r < 2 ? 0 : 11 - r;
}

export function maskDigits(digits: string): string {
	// Fewer than 9 digits is not a CPF anyone could be identified by; show nothing of it anyway.
	return digits.length >= 9 ? `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**` : '***';
}

export function checkCpf(input: unknown): CpfCheck {
	let text: string;
	if (typeof input === 'number' && Number.isInteger(input) && input >= 0) {
		// A CPF read as a number (a spreadsheet column, JSON) has lost its leading zeros.
		text = String(input).padStart(11, '0');
	} else if (typeof input === 'string') {
		text = input.trim();
	} else if (input === undefined || input === null) {
		text = '';
	} else {
		const got = Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'an object' : `a ${typeof input}`;
		return { valid: false, problem: `is ${got}, not text: map the CPF field itself`, masked: '***' };
	}
	const digits = text.replace(/\D/g, '');
	const masked = maskDigits(digits);
	if (text === '') return { valid: false, problem: 'is empty', masked };
	if (/[\p{L}]/u.test(text)) return { valid: false, problem: 'contains letters', masked };
	if (/[^\d.\-\s/]/.test(text)) return { valid: false, problem: 'contains characters other than digits, dots and a dash', masked };
	if (digits.length !== 11) return { valid: false, problem: `has ${digits.length} digit${digits.length === 1 ? '' : 's'}, needs 11`, masked };
	if (/^(\d)\1{10}$/.test(digits)) return { valid: false, problem: 'all digits are the same', masked };
	const dv1 = checkDigit(digits.slice(0, 9));
	const dv2 = checkDigit(digits.slice(0, 9) + dv1);
	if (Number(digits[9]) !== dv1 || Number(digits[10]) !== dv2) return { valid: false, problem: 'check digits do not match', masked };
	return { valid: true, digits };
}
