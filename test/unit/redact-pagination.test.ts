import { redact, maskCpf } from '../../nodes/transport/redact';
import { pemBlock } from '../../sandbox/certs';
import { collectPages, readPage } from '../../nodes/transport/pagination';

describe('redact', () => {
	it('removes listed secrets and anything shaped like a token, key or CPF', () => {
		const text = [
			'secret=super-secret-value',
			'Authorization: Bearer abc.def.ghijklmnop',
			'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
			pemBlock('PRIVATE KEY', 'MIIEvQ'),
			'cpf 111.444.777-35 and 12345678909',
		].join('\n');
		const out = redact(text, ['super-secret-value']);
		expect(out).not.toMatch(/super-secret-value|abc\.def|eyJhbGci|MIIEvQ|111\.444\.777-35|12345678909/);
		expect(out).toContain('***.444.777-**');
		expect(out).toContain('***.456.789-**');
	});
	it('masks a CPF to the middle six digits', () => {
		expect(maskCpf('111.444.777-35')).toBe('***.444.777-**');
	});
});

describe('collectPages', () => {
	const data = Array.from({ length: 250 }, (_, i) => ({ uuid: `u${i}` }));
	const pager = (calls: number[]) => async (page: number, size: number) => {
		calls.push(page);
		const content = data.slice(page * size, page * size + size);
		return { content, totalPages: Math.ceil(data.length / size), number: page, size };
	};
	it('returns all items across pages, each once, in order', async () => {
		const calls: number[] = [];
		const all = await collectPages(pager(calls), { returnAll: true, limit: 50, maxPageSize: 100, service: 'Test' });
		expect(all.map((x) => x.uuid)).toEqual(data.map((x) => x.uuid));
		expect(calls.sort()).toEqual([0, 1, 2]);
	});
	it('a row inserted while pages are read shifts the next page by one: the item seen at the end of one page is taken once', async () => {
		// Page 1 is read after two rows were inserted at the top: its first two items ended page 0.
		const shifted = async (page: number, size: number) => {
			const rows = page === 0 ? data : [{ uuid: 'new-1' }, { uuid: 'new-2' }, ...data];
			return { content: rows.slice(page * size, page * size + size) };
		};
		const all = await collectPages(shifted, { returnAll: true, limit: 1, maxPageSize: 100, service: 'Test' });
		expect(all.map((x) => x.uuid)).toEqual(data.map((x) => x.uuid));
	});
	it('stops at the limit without fetching pages it does not need', async () => {
		const calls: number[] = [];
		const some = await collectPages(pager(calls), { returnAll: false, limit: 30, maxPageSize: 100, service: 'Test' });
		expect(some).toHaveLength(30);
		expect(calls).toEqual([0]);
	});
	it('walks page by page when the API gives no totals', async () => {
		const calls: number[] = [];
		const noTotals = async (page: number, size: number) => ({ content: data.slice(page * size, page * size + size) });
		const all = await collectPages(async (p, s) => (calls.push(p), noTotals(p, s)), { returnAll: true, limit: 1, maxPageSize: 100, service: 'Test' });
		expect(all).toHaveLength(250);
		expect(calls).toEqual([0, 1, 2]);
	});
	it('reads a plain JSON array page by page, and stops when the API ignores paging', async () => {
		const calls: number[] = [];
		const paged = await collectPages(async (p, s) => (calls.push(p), data.slice(p * s, p * s + s)), { returnAll: true, limit: 1, maxPageSize: 100, service: 'Test' });
		expect(paged).toHaveLength(250);
		expect(calls).toEqual([0, 1, 2]);
		// An API that sends the whole array whatever the page: the second page brings nothing new, so the walk stops.
		const whole: number[] = [];
		const once = await collectPages(async (p) => (whole.push(p), data.slice(0, 100)), { returnAll: true, limit: 1, maxPageSize: 100, service: 'Test' });
		expect(once).toHaveLength(100);
		expect(whole).toEqual([0, 1]);
	});
	it('reads an items page with totals (zero-based) and honours a minimum page size', async () => {
		const sizes: number[] = [];
		const items = await collectPages(
			async (p, s) => (sizes.push(s), { totalItems: 250, totalPages: Math.ceil(250 / s), pageNumber: p, pageSize: s, items: data.slice(p * s, p * s + s) }),
			{ returnAll: false, limit: 3, maxPageSize: 1000, minPageSize: 10, service: 'Test' },
		);
		expect(items.map((x) => x.uuid)).toEqual(['u0', 'u1', 'u2']);
		expect(sizes).toEqual([10]);
	});
	it('an answer that is not a list is an error naming its shape, never 0 items', async () => {
		await expect(collectPages(async () => ({ status: 'fail', message: 'x' }), { returnAll: true, limit: 1, maxPageSize: 100, service: 'Clara' })).rejects.toThrow(
			/Clara answered a list request with an object with keys status, message/,
		);
		expect(() => readPage('<html>', 'Clara')).toThrow(/text of 6 characters/);
		expect(() => readPage(null, 'Clara')).toThrow(/an empty body/);
		expect(readPage({ content: [], totalPages: 0 }, 'Clara')).toEqual({ items: [], totalPages: 0, last: undefined });
	});
});
