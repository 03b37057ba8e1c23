/**
 * `npm run demo` says what it shows: messages in full (wrapped between words at the terminal's width, never cut),
 * colour only on a terminal and never with NO_COLOR, and the refusals the sandbox injects said to be injected.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { claro, clevertap, conferma, step } from '../../sandbox/demo';
import { closeAllAgents } from '../../nodes/transport';

let sandbox: Sandbox<'claro' | 'clevertap' | 'conferma'>;
const stdout = process.stdout as { isTTY?: boolean; columns?: number };
const saved = { isTTY: stdout.isTTY, columns: stdout.columns, noColor: process.env.NO_COLOR };

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['claro', 'clevertap', 'conferma'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
afterEach(() => {
	Object.assign(stdout, { isTTY: saved.isTTY, columns: saved.columns });
	if (saved.noColor === undefined) delete process.env.NO_COLOR;
	else process.env.NO_COLOR = saved.noColor;
	jest.restoreAllMocks();
});

/** What the demo prints while `run` runs, as lines. */
async function printed(run: () => Promise<void>): Promise<string[]> {
	const lines: string[] = [];
	jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(...args.join(' ').split('\n')));
	await run();
	return lines;
}

test('to a file or pipe: the whole message of every refusal, wrapped between words, no colour codes, injected refusals said to be injected', async () => {
	Object.assign(stdout, { isTTY: false, columns: 60 });
	const lines = await printed(async () => {
		for (const section of [claro, clevertap, conferma]) await section(sandbox as unknown as Sandbox);
	});
	const text = lines.join('\n');
	expect(text).not.toContain('\x1b[');
	// Table rows keep their width; every other line fits the terminal.
	const tableRow = /\S {2,}\S/;
	expect(lines.filter((l) => !tableRow.test(l.trim()) && l.length > 60)).toEqual([]);
	// Read as one message again, each is whole.
	const flat = text.replace(/\s+/g, ' ');
	expect(flat).toContain('Invalid CPF (***.456.789-**): check digits do not match');
	expect(flat).toContain('Amount must be an amount greater than 0, not "0"');
	expect(flat).toMatch(/refusals below are injected by the sandbox/);
	expect(flat.match(/item \d+ refused \(injected\): CleverTap refused this record \(code 555: a server error on this record\): Miscellaneous server error/g)).toHaveLength(2);
});

test('colour on a terminal, none with NO_COLOR or TERM=dumb', async () => {
	Object.assign(stdout, { isTTY: true, columns: 80 });
	delete process.env.NO_COLOR;
	// Whatever terminal runs the tests (a dumb one has no colour, and the check below would fail there).
	const term = process.env.TERM;
	process.env.TERM = 'xterm-256color';
	expect((await printed(() => step('A step', async () => undefined))).join('\n')).toContain('\x1b[1mA step\x1b[0m');
	process.env.NO_COLOR = '1';
	expect((await printed(() => step('A step', async () => undefined))).join('\n')).not.toContain('\x1b[');
	delete process.env.NO_COLOR;
	process.env.TERM = 'dumb';
	expect((await printed(() => step('A step', async () => undefined))).join('\n')).not.toContain('\x1b[');
	if (term === undefined) delete process.env.TERM;
	else process.env.TERM = term;
});
