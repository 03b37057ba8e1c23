/** The leak grep the tests use (test/helpers/leaks.ts): what it finds, and what it lets through. */
import { Leaks, secretShapes } from '../helpers/leaks';

test.each([
	['a full card number, plain, spaced or dashed', 'card 4111111111111111 / 4111 1111 1111 1111 / 4111-1111-1111-1111', ['card number', 'card number', 'card number']],
	['a CVV field', '{"cvv":"123"} cvc2=4567 "securityCode": 999', ['CVV', 'CVV', 'CVV']],
	['a CVV field in JSON inside a log line\'s JSON (quotes escaped)', JSON.stringify({ message: JSON.stringify({ cardDetails: { cvv: '191' } }) }), ['CVV']],
	['a full CPF, with or without punctuation', 'cpf 111.444.777-35 and 11144477735', ['CPF', 'CPF']],
	['a bearer token and a JWT', 'authorization: Bearer abcdefgh12345 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', ['token', 'token']],
])('finds %s', (_name, text, kinds) => {
	expect(secretShapes(text).map((h) => h.kind)).toEqual(kinds);
});

test('a digit run that continues an id (a letter before it, as a uuid column then the next in SQLite) is no card; one after a quote, colon or space is', () => {
	expect(secretShapes('5e1c0a2b-4d1f-4c2e-9a7b-0c1d2e3fa4111111111111111')).toEqual([]);
	expect(secretShapes('"4111111111111111" number:4111111111111111').map((h) => h.kind)).toEqual(['card number', 'card number']);
});

test("a uuid whose first groups are digits, and CleverTap's YYYYMMDDHHMMSS timestamps, are no cards; a 2-series Mastercard is", () => {
	// Both pass Luhn: the first 15 digits of the uuid, and the timestamp.
	expect(secretShapes('"id":"33920571-1234-564a-9b7c-0c1d2e3f4a5b"')).toEqual([]);
	expect(secretShapes('{"count":3,"first_seen":20260114153006}')).toEqual([]);
	expect(secretShapes('"number":"2223000048400011"').map((h) => h.kind)).toEqual(['card number']);
});

test('a CPF-valid digit run inside a hex id is no CPF; one standing apart is', () => {
	expect(secretShapes('"1fb2c3ecf4c5aa6ad11144477735f"')).toEqual([]);
	expect(secretShapes('"cpf":"11144477735"').map((h) => h.kind)).toEqual(['CPF']);
});

test('lets through masked values, epoch milliseconds, invalid CPFs and non-Luhn ids', () => {
	expect(secretShapes('***.444.777-** ****1111 last4 1111 1765000000000 123.456.789-00 4111111111111112 Bearer [redacted] uuid 3f2a-1111')).toEqual([]);
});

test('with shapes on, a run that showed a card number fails; its own allowed values pass', () => {
	const leaks = new Leaks({ shapes: true, allow: ['4000000000000002'] });
	leaks.watch('a-secret-value');
	leaks.collect({ card: '4000000000000002' });
	expect(leaks.assertNone()).toBeGreaterThan(0);
	leaks.collect('error: card 5555555555554444 refused');
	expect(() => leaks.assertNone()).toThrow(/secret-shaped value\(s\) shown, e\.g\. a card number/);
});
