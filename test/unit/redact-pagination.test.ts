import { redact, maskCpf } from '../../nodes/transport/redact';
import { pemBlock } from '../../sandbox/certs';
import { collectSpringPages } from '../../nodes/transport/pagination';

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

describe('collectSpringPages', () => {
	const data = Array.from({ length: 250 }, (_, i) => ({ uuid: `u${i}` }));
	const pager = (calls: number[]) => async (page: number, size: number) => {
		calls.push(page);
		const content = data.slice(page * size, page * size + size);
		return { content, totalPages: Math.ceil(data.length / size), number: page, size };
	};
	it('returns all items across pages, each once, in order', async () => {
		const calls: number[] = [];
		const all = await collectSpringPages(pager(calls), { returnAll: true, limit: 50, maxPageSize: 100 });
		expect(all.map((x) => x.uuid)).toEqual(data.map((x) => x.uuid));
		expect(calls.sort()).toEqual([0, 1, 2]);
	});
	it('stops at the limit without fetching pages it does not need', async () => {
		const calls: number[] = [];
		const some = await collectSpringPages(pager(calls), { returnAll: false, limit: 30, maxPageSize: 100 });
		expect(some).toHaveLength(30);
		expect(calls).toEqual([0]);
	});
	it('walks page by page when the API gives no totals', async () => {
		const calls: number[] = [];
		const noTotals = async (page: number, size: number) => ({ content: data.slice(page * size, page * size + size) });
		const all = await collectSpringPages(async (p, s) => (calls.push(p), noTotals(p, s)), { returnAll: true, limit: 1, maxPageSize: 100 });
		expect(all).toHaveLength(250);
		expect(calls).toEqual([0, 1, 2]);
	});
});
