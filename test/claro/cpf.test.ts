/**
 * The CPF rules the node applies before any (billed) call, and the environment → host mapping.
 */
import { checkCpf, maskDigits } from '../../nodes/ClaroFaceMatch/cpf';
import { claroOrigin } from '../../nodes/ClaroFaceMatch/transport';

describe('valid CPFs, with or without punctuation', () => {
	test.each([
		['111.444.777-35', '11144477735'],
		['123.456.789-09', '12345678909'],
		['222.333.666-38', '22233366638'],
		['11144477735', '11144477735'],
		['  111 444 777 35 ', '11144477735'],
		['111.444.777/35', '11144477735'],
	])('%s', (input, digits) => {
		expect(checkCpf(input)).toEqual({ valid: true, digits });
	});

	test('a CPF that arrived as a number has its leading zeros back', () => {
		// 012.345.678-90 is valid; as a JSON number it is 1234567890.
		expect(checkCpf('012.345.678-90')).toEqual({ valid: true, digits: '01234567890' });
		expect(checkCpf(1234567890)).toEqual({ valid: true, digits: '01234567890' });
	});
});

describe('invalid CPFs say exactly what is wrong, masked', () => {
	test.each([
		['111.444.777-3', 'has 10 digits, needs 11', '***.444.777-**'],
		['111.444.777-355', 'has 12 digits, needs 11', '***.444.777-**'],
		['1', 'has 1 digit, needs 11', '***'],
		['111.444.777-36', 'check digits do not match', '***.444.777-**'],
		['111.444.777-53', 'check digits do not match', '***.444.777-**'],
		['123.456.789-90', 'check digits do not match', '***.456.789-**'],
		['000.000.000-00', 'all digits are the same', '***.000.000-**'],
		['99999999999', 'all digits are the same', '***.999.999-**'],
		['111.444.ABC-35', 'contains letters', '***'],
		['CPF 11144477735', 'contains letters', '***.444.777-**'],
		['111.444.777-35#', 'contains characters other than digits, dots and a dash', '***.444.777-**'],
		['', 'is empty', '***'],
		['   ', 'is empty', '***'],
	])('%j → %s', (input, problem, masked) => {
		expect(checkCpf(input)).toEqual({ valid: false, problem, masked });
	});

	test('missing and odd types', () => {
		expect(checkCpf(undefined)).toMatchObject({ valid: false, problem: 'is empty' });
		expect(checkCpf(null)).toMatchObject({ valid: false, problem: 'is empty' });
		expect(checkCpf({ cpf: '11144477735' })).toMatchObject({ valid: false, problem: 'is an object, not text: map the CPF field itself' });
		expect(checkCpf(1.5)).toMatchObject({ valid: false });
	});

	test('every one of the ten all-same-digit strings is refused (several pass the check-digit rule)', () => {
		for (let d = 0; d <= 9; d++) expect(checkCpf(String(d).repeat(11))).toMatchObject({ valid: false, problem: 'all digits are the same' });
	});

	test('every wrong check-digit pair of a valid CPF is refused', () => {
		let refused = 0;
		for (let dv = 0; dv < 100; dv++) {
			const pair = String(dv).padStart(2, '0');
			const result = checkCpf(`111444777${pair}`);
			if (pair === '35') expect(result.valid).toBe(true);
			else {
				expect(result).toMatchObject({ valid: false, problem: 'check digits do not match' });
				refused++;
			}
		}
		expect(refused).toBe(99);
	});

	test('the mask shows only the middle six digits', () => {
		expect(maskDigits('11144477735')).toBe('***.444.777-**');
		expect(maskDigits('11144477735')).not.toMatch(/111|35$/);
	});
});

test('environments map to Claro hosts; a base-URL override wins', () => {
	expect(claroOrigin({ environment: 'production' })).toBe('https://api.claro.com.br');
	expect(claroOrigin({ environment: 'sandbox' })).toBe('https://api-sandbox.claro.com.br');
	expect(claroOrigin({ environment: 'test' })).toBe('https://api-test.claro.com.br');
	expect(claroOrigin({ environment: 'dev' })).toBe('https://api-dev.claro.com.br');
	expect(claroOrigin({ environment: 'lab' })).toBe('https://api-lab.claro.com.br');
	expect(claroOrigin({ environment: 'lab', baseUrl: 'https://proxy.example.com/claro/' })).toBe('https://proxy.example.com/claro');
});
