import { redact, redactDeep, withoutCardData } from '../../nodes/transport';

/** Mastercard's and Visa's published test numbers (Luhn-valid), and the same digits with the last one changed. */
const MASTERCARD = '5555555555554444';
const VISA_19 = '4111111111111111110';
const AMEX = '378282246310005';
const NOT_LUHN = '5555555555554445';

describe('redact: card numbers and CVVs in any text', () => {
	test.each([
		['plain', `card ${MASTERCARD} declined`, 'card [card ending 4444] declined'],
		['spaces', 'card 5555 5555 5555 4444.', 'card [card ending 4444].'],
		['dashes', 'pan=5555-5555-5555-4444&x=1', 'pan=[card ending 4444]&x=1'],
		['Amex, 4-6-5', 'amex 3782 822463 10005', 'amex [card ending 0005]'],
		['13 digits', 'old visa 4222222222222', 'old visa [card ending 2222]'],
		['19 digits', `visa ${VISA_19}`, 'visa [card ending 1110]'],
		['in JSON', `{"number":"${MASTERCARD}"}`, '{"number":"[card ending 4444]"}'],
		['after other digits', `ref 12 5555 5555 5555 4444`, 'ref [card ending 4444]'],
	])('%s', (_name, text, masked) => {
		expect(redact(text)).toBe(masked);
	});

	test('digit runs that fail Luhn stay as they are: ids, references, amounts, dates', () => {
		for (const text of [`deployment ${NOT_LUHN}`, 'ids 1234567812345678 and 100001', 'amount 1234567.89', 'from 2026-02-01 to 2026-02-28', `twenty digits ${MASTERCARD}1234`]) {
			expect(redact(text)).toBe(text);
		}
	});

	test.each([
		['"cvv":"123"', '"cvv":"[redacted]"'],
		['"cvv": 123', '"cvv": [redacted]'],
		['{"CVC2":"4567"}', '{"CVC2":"[redacted]"}'],
		["'securityCode': '987'", "'securityCode': '[redacted]'"],
		['cvv=123&amount=10', 'cvv=[redacted]&amount=10'],
		['card_cvv=456', 'card_cvv=[redacted]'],
		['Security code: 321', 'Security code: [redacted]'],
		['cardSecurityCode: 0321', 'cardSecurityCode: [redacted]'],
	])('CVV field %s', (text, masked) => {
		expect(redact(text)).toBe(masked);
	});

	test('error bodies: a CVV field and a card number sent as a JSON number are masked too', () => {
		expect(redactDeep({ cardDetails: { number: Number(MASTERCARD), cvv: '123', expiryMonth: 12 }, deploymentId: 100001 })).toEqual({
			cardDetails: { number: '**** 4444', cvv: '[redacted]', expiryMonth: 12 },
			deploymentId: 100001,
		});
	});

	test('CPFs are still masked next to a card', () => {
		expect(redact(`cpf 111.444.777-35 card ${MASTERCARD}`)).toBe('cpf ***.444.777-** card [card ending 4444]');
	});
});

describe('withoutCardData: what an answer keeps for the output', () => {
	const answer = {
		deploymentId: 100123,
		status: 'Deployed',
		consumerReference: 'BOOKING-1',
		supplierReference: MASTERCARD,
		cardDetails: { number: MASTERCARD, cvv: '123', expiryMonth: 12, expiryYear: 2029 },
		travellers: [{ note: `paid with ${AMEX}`, securityCode: 999 }],
	};

	test('the number to its last four, no CVV; expiry, ids, status and references as they were', () => {
		expect(withoutCardData(answer)).toEqual({
			deploymentId: 100123,
			status: 'Deployed',
			consumerReference: 'BOOKING-1',
			// A reference is the user's own: kept even when it happens to pass Luhn.
			supplierReference: MASTERCARD,
			cardDetails: { number: '**** 4444', expiryMonth: 12, expiryYear: 2029 },
			travellers: [{ note: 'paid with [card ending 0005]' }],
		});
	});

	test('a card under a name it does not know, alone in a field, keeps the output form', () => {
		expect(withoutCardData({ virtualCard: { primaryAccountNumber: AMEX, token: `${MASTERCARD}` } })).toEqual({ virtualCard: { primaryAccountNumber: '**** 0005', token: '**** 4444' } });
	});

	test('a number field that is not a card (a page number, a short code) stays', () => {
		expect(withoutCardData({ number: 3, card: { number: '1234' } })).toEqual({ number: 3, card: { number: '1234' } });
	});
});
