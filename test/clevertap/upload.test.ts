/**
 * Mapping CleverTap's `unprocessed` entries back to the records of a batch, for the shapes the emulator does not
 * produce: an entry with an index, an echo CleverTap normalised, an entry that names no record.
 */
import { attributeRejections, uploadCode } from '../../nodes/CleverTap/transport/upload';

const batch = [
	{ type: 'profile', identity: 'a', profileData: { x: 1 } },
	{ type: 'event', identity: 'b', evtName: 'Charged', evtData: { Amount: 5 }, ts: 1767225600 },
	{ type: 'event', identity: 'b', evtName: 'Charged', evtData: { Amount: 5 }, ts: 1767225600 },
	{ type: 'profile', objectId: '__c', profileData: {} },
];

test('an exact echo, in any key order; identical records are taken in order', () => {
	const echo = { ts: 1767225600, evtData: { Amount: 5 }, evtName: 'Charged', identity: 'b', type: 'event' };
	const { rejected, unmatched } = attributeRejections(batch, [
		{ status: 'fail', code: 513, error: 'Invalid identity', record: echo },
		{ status: 'fail', code: 513, error: 'Invalid identity', record: echo },
	]);
	expect([...rejected.entries()]).toEqual([
		[1, { code: 513, error: 'Invalid identity' }],
		[2, { code: 513, error: 'Invalid identity' }],
	]);
	expect(unmatched).toEqual([]);
});

test('an index wins when an entry has one; an out-of-range or taken index falls back to the echo', () => {
	const { rejected } = attributeRejections(batch, [
		{ code: 1, error: 'one', index: 3 },
		{ code: 2, error: 'two', index: 3, record: batch[0] },
		{ code: 3, error: 'three', index: 99, record: batch[1] },
	]);
	expect([...rejected.keys()].sort()).toEqual([0, 1, 3]);
	expect(rejected.get(3)?.error).toBe('one');
	expect(rejected.get(0)?.error).toBe('two');
});

test('an echo CleverTap normalised is matched by type, identity/objectId and event name', () => {
	const { rejected } = attributeRejections(batch, [
		{ code: 514, error: 'bad data', record: { type: 'profile', objectId: '__c', profileData: { added: true } } },
		{ code: 515, error: 'bad event', record: { type: 'event', identity: 'b', evtName: 'Charged', ts: '1767225600' } },
	]);
	expect([...rejected.entries()].map(([i, r]) => [i, r.error])).toEqual([
		[3, 'bad data'],
		[1, 'bad event'],
	]);
});

test('an entry that names no record, or one that is not in the batch, is kept apart, never dropped', () => {
	const { rejected, unmatched } = attributeRejections(batch, [{ status: 'fail', code: 500, error: 'Internal' }, { error: '', record: { type: 'profile', identity: 'zzz' } }, null]);
	expect(rejected.size).toBe(0);
	expect(unmatched).toEqual([
		{ code: 500, error: 'Internal' },
		{ code: undefined, error: 'refused without a reason' },
		{ code: undefined, error: 'refused without a reason' },
	]);
});

test('every documented per-record code has a meaning and a fix; an undocumented one has none (the message then quotes CleverTap only)', () => {
	for (const code of [509, 512, 513, 514, 515, 516, 517, 518, 519, 520, 522, 523, 524, 525, 526, 528, 555]) {
		expect([code, uploadCode(code)]).toEqual([code, { meaning: expect.any(String), fix: expect.any(String) }]);
	}
	expect(uploadCode('515')?.meaning).toBe('email invalid');
	expect(uploadCode(511)).toBeUndefined();
	expect(uploadCode(undefined)).toBeUndefined();
});
