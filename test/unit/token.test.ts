import { MemoryTokenStore, TokenHelper, parseTokenResponse, tokenCacheKey, DEFAULT_LIFETIME_MS, type CachedToken } from '../../nodes/transport/token';

const jwt = (exp: number) =>
	['{"alg":"none"}', JSON.stringify({ exp })].map((s) => Buffer.from(s).toString('base64url')).join('.') + '.sig';

describe('parseTokenResponse', () => {
	const now = 1_000_000;
	it('reads expires_in as a number or a numeric string (Apigee)', () => {
		expect(parseTokenResponse({ access_token: 'a', expires_in: 60 }, now).expiresAt).toBe(now + 60_000);
		expect(parseTokenResponse({ access_token: 'a', expires_in: '3599' }, now).expiresAt).toBe(now + 3_599_000);
	});
	it("with Conferma's issued beside expires, starts the stated lifetime now, whatever the server clock says", () => {
		// The seed's own example: issued 10:56:45, expires 11:01:45, i.e. five minutes, years before `now`.
		const body = { access_token: 'a', expires: '2019-11-08T11:01:45.6475887+00:00', issued: '2019-11-08T10:56:45.6475887+00:00' };
		expect(parseTokenResponse(body, now).expiresAt).toBe(now + 300_000);
	});
	it('reads an ISO expires (Conferma) and a JWT exp (Clara/Auth0)', () => {
		expect(parseTokenResponse({ access_token: 'a', expires: '2019-11-08T11:01:45.6475887+00:00' }, now).expiresAt).toBe(
			Date.parse('2019-11-08T11:01:45.647+00:00'),
		);
		expect(parseTokenResponse({ access_token: jwt(5000) }, now).expiresAt).toBe(5_000_000);
	});
	it('falls back to a conservative default and refuses an answer without a token', () => {
		expect(parseTokenResponse({ access_token: 'opaque' }, now).expiresAt).toBe(now + DEFAULT_LIFETIME_MS);
		expect(() => parseTokenResponse({ token: 'x' }, now)).toThrow(/access_token/);
	});
});

describe('TokenHelper', () => {
	let clock = 0;
	let fetches = 0;
	const helper = () => new TokenHelper({ store: new MemoryTokenStore(), now: () => clock });
	const fetcher = async () => {
		fetches++;
		await new Promise((r) => setTimeout(r, 5));
		return { accessToken: `t${fetches}`, expiresAt: clock + 100_000, issuedAt: clock };
	};
	beforeEach(() => {
		clock = 0;
		fetches = 0;
	});

	it('shares one fetch among concurrent callers and reuses a valid token', async () => {
		const h = helper();
		const got = await Promise.all(Array.from({ length: 50 }, () => h.get('k', fetcher)));
		expect(new Set(got.map((t) => t.accessToken))).toEqual(new Set(['t1']));
		clock = 80_000;
		await h.get('k', fetcher);
		expect(fetches).toBe(1);
	});

	it('refreshes a margin (10% of lifetime, at most 60 s) before expiry', async () => {
		const h = helper();
		await h.get('k', fetcher);
		clock = 89_999;
		expect((await h.get('k', fetcher)).accessToken).toBe('t1');
		clock = 90_001;
		expect((await h.get('k', fetcher)).accessToken).toBe('t2');
	});

	it('replaces a rejected token only if it is still the cached one', async () => {
		const h = helper();
		const t1 = await h.get('k', fetcher);
		// Twenty concurrent 401s with the same token: one new token.
		await Promise.all(Array.from({ length: 20 }, () => h.replace('k', t1.accessToken, fetcher)));
		expect(fetches).toBe(2);
		// A late 401 for the old token must not throw away the new one.
		expect((await h.replace('k', t1.accessToken, fetcher)).accessToken).toBe('t2');
		expect(fetches).toBe(2);
	});

	it('withToken retries once with the replacement after a 401', async () => {
		const h = helper();
		const seen: string[] = [];
		const value = await h.withToken('k', fetcher, async (tok) => {
			seen.push(tok);
			return { unauthorized: seen.length === 1, value: tok };
		});
		expect(seen).toEqual(['t1', 't2']);
		expect(value).toBe('t2');
	});

	it('withToken runs a call refused again no more than `replays` times (once by default)', async () => {
		for (const [replays, calls, waits] of [[undefined, 2, []], [3, 4, [1, 2]]] as const) {
			const waited: number[] = [];
			const h = new TokenHelper({ store: new MemoryTokenStore(), replays, beforeReplay: async (replay) => void waited.push(replay) });
			let n = 0;
			const value = await h.withToken('k', async () => ({ accessToken: `t${++n}`, expiresAt: Date.now() + 60_000, issuedAt: Date.now() }), async (tok) => ({ unauthorized: true, value: tok }));
			expect(n).toBe(calls);
			expect(value).toBe(`t${calls}`);
			// No wait before the first replay (an expired token); one before each later one (a revoked token).
			expect(waited).toEqual(waits);
		}
	});

	it('two processes, each its own cache, a vendor that revokes on issue: with 3 replays the call whose new token was revoked still succeeds', async () => {
		// As Conferma does: the newest token is the only one that works.
		let valid = '';
		let n = 0;
		const issue = async () => ((valid = `t${++n}`), { accessToken: valid, expiresAt: Date.now() + 60_000, issuedAt: Date.now() });
		const run = async (replays: number) => {
			const worker = new TokenHelper({ store: new MemoryTokenStore(), replays });
			const other = new TokenHelper({ store: new MemoryTokenStore() });
			const seen: string[] = [];
			const value = await worker.withToken('k', issue, async (tok) => {
				seen.push(tok);
				// The other worker takes a token of its own while this one's first token, then its replacement, are on the wire.
				if (seen.length === 1) await other.get('k', issue);
				if (seen.length === 2) await other.replace('k', (await other.get('k', issue)).accessToken, issue);
				return { unauthorized: tok !== valid, value: tok };
			});
			return { ok: value === valid, calls: seen.length };
		};
		// One replay (the default; right where the token is shared): the replay meets the other's revocation and fails.
		expect(await run(1)).toEqual({ ok: false, calls: 2 });
		expect(await run(3)).toEqual({ ok: true, calls: 3 });
	});

	it('with a shared store, a fresh token is used without asking the store again; one replaced elsewhere costs a 401 and a replay, no token', async () => {
		// A store shared by two workers (Redis stands behind this in queue mode), counting what this worker asks of it.
		const shared = new MemoryTokenStore();
		let asked = 0;
		const counting = {
			kind: 'shared',
			get: (k: string) => (asked++, shared.get(k)),
			set: (k: string, t: CachedToken) => shared.set(k, t),
			deleteIf: (k: string, a: string) => shared.deleteIf(k, a),
			withLock: <T>(k: string, fn: () => Promise<T>) => shared.withLock(k, fn),
		};
		let n = 0;
		const fetch = async () => ({ accessToken: `s${++n}`, expiresAt: Date.now() + 60_000, issuedAt: Date.now() });
		const worker = new TokenHelper({ store: counting });
		const other = new TokenHelper({ store: counting });
		let valid = '';
		const call = async (tok: string) => ({ unauthorized: tok !== valid, value: tok });
		valid = (await worker.get('k', fetch)).accessToken;
		asked = 0;
		for (let i = 0; i < 100; i++) expect(await worker.withToken('k', fetch, call)).toBe('s1');
		// The first use reads the store; the next 99 use what it read.
		expect(asked).toBe(1);
		// The other worker meets a 401 (the vendor dropped s1) and stores s2; this worker learns it from its own 401.
		valid = (await other.replace('k', 's1', fetch)).accessToken;
		const seen: string[] = [];
		expect(await worker.withToken('k', fetch, async (tok) => (seen.push(tok), call(tok)))).toBe('s2');
		expect(seen).toEqual(['s1', 's2']);
		expect(n).toBe(2);
	});

	it('keys never contain the secret', () => {
		const key = tokenCacheKey({ tokenUrl: 'https://x/token', clientId: 'id', secret: 's3cr3t-value' });
		expect(key).not.toContain('s3cr3t');
		expect(key).not.toBe(tokenCacheKey({ tokenUrl: 'https://x/token', clientId: 'id', secret: 'other' }));
	});
});
