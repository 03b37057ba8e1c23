/**
 * The Clara node's writes (cards, users, groups) inside n8n's engine, against the sandbox over real mTLS: what each
 * operation sends and outputs, Clara's documented refusals, input refused before anything is sent, and what a
 * state-changing call does when its answer is lost (sent once; the error says it may have taken effect and how to
 * check) — see sandbox/contracts/clara.md "## Writes".
 */
import type { IDataObject } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { ALL_GRANTS, defaultWriteQuirks } from '../../sandbox/clara-writes';
import { claraCredentials } from '../../sandbox/credentials';
import { runNode } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'clara'>;
const leaks = new Leaks();
const node = new Clara();
const clara = () => sandbox.clara;

async function run(parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean; creds?: IDataObject } = {}) {
	const creds = options.creds ?? claraCredentials(sandbox, { environment: 'production' });
	leaks.watch(creds.clientSecret, creds.privateKey);
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new ClaraApi()],
		parameters,
		credentials: { claraApi: creds },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	leaks.collect(result);
	return result;
}

const json = (res: { items: Array<{ json: IDataObject }> }) => res.items.map((i) => i.json);
/** Requests that reached the emulator with this method on a path containing `fragment`. */
const sent = (method: string, fragment: string) => clara().requestLog.filter((r) => r.method === method && r.url.includes(fragment)).length;
const until = async (check: () => boolean, ms = 5_000) => {
	for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
};
const activeUser = (n = 0) => clara().data.users.filter((u) => u.status === 'ACTIVE')[n] as IDataObject;
const lockedUser = () => clara().data.users.find((u) => u.status === 'LOCKED') as IDataObject;
const liveCard = (n = 0) => clara().data.cards.filter((c) => c.status === 'ACTIVE')[n] as IDataObject;

const createCard = (extra: IDataObject = {}): IDataObject => ({
	resource: 'card',
	operation: 'create',
	userUuid: activeUser().uuid,
	alias: 'Travel card',
	cardType: 'virtual',
	threshold: 1500,
	periodicity: 'monthly',
	options: {},
	...extra,
});

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	clara().resetCounters();
	clara().faults.clear();
	clara().asyncWrites = false;
	Object.assign(clara().writeQuirks, defaultWriteQuirks());
	for (const g of ALL_GRANTS) clara().grants.add(g);
});

/** The next GET under `path` is answered 200 with `body`: a hostile or unexpected answer from Clara. */
const answerGet = (path: string, body: unknown) => clara().faults.fail(1, 200, { pathPrefix: `/mx/api${path}`, method: 'GET', body });
const page = (content: IDataObject[]) => ({ content, totalElements: content.length, totalPages: 1, size: 100, number: 0, last: true });

describe('Card → Create', () => {
	test('sends Clara\'s documented codes and outputs the card Clara made', async () => {
		const before = clara().data.cards.length;
		const res = await run(createCard({ alias: 'Onboarding – Ana' }));
		expect(res.error).toBeUndefined();
		const [card] = json(res);
		expect(card).toMatchObject({ uuid: expect.any(String), alias: 'Onboarding – Ana', type: 'MASTER_VIRTUAL', periodicity: 'MONTHLY', threshold: 1500, status: 'ACTIVE', lockCode: 'UNLOCKED' });
		expect((card.user as IDataObject).uuid).toBe(activeUser().uuid);
		expect(res.items[0].pairedItem).toEqual({ item: 0 });
		expect(clara().data.cards).toHaveLength(before + 1);
		expect(sent('POST', '/api/v3/cards')).toBe(1);

		const physical = await run(createCard({ alias: 'Plastic', cardType: 'physical', periodicity: 'daily', threshold: '2500.50' }));
		expect(json(physical)[0]).toMatchObject({ type: 'MASTER_PHYSICAL', periodicity: 'DAILY', threshold: 2500.5 });
	});

	test('Reuse Card with Same Alias: a re-run and two items of one run create one card', async () => {
		const reuse = createCard({ alias: '={{ $json.alias }}', options: { reuseExisting: true } });
		const first = await run(reuse, { items: [{ alias: 'Reuse me' }, { alias: 'Reuse me' }] });
		expect(first.error).toBeUndefined();
		expect(json(first).map((c) => c.alreadyExisted ?? false)).toEqual([false, true]);
		expect(json(first)[0].uuid).toBe(json(first)[1].uuid);
		const again = await run(reuse, { items: [{ alias: 'Reuse me' }] });
		expect(json(again)[0]).toMatchObject({ uuid: json(first)[0].uuid, alreadyExisted: true });
		expect(sent('POST', '/api/v3/cards')).toBe(1);
		expect(clara().data.cards.filter((c) => c.alias === 'Reuse me')).toHaveLength(1);
	});

	test("Reuse: a card of another user with the same alias is not this user's card; a new one is created", async () => {
		const other = activeUser(1);
		// As if Clara ignored the userUuid filter: the answer holds another user's card with the alias.
		answerGet('/v3/cards', page([{ uuid: 'c-other', alias: 'Shared alias', status: 'ACTIVE', user: { uuid: other.uuid } }]));
		const res = await run(createCard({ alias: 'Shared alias', options: { reuseExisting: true } }));
		expect(res.error).toBeUndefined();
		const [card] = json(res);
		expect(card.alreadyExisted).toBeUndefined();
		expect(card.uuid).not.toBe('c-other');
		expect((card.user as IDataObject).uuid).toBe(activeUser().uuid);
		expect(sent('POST', '/api/v3/cards')).toBe(1);
	});

	test.each([
		['an answer that is not a list', { unexpected: true }, /Clara answered a list request with an object with key unexpected/],
		['a same-alias card whose owner is not shown', page([{ uuid: 'c-x', alias: 'Guarded', status: 'ACTIVE' }]), /without saying whose it is/],
	])('Reuse fails closed on %s: an error, nothing created', async (_name, body, reason) => {
		answerGet('/v3/cards', body);
		const res = await run(createCard({ alias: 'Guarded', options: { reuseExisting: true } }), { continueOnFail: true });
		const [out] = json(res);
		expect(out.error).toMatch(/^Could not tell whether a card with this alias for this user already exists, so the Create Card was not sent: /);
		expect(out.error).toMatch(reason);
		expect(out.error).not.toMatch(/may have taken effect/);
		expect(out.description).toMatch(/Nothing was created/);
		expect(sent('POST', '/api/v3/cards')).toBe(0);
	});

	test('Timeout and Reuse from an expression are checked before anything is sent, naming the field; 0 is not "no limit"', async () => {
		const items = [{ t: -1 }, { t: 0 }, { t: 'soon' }, { t: 301 }, { t: 30, reuse: 'false' }];
		const res = await run(createCard({ options: { timeout: '={{ $json.t }}', reuseExisting: '={{ $json.reuse ?? false }}' } }), { items, continueOnFail: true });
		const errors = json(res).map((j) => String(j.error));
		expect(errors.slice(0, 4)).toEqual([
			'Timeout (Seconds) must be a number of seconds from 1 to 300, not "-1", so nothing was sent',
			'Timeout (Seconds) must be a number of seconds from 1 to 300, not "0", so nothing was sent',
			'Timeout (Seconds) must be a number of seconds from 1 to 300, not "soon", so nothing was sent',
			'Timeout (Seconds) must be a number of seconds from 1 to 300, not "301", so nothing was sent',
		]);
		expect(json(res)[1].description).toMatch(/0 does not mean "no limit"/);
		expect(errors[4]).toMatch(/The Reuse option must be true or false, not "false", so nothing was sent/);
		expect(errors.join('\n')).not.toMatch(/may have taken effect/);
		expect(clara().counters.requests).toBe(0);

		for (const operation of ['lock', 'setThreshold', 'cancel']) {
			const one = await run({ resource: 'card', operation, uuid: liveCard().uuid, threshold: 1000, options: { timeout: '={{ -1 }}' } }, { continueOnFail: true });
			expect(json(one)[0].error).toMatch(/^Timeout \(Seconds\) must be a number of seconds from 1 to 300/);
		}
		const many = await run({ ...createCard({ operation: 'createMany' }), options: { timeout: 0 } }, { items: [{}, {}], continueOnFail: true });
		expect(json(many).map((j) => String(j.error))).toEqual([expect.stringMatching(/^Timeout \(Seconds\)/), expect.stringMatching(/^Timeout \(Seconds\)/)]);
		expect(clara().counters.requests).toBe(0);
	});

	test('bad input is refused before anything is sent, one error per item, naming the field', async () => {
		const items = [
			{ userUuid: activeUser().uuid, alias: 'ok-ish', threshold: 499 },
			{ userUuid: activeUser().uuid, alias: 'x', threshold: 0 },
			{ userUuid: activeUser().uuid, alias: 'x', threshold: -50 },
			{ userUuid: activeUser().uuid, alias: 'x', threshold: '1.500,00' },
			{ userUuid: activeUser().uuid, alias: 'x', threshold: 1500.555 },
			{ userUuid: '', alias: 'x', threshold: 1500 },
			{ userUuid: '../groups', alias: 'x', threshold: 1500 },
			{ userUuid: activeUser().uuid, alias: '   ', threshold: 1500 },
			{ userUuid: activeUser().uuid, alias: { nested: true }, threshold: 1500 },
		];
		const res = await run(createCard({ userUuid: '={{ $json.userUuid }}', alias: '={{ $json.alias }}', threshold: '={{ $json.threshold }}' }), { items, continueOnFail: true });
		expect(res.error).toBeUndefined();
		expect(res.items.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const errors = json(res).map((j) => String(j.error));
		expect(errors[0]).toMatch(/Threshold 499 is below Clara's minimum of MXN 500/);
		expect(errors[1]).toMatch(/Threshold must be an amount greater than 0/);
		expect(errors[2]).toMatch(/Threshold must be an amount greater than 0/);
		expect(errors[3]).toMatch(/Threshold must be an amount greater than 0, not "1.500,00"/);
		expect(errors[4]).toMatch(/Threshold "?1500.555"? has more decimals than MXN has \(2\)/);
		expect(errors[5]).toMatch(/User UUID is empty/);
		expect(errors[6]).toMatch(/User UUID "..\/groups" is not a single id/);
		expect(errors[7]).toMatch(/Alias is empty/);
		expect(errors[8]).toMatch(/Alias must be text/);
		expect(clara().counters.requests).toBe(0);
	});

	test('a credential with an http:// Base URL Override: every item fails naming the field, nothing is sent', async () => {
		const creds = claraCredentials(sandbox, { baseUrl: 'http://127.0.0.1:9/{country}' });
		const res = await run(createCard(), { creds, items: [{}, {}], continueOnFail: true });
		expect(json(res).map((j) => String(j.error))).toEqual([expect.stringMatching(/Base URL Override .* is not an https:\/\/ address/), expect.stringMatching(/Base URL Override/)]);
		expect(clara().counters.requests).toBe(0);
	});

	test('the country decides the minimum: BRL 50 in Brazil', async () => {
		const br = await startSandbox({ services: ['clara'], clara: { country: 'br' } });
		try {
			const creds = claraCredentials(br, { country: 'br' });
			const brUser = br.clara.data.users.find((u) => u.status === 'ACTIVE')!.uuid;
			const low = await run(createCard({ userUuid: brUser, threshold: 49.99 }), { creds, continueOnFail: true });
			expect(json(low)[0].error).toMatch(/below Clara's minimum of BRL 50/);
			expect(br.clara.counters.requests).toBe(0);
			const ok = await run(createCard({ userUuid: brUser, threshold: 50 }), { creds });
			expect(json(ok)[0].threshold).toBe(50);
		} finally {
			await br.close();
		}
	});

	test("Clara's refusals are said in words: inactive user, unknown user, over the credit line, no Write cards permission, a 400 with details", async () => {
		const one = async (params: IDataObject) => json(await run(createCard(params), { continueOnFail: true }))[0];
		expect((await one({ userUuid: lockedUser().uuid })).error).toMatch(/Clara refused the Create Card \(HTTP 422 USER_NOT_ACTIVE\): The user must be active/);
		expect((await one({ userUuid: '00000000-0000-4000-a000-000000000000' })).error).toMatch(/found nothing with that uuid \(HTTP 404\), so the Create Card did nothing/);
		expect((await one({ threshold: 5_000_000 })).error).toMatch(/HTTP 422 THRESHOLD_EXCEEDS_CREDIT_LINE/);
		clara().grants.delete('cards');
		const forbidden = await one({});
		expect(forbidden.error).toMatch(/Clara refused the Create Card \(HTTP 403\): the API project lacks the Write cards permission/);
		expect(forbidden.description).toMatch(/Ask your Clara account owner to grant the API project "Write cards"/);
		clara().grants.add('cards');
		clara().faults.fail(1, 400, { pathPrefix: '/mx/api/v3/cards', body: { code: 'VALIDATION_ERROR', message: 'Invalid request body', timestamp: new Date().toISOString(), details: ['alias: size must be between 1 and 30'] } });
		expect((await one({})).error).toMatch(/Clara rejected the Create Card \(HTTP 400\): Invalid request body \(alias: size must be between 1 and 30\)/);
	});

	test.each([
		['a 500', () => clara().faults.fail(1, 500, { pathPrefix: '/mx/api/v3/cards' }), /HTTP 500/],
		['a gateway 504', () => clara().faults.fail(1, 504, { pathPrefix: '/mx/api/v3/cards' }), /HTTP 504/],
		['a dropped connection', () => clara().faults.reset(1, '/mx/api/v3/cards'), /connection was (dropped|closed)/],
		['an unreadable body', () => clara().faults.malformed(1, '/mx/api/v3/cards'), /not valid JSON/],
	])('no clear answer (%s): sent once, "may have taken effect", and how to check', async (_name, fault, what) => {
		await run({ resource: 'card', operation: 'get', uuid: liveCard().uuid }); // a token first: the fault is for the create
		clara().resetCounters();
		fault();
		const res = await run(createCard({ alias: `Ambiguous ${String(what)}` }), { continueOnFail: true });
		const [out] = json(res);
		expect(out.error).toMatch(/^Clara gave no clear answer to the Create Card \(/);
		expect(out.error).toMatch(what);
		expect(out.error).toMatch(/It was sent once and not again, so it may have taken effect/);
		expect(out.description).toMatch(/Card → Get Many with Filters → User UUID/);
		expect(out.description).toMatch(/Reuse Card with Same Alias/);
		expect(out.error).not.toMatch(/try again later/i);
		expect(sent('POST', '/api/v3/cards')).toBe(1);
	});

	test('a timeout after sending: not sent again; the card Clara made is found by the reuse option afterwards', async () => {
		clara().faults.latencyMs = 2_500;
		clara().faults.latencyPathPrefix = '/mx/api/v3/cards';
		const slow = createCard({ alias: 'Slow card', options: { timeout: 1 } });
		const res = await run(slow, { continueOnFail: true });
		expect(json(res)[0].error).toMatch(/no clear answer to the Create Card \(The server timed out while waiting for an answer.*may have taken effect/);
		await until(() => clara().data.cards.some((c) => c.alias === 'Slow card'));
		expect(sent('POST', '/api/v3/cards')).toBe(1);
		clara().faults.clear();
		const retry = await run(createCard({ alias: 'Slow card', options: { reuseExisting: true } }));
		expect(json(retry)[0].alreadyExisted).toBe(true);
		expect(clara().data.cards.filter((c) => c.alias === 'Slow card')).toHaveLength(1);
	});

	test('resent only when Clara certainly did not act: a 429, and a 401 before a new token', async () => {
		clara().faults.fail(1, 429, { pathPrefix: '/mx/api/v3/cards', retryAfterSec: 0 });
		const limited = await run(createCard({ alias: 'After 429' }));
		expect(limited.error).toBeUndefined();
		expect(sent('POST', '/api/v3/cards')).toBe(2);
		expect(clara().data.cards.filter((c) => c.alias === 'After 429')).toHaveLength(1);

		clara().resetCounters();
		clara().revokeTokens();
		const renewed = await run(createCard({ alias: 'After 401' }));
		expect(renewed.error).toBeUndefined();
		expect(clara().counters.tokenRequests).toBe(1);
		expect(clara().data.cards.filter((c) => c.alias === 'After 401')).toHaveLength(1);
	});

	test('when Clara works asynchronously (over 30 s), the output says the card is still being created', async () => {
		clara().asyncWrites = true;
		const res = await run(createCard({ alias: 'Async card' }));
		expect(res.error).toBeUndefined();
		expect(json(res)[0]).toMatchObject({ status: 'IN_PROGRESS', pending: true, note: expect.stringMatching(/Get Many/) });
		expect(json(res)[0].uuid).toBeUndefined();
	});
});

describe('Card → Create Many', () => {
	const many = (extra: IDataObject = {}) => ({
		...createCard({ operation: 'createMany', userUuid: '={{ $json.user }}', alias: '={{ $json.alias }}', threshold: '={{ $json.threshold }}' }),
		...extra,
	});
	const items = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ user: activeUser(i % 3).uuid, alias: `${prefix} ${i}`, threshold: 1000 + i }));

	test('all items in one bulk-create call; when Clara lists the cards, each item gets its own, paired and confirmed', async () => {
		clara().writeQuirks.bulkAnswer = 'list';
		const res = await run(many(), { items: items(3, 'Bulk') });
		expect(res.error).toBeUndefined();
		expect(json(res).map((c) => c.alias)).toEqual(['Bulk 0', 'Bulk 1', 'Bulk 2']);
		expect(json(res).every((c) => typeof c.uuid === 'string' && c.confirmed === true)).toBe(true);
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sent('POST', '/api/v3/cards/bulk-create')).toBe(1);
	});

	test('250 items: three calls (100 a call)', async () => {
		const res = await run(many(), { items: items(250, 'Lots') });
		expect(res.items).toHaveLength(250);
		expect(sent('POST', '/api/v3/cards/bulk-create')).toBe(3);
	});

	test('a bad item: with continueOnFail only it fails and the rest go in one call; without, nothing is sent', async () => {
		clara().writeQuirks.bulkAnswer = 'list';
		const mixed = [...items(2, 'Mixed'), { user: activeUser().uuid, alias: 'Too low', threshold: 10 }];
		const res = await run(many(), { items: mixed, continueOnFail: true });
		expect(json(res)[2].error).toMatch(/Threshold 10 is below Clara's minimum/);
		expect(json(res).slice(0, 2).map((c) => c.alias)).toEqual(['Mixed 0', 'Mixed 1']);
		expect(sent('POST', '/api/v3/cards/bulk-create')).toBe(1);

		clara().resetCounters();
		const strict = await run(many(), { items: mixed });
		expect(strict.error?.message).toMatch(/Threshold 10 is below/);
		expect(clara().counters.requests).toBe(0);
	});

	test("Clara's documented 204: every item says accepted, not yet confirmed, and how to check; none says it was created", async () => {
		const accepted = await run(many(), { items: items(2, 'Later') });
		expect(accepted.error).toBeUndefined();
		for (const [k, item] of json(accepted).entries()) {
			expect(item).toMatchObject({ alias: `Later ${k}`, confirmed: false, note: expect.stringMatching(/accepted this card but has not confirmed it.*Card → Get Many \(Filters → User UUID\).*alias/) });
			expect(item.requested).toBeUndefined();
			expect(item.uuid).toBeUndefined();
		}
		expect(sent('POST', '/api/v3/cards/bulk-create')).toBe(1);
	});

	test('a list answer that lacks some requested cards: those items say they are unconfirmed, the listed ones are matched by user and alias', async () => {
		clara().writeQuirks.bulkAnswer = 'partial';
		const res = await run(many(), { items: items(3, 'Partial') });
		expect(res.error).toBeUndefined();
		const out = json(res);
		expect(out.slice(0, 2)).toEqual([expect.objectContaining({ alias: 'Partial 0', uuid: expect.any(String), confirmed: true }), expect.objectContaining({ alias: 'Partial 1', uuid: expect.any(String), confirmed: true })]);
		expect(out[2]).toMatchObject({ alias: 'Partial 2', confirmed: false, note: expect.stringMatching(/listed cards of this request but not this one.*Card → Get Many/) });
		expect(out[2].requested).toBeUndefined();
	});

	test('no clear answer: every item of the call says so, sent once', async () => {
		clara().faults.fail(1, 502, { pathPrefix: '/mx/api/v3/cards/bulk-create' });
		const lost = await run(many(), { items: items(2, 'Lost'), continueOnFail: true });
		for (const item of json(lost)) {
			expect(item.error).toMatch(/no clear answer to the Create Many Cards \(HTTP 502.*may have taken effect/);
			expect(item.description).toMatch(/Card → Get Many with Filters → User UUID/);
		}
		expect(sent('POST', '/api/v3/cards/bulk-create')).toBe(1);
	});
});

describe('Card → Lock, Unlock, Set Threshold, Cancel', () => {
	test('Lock and Unlock send a bare boolean, read the card back and output what Clara shows; repeating is harmless', async () => {
		const card = liveCard(1);
		const locked = await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} });
		expect(json(locked)[0]).toMatchObject({ uuid: card.uuid, locked: true, lockCode: 'LOCKED', status: 'ACTIVE', alias: card.alias });
		expect(card.lockCode).toBe('LOCKED');
		await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} });
		expect(card.lockCode).toBe('LOCKED');
		const unlocked = await run({ resource: 'card', operation: 'unlock', uuid: card.uuid, options: {} });
		expect(json(unlocked)[0]).toMatchObject({ locked: false, lockCode: 'UNLOCKED' });
		expect(card.lockCode).toBe('UNLOCKED');
		expect(sent('PATCH', '/lock')).toBe(3);
		expect(sent('GET', `/api/v3/cards/${String(card.uuid)}`)).toBe(3);
	});

	test('if Clara reads the lock flag the other way round, Lock is an error saying the card is NOT locked, that it was sent, and what to do', async () => {
		clara().writeQuirks.invertLock = true;
		const card = liveCard(6);
		const res = await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} }, { continueOnFail: true });
		const [out] = json(res);
		expect(out.error).toMatch(/the Lock Card was sent and Clara answered HTTP 200, but the card now shows lockCode "UNLOCKED" \(status ACTIVE, claraStatus ACTIVE\): it is NOT locked/);
		expect(out.description).toMatch(/The request WAS sent/);
		expect(out.description).toMatch(/lock it in Clara's web app now/);
		expect(out.locked).toBeUndefined();
		expect(sent('PATCH', '/lock')).toBe(1);

		card.lockCode = 'LOCKED';
		const unlock = await run({ resource: 'card', operation: 'unlock', uuid: card.uuid, options: {} }, { continueOnFail: true });
		expect(json(unlock)[0].error).toMatch(/the Unlock Card was sent .* lockCode "LOCKED" .*: it is still locked/);
	});

	test('a read-back that fails or shows no lockCode: the change is not confirmed, and the error says it was sent', async () => {
		const card = liveCard(7);
		clara().faults.fail(3, 404, { pathPrefix: `/mx/api/v3/cards/${String(card.uuid)}`, method: 'GET' });
		const failed = await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} }, { continueOnFail: true });
		expect(json(failed)[0].error).toMatch(/the Lock Card was sent and Clara answered HTTP 200, but reading the card back failed \(.*HTTP 404.*\), so the change is not confirmed/);
		expect(card.lockCode).toBe('LOCKED');
		clara().faults.clear();
		answerGet(`/v3/cards/${String(card.uuid)}`, { uuid: card.uuid, status: 'ACTIVE' });
		const blind = await run({ resource: 'card', operation: 'unlock', uuid: card.uuid, options: {} }, { continueOnFail: true });
		expect(json(blind)[0].error).toMatch(/but the card now shows no lockCode/);
	});

	test('asynchronous answers (202): the read-back confirms the state Clara shows; a difference counts only after three reads', async () => {
		clara().asyncWrites = true;
		const card = liveCard(8);
		const res = await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} });
		expect(json(res)[0]).toMatchObject({ uuid: card.uuid, locked: true, lockCode: 'LOCKED' });
		expect(sent('GET', `/api/v3/cards/${String(card.uuid)}`)).toBe(1);

		// Still processing may look like "not yet": the card is read three times before the difference counts.
		clara().writeQuirks.invertLock = true;
		const other = liveCard(10);
		const wrong = await run({ resource: 'card', operation: 'lock', uuid: other.uuid, options: {} }, { continueOnFail: true });
		expect(json(wrong)[0].error).toMatch(/the Lock Card was sent and Clara answered HTTP 202, but the card now shows lockCode "UNLOCKED".*NOT locked/);
		expect(sent('GET', `/api/v3/cards/${String(other.uuid)}`)).toBe(3);
		expect(sent('PATCH', `/api/v3/cards/${String(other.uuid)}/lock`)).toBe(1);
	});

	test('Lock is sent once: a dropped connection or a 503 says it may have taken effect, and that locking again is harmless', async () => {
		for (const fault of ['reset', '503'] as const) {
			const card = liveCard(fault === 'reset' ? 2 : 4);
			const path = `/mx/api/v3/cards/${String(card.uuid)}/lock`;
			clara().resetCounters();
			if (fault === 'reset') clara().faults.reset(1, path);
			else clara().faults.fail(1, 503, { pathPrefix: path });
			const res = await run({ resource: 'card', operation: 'lock', uuid: card.uuid, options: {} }, { continueOnFail: true });
			expect(json(res)[0].error).toMatch(/no clear answer to the Lock Card .*may have taken effect/);
			expect(json(res)[0].description).toMatch(/locking it again is harmless/);
			expect(sent('PATCH', '/lock')).toBe(1);
		}
	});

	test('ids that are not one path segment are refused before sending', async () => {
		const items = [{ id: '' }, { id: '.' }, { id: '..' }, { id: 'a/b' }, { id: 'x?y=1' }, { id: '%2e%2e' }, { id: 'two words' }];
		for (const operation of ['lock', 'unlock', 'setThreshold', 'cancel']) {
			const res = await run({ resource: 'card', operation, uuid: '={{ $json.id }}', threshold: 1000, options: {} }, { items, continueOnFail: true });
			expect(json(res).map((j) => String(j.error))).toEqual([
				expect.stringMatching(/Card UUID is empty/),
				...items.slice(1).map(() => expect.stringMatching(/Card UUID ".*" is not a single id/)),
			]);
			expect(res.items.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		}
		expect(clara().counters.requests).toBe(0);
	});

	test('Set Threshold: checked locally (minimum, decimals), then Clara\'s credit line', async () => {
		const card = liveCard(3);
		const set = async (threshold: unknown) => json(await run({ resource: 'card', operation: 'setThreshold', uuid: card.uuid, threshold, options: {} }, { continueOnFail: true }))[0];
		expect(await set(7777)).toMatchObject({ uuid: card.uuid, threshold: 7777, status: 'ACTIVE', alias: card.alias });
		expect(card.threshold).toBe(7777);
		expect((await set(100)).error).toMatch(/Threshold 100 is below Clara's minimum of MXN 500/);
		expect((await set('')).error).toMatch(/Threshold is empty/);
		expect(sent('PATCH', '/threshold')).toBe(1);
		expect((await set(9_999_999)).error).toMatch(/Clara refused the Set Card Threshold \(HTTP 422 THRESHOLD_EXCEEDS_CREDIT_LINE\)/);
		expect(card.threshold).toBe(7777);
	});

	test('if Clara ignores the threshold field, Set Threshold is an error naming the threshold Clara shows; the request was sent once', async () => {
		clara().writeQuirks.ignoreThreshold = true;
		const card = liveCard(9);
		const before = card.threshold;
		const res = await run({ resource: 'card', operation: 'setThreshold', uuid: card.uuid, threshold: 4321, options: {} }, { continueOnFail: true });
		const [out] = json(res);
		expect(out.error).toMatch(new RegExp(`the Set Card Threshold was sent and Clara answered HTTP 200, but the card now shows threshold MXN ${String(before)}, not the MXN 4321 asked for`));
		expect(out.description).toMatch(/The request WAS sent.*Set the threshold in Clara's web app/);
		expect(out.threshold).toBeUndefined();
		expect(sent('PATCH', '/threshold')).toBe(1);
	});

	test('Cancel: the card is cancelled for good; cancelling again is Clara\'s 422; a lost answer is not resent', async () => {
		const card = liveCard(4);
		const res = await run({ resource: 'card', operation: 'cancel', uuid: card.uuid, options: {} });
		expect(json(res)[0]).toMatchObject({ uuid: card.uuid, cancelled: true, status: 'DELETED' });
		expect(card.status).toBe('CANCELLED');
		const again = await run({ resource: 'card', operation: 'cancel', uuid: card.uuid, options: {} }, { continueOnFail: true });
		expect(json(again)[0].error).toMatch(/Clara refused the Cancel Card \(HTTP 422 CARD_CANCELLED\)/);

		const other = liveCard(5);
		clara().resetCounters();
		clara().faults.fail(1, 500, { pathPrefix: `/mx/api/v3/cards/${String(other.uuid)}` });
		const lost = await run({ resource: 'card', operation: 'cancel', uuid: other.uuid, options: {} }, { continueOnFail: true });
		expect(json(lost)[0].error).toMatch(/no clear answer to the Cancel Card \(HTTP 500.*may have taken effect/);
		expect(json(lost)[0].description).toMatch(/status CANCELLED means it was cancelled/);
		expect(sent('DELETE', '/api/v3/cards/')).toBe(1);
	});

	test('the operations list says what cannot be undone, and the default operation is a read', () => {
		const operations = node.description.properties.filter((p) => p.name === 'operation');
		const byResource = Object.fromEntries(operations.map((p) => [p.displayOptions?.show?.resource?.[0], p]));
		for (const [resource, value] of [['card', 'cancel'], ['user', 'delete'], ['group', 'delete']]) {
			const option = (byResource[resource].options as Array<{ value: string; description: string }>).find((o) => o.value === value)!;
			expect(option.description).toMatch(/cannot be undone/);
			expect(byResource[resource].default).toBe('get');
		}
	});
});

describe('User → Create, Update, Delete', () => {
	const createUser = (extra: IDataObject = {}): IDataObject => ({ resource: 'user', operation: 'create', fullName: 'Bruna Souza', email: 'bruna@example.com', additionalFields: {}, options: {}, ...extra });

	test('Create sends v2\'s fields; the same email again is Clara\'s 409, explained; Reuse returns the one that exists', async () => {
		const res = await run(createUser({ additionalFields: { phoneNumber: '+52 1 55 1234 5678', jobTitle: 'Ops', department: 'Operations' } }));
		expect(res.error).toBeUndefined();
		expect(json(res)[0]).toMatchObject({ uuid: expect.any(String), email: 'bruna@example.com', fullName: 'Bruna Souza', phoneNumber: '+5215512345678', jobTitle: 'Ops' });
		const twice = await run(createUser(), { continueOnFail: true });
		expect(json(twice)[0].error).toMatch(/Clara refused the Create User \(HTTP 409\): A user with this email already exists/);
		expect(json(twice)[0].description).toMatch(/Reuse User with Same Email/);
		const reused = await run(createUser({ email: 'BRUNA@example.com', options: { reuseExisting: true } }));
		expect(json(reused)[0]).toMatchObject({ uuid: json(res)[0].uuid, alreadyExisted: true });
		expect(sent('POST', '/api/v2/users')).toBe(2);
	});

	test('Reuse User with Same Email fails closed: a look-up answer that cannot show the email creates nothing', async () => {
		answerGet('/v3/users', page([{ uuid: 'u-x', fullName: 'Someone' }]));
		const res = await run(createUser({ email: 'guarded@example.com', options: { reuseExisting: true } }), { continueOnFail: true });
		expect(json(res)[0].error).toMatch(/^Could not tell whether a user with this email already exists, so the Create User was not sent: .*without an email/);
		expect(sent('POST', '/api/v2/users')).toBe(0);
	});

	test('bad emails and phone numbers are refused before sending', async () => {
		const items = [{ email: 'not-an-email' }, { email: 'a@b' }, { email: 'two@x.com, three@x.com' }, { email: '' }, { email: 'ok@example.com', phone: '12ab' }];
		const res = await run(createUser({ email: '={{ $json.email }}', additionalFields: { phoneNumber: '={{ $json.phone }}' } }), { items, continueOnFail: true });
		expect(json(res).map((j) => String(j.error))).toEqual([
			expect.stringMatching(/Email "not-an-email" is not an email address/),
			expect.stringMatching(/Email "a@b" is not an email address/),
			expect.stringMatching(/Email "two@x.com, three@x.com" is not an email address/),
			expect.stringMatching(/Email is empty/),
			expect.stringMatching(/Phone Number "12ab" is not a phone number/),
		]);
		expect(clara().counters.requests).toBe(0);
	});

	test('Update sends only the fields given; nothing to change, or a role Clara lacks, is refused locally; an unknown location is Clara\'s 400', async () => {
		const user = activeUser(5);
		const update = async (updateFields: IDataObject, uuid = user.uuid) => json(await run({ resource: 'user', operation: 'update', uuid, updateFields, options: {} }, { continueOnFail: true }))[0];
		expect(await update({ role: 'MANAGER', jobTitle: 'Lead' })).toMatchObject({ uuid: user.uuid, role: 'MANAGER', jobTitle: 'Lead', email: user.email });
		expect(user.role).toBe('MANAGER');
		expect((await update({})).error).toMatch(/Update Fields is empty/);
		expect((await update({ role: 'ADMIN' })).error).toMatch(/Role "ADMIN" is not one of Clara's roles/);
		expect((await update({ email: 'nope' })).error).toMatch(/Email "nope" is not an email address/);
		expect((await update({ role: 'MANAGER' }, '..')).error).toMatch(/User UUID ".." is not a single id/);
		expect(sent('PATCH', '/api/v3/users/')).toBe(1);
		expect((await update({ locationUuid: 'no-such-location' })).error).toMatch(/Clara rejected the Update User \(HTTP 400\): Invalid request body \(locationUuid: no such location\)/);
	});

	test('Delete removes the user (Get then finds nothing); without Write users it is a 403 that says so', async () => {
		const user = activeUser(7);
		clara().grants.delete('users');
		const forbidden = await run({ resource: 'user', operation: 'delete', uuid: user.uuid, options: {} }, { continueOnFail: true });
		expect(json(forbidden)[0].error).toMatch(/Clara refused the Delete User \(HTTP 403\): the API project lacks the Write users permission/);
		clara().grants.add('users');
		const res = await run({ resource: 'user', operation: 'delete', uuid: user.uuid, options: {} });
		expect(json(res)[0]).toEqual({ uuid: user.uuid, deleted: true });
		const gone = await run({ resource: 'user', operation: 'get', uuid: user.uuid }, { continueOnFail: true });
		expect(json(gone)[0].error).toMatch(/HTTP 404/);

		clara().resetCounters();
		clara().faults.reset(1, '/mx/api/v3/users/');
		const lost = await run({ resource: 'user', operation: 'delete', uuid: activeUser(8).uuid, options: {} }, { continueOnFail: true });
		expect(json(lost)[0].error).toMatch(/no clear answer to the Delete User.*may have taken effect/);
		expect(json(lost)[0].description).toMatch(/404\) means the user was deleted/);
		expect(sent('DELETE', '/api/v3/users/')).toBe(1);
	});
});

describe('Group → Create, Update, Delete', () => {
	test('Create, Reuse by name (any case), Update, Delete', async () => {
		const made = await run({ resource: 'group', operation: 'create', name: 'Field Sales', description: 'Sales in the street', options: {} });
		const group = json(made)[0];
		expect(group).toMatchObject({ uuid: expect.any(String), name: 'Field Sales', description: 'Sales in the street', status: 'ACTIVE' });
		const reused = await run({ resource: 'group', operation: 'create', name: 'field sales ', options: { reuseExisting: true } });
		expect(json(reused)[0]).toMatchObject({ uuid: group.uuid, alreadyExisted: true });
		const renamed = await run({ resource: 'group', operation: 'update', uuid: group.uuid, updateFields: { name: 'Street Sales' }, options: {} });
		expect(json(renamed)[0]).toMatchObject({ uuid: group.uuid, name: 'Street Sales', description: 'Sales in the street' });
		const empty = await run({ resource: 'group', operation: 'update', uuid: group.uuid, updateFields: {}, options: {} }, { continueOnFail: true });
		expect(json(empty)[0].error).toMatch(/Update Fields is empty/);
		const deleted = await run({ resource: 'group', operation: 'delete', uuid: group.uuid, options: {} });
		expect(json(deleted)[0]).toEqual({ uuid: group.uuid, deleted: true });
		expect(clara().data.groups.some((g) => g.uuid === group.uuid)).toBe(false);
		const again = await run({ resource: 'group', operation: 'delete', uuid: group.uuid, options: {} }, { continueOnFail: true });
		expect(json(again)[0].error).toMatch(/found nothing with that uuid \(HTTP 404\), so the Delete Group did nothing/);
		expect(sent('POST', '/api/v2/groups')).toBe(1);
	});

	test('Reuse Group with Same Name fails closed: a list with an unnamed group, or one that cannot be read, creates nothing', async () => {
		for (const body of [[{ uuid: 'g-x', status: 'ACTIVE' }], { groups: 'nope' }]) {
			answerGet('/v2/groups', body);
			const res = await run({ resource: 'group', operation: 'create', name: 'Guarded group', options: { reuseExisting: true } }, { continueOnFail: true });
			expect(json(res)[0].error).toMatch(/^Could not tell whether a group with this name already exists, so the Create Group was not sent: /);
		}
		expect(sent('POST', '/api/v2/groups')).toBe(0);
	});

	test('Update reads the group and sends all of it, so a PUT cannot blank the description; PATCH refused with 405 goes as PUT', async () => {
		const group = json(await run({ resource: 'group', operation: 'create', name: 'Keep', description: 'Keep this text', options: {} }))[0];
		clara().writeQuirks.groupUpdate = 'PUT';
		clara().resetCounters();
		const res = await run({ resource: 'group', operation: 'update', uuid: group.uuid, updateFields: { name: 'Kept' }, options: {} });
		expect(res.error).toBeUndefined();
		expect(json(res)[0]).toMatchObject({ uuid: group.uuid, name: 'Kept', description: 'Keep this text' });
		expect(clara().data.groups.find((g) => g.uuid === group.uuid)).toMatchObject({ name: 'Kept', description: 'Keep this text' });
		expect(clara().requestLog.map((r) => r.method)).toEqual(['GET', 'PATCH', 'PUT']);
	});

	test('a group without a name is refused before sending; a lost Create is not resent', async () => {
		const blank = await run({ resource: 'group', operation: 'create', name: ' ', options: {} }, { continueOnFail: true });
		expect(json(blank)[0].error).toMatch(/Name is empty/);
		expect(clara().counters.requests).toBe(0);
		clara().faults.fail(1, 503, { pathPrefix: '/mx/api/v2/groups' });
		const lost = await run({ resource: 'group', operation: 'create', name: 'Lost group', options: {} }, { continueOnFail: true });
		expect(json(lost)[0].error).toMatch(/no clear answer to the Create Group \(HTTP 503.*may have taken effect/);
		expect(json(lost)[0].description).toMatch(/Reuse Group with Same Name/);
		expect(sent('POST', '/api/v2/groups')).toBe(1);
	});
});

test('no secret, token or private key appears in any output, error or log line of this file', () => {
	leaks.watch(...clara().issuedTokens());
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
