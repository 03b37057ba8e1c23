/**
 * The leak sweep itself (test/helpers/sweep.ts), on folders made here: it finds a watched secret or a card in any
 * file or printed output and says where, lets an allowed value through only where it was allowed, and refuses to
 * pass when it had nothing to look at.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import type { Sandbox } from '../../sandbox';
import type { produced as Produced } from '../../scripts/n8n/app';
import { sweep } from './sweep';

const EXAMPLES = resolve(__dirname, '..', '..', 'examples');
const CARD = '4111 1111 1111 1111'; // Luhn-valid
const sandbox = {
	conferma: { clientSecret: 'conferma-secret-0123456789', issuedTokens: () => ['conferma-token-abcdef0123'] },
} as unknown as Partial<Sandbox>;

let dir: string;
let produced: typeof Produced;
const stopped: unknown[] = [];
const run = () => sweep(produced, [sandbox], EXAMPLES, async (child) => void stopped.push(child));

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'test-sweep-'));
	mkdirSync(join(dir, 'home', '.n8n', 'logs'), { recursive: true });
	mkdirSync(join(dir, 'home', '.n8n', 'nodes'), { recursive: true });
	writeFileSync(join(dir, 'home', '.n8n', 'database.sqlite'), 'workflow data');
	writeFileSync(join(dir, 'home', '.n8n', 'logs', 'n8n.log'), '{"level":"info","message":"n8n ready"}\n');
	produced = { userFolders: new Set([join(dir, 'home')]), logFiles: new Set(), outputs: [], processes: new Set(), allowed: [] };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a clean run passes and is counted: files, bytes, outputs, secrets watched', async () => {
	produced.outputs.push({ label: 'n8n start: its output', text: () => 'Editor is now accessible' });
	const count = await run();
	expect(count).toMatchObject({ files: 2, outputs: 1, secrets: 2, values: 2 });
	expect(count.bytes).toBeGreaterThan(0);
});

test('a token in n8n\'s log fails, naming the file', async () => {
	writeFileSync(join(dir, 'home', '.n8n', 'logs', 'n8n.log'), '{"message":"token conferma-token-abcdef0123"}\n');
	await expect(run()).rejects.toThrow(/n8n\.log: 1 secret value\(s\) leaked/);
});

test('a card in what n8n printed fails; allowed in the database only, it still fails in the log', async () => {
	produced.outputs.push({ label: 'n8n execute --id=x: its output', text: () => `{"number":"${CARD}"}` });
	await expect(run()).rejects.toThrow(/n8n execute --id=x: its output: .*card number/);
	produced.outputs.length = 0;
	writeFileSync(join(dir, 'home', '.n8n', 'database.sqlite'), `{"number":"${CARD}","cvv":"123"}`);
	produced.allowed.push({ why: 'the option-on card', texts: [CARD, '"cvv":'], where: /database\.sqlite/ });
	await expect(run()).resolves.toMatchObject({ files: 2 });
	// As n8n's log file writes a run's JSON: inside the line's JSON message, quotes escaped.
	writeFileSync(join(dir, 'home', '.n8n', 'logs', 'n8n.log'), JSON.stringify({ level: 'info', message: JSON.stringify({ cvv: '123' }) }));
	await expect(run()).rejects.toThrow(/n8n\.log: .*CVV/);
});

test('the installed package is not swept; a CPF the examples type in is allowed, another is not', async () => {
	writeFileSync(join(dir, 'home', '.n8n', 'nodes', 'readme.md'), 'conferma-secret-0123456789');
	writeFileSync(join(dir, 'home', '.n8n', 'database.sqlite'), '{"cpf":"111.444.777-35"}');
	await expect(run()).resolves.toMatchObject({ files: 2 });
	writeFileSync(join(dir, 'home', '.n8n', 'database.sqlite'), '{"cpf":"529.982.247-25"}');
	await expect(run()).rejects.toThrow(/database\.sqlite: .*CPF/);
});

test('nothing to check fails loudly: no user folder, or no sandbox', async () => {
	produced.userFolders = new Set([join(dir, 'nowhere')]);
	await expect(run()).rejects.toThrow(/no file to check/);
	produced.userFolders = new Set([join(dir, 'home')]);
	await expect(sweep(produced, [], EXAMPLES, async () => undefined)).rejects.toThrow(/no secret to watch/);
});

test('n8n processes still running are stopped before their files are read', async () => {
	const child = {} as never;
	produced.processes.add(child);
	await run();
	expect(stopped).toContain(child);
});
