/**
 * The leak sweep over everything a real-app test file produced. jest.config.js loads this file before every test
 * file; for those that run the real app (test/real-n8n, test/queue-e2e, test/queue-editions, test/editor) it adds one afterAll that runs before the file's own
 * (which deletes the scratch folders): it stops the n8n processes still running (so their logs and databases are
 * complete), then greps, with Leaks({ shapes: true }), every file of every n8n user folder (SQLite database and
 * journal, config, n8n's log, exports; not the installed package nor the editor's static files), every log file n8n was told to
 * write elsewhere, all n8n printed, and every request body the scripted model received, for every secret each
 * sandbox issued or holds. scripts/n8n/app.ts registers all of these where they come into being (n8nEnv, startN8n,
 * executeWorkflow, n8nCli, sandboxCredentials, trustSandbox), so a new test file is swept without doing anything.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import type { Sandbox } from '../../sandbox';
import type { produced as Produced } from '../../scripts/n8n/app';
import { Leaks, secretShapes } from './leaks';

/**
 * The CPFs the examples type into their Set nodes as a person's input (a signup's sample data), as typed and as
 * digits: a workflow's own input is stored with it and with its executions. Nothing else is let through by default.
 */
function typedCpfs(examples: string) {
	const typed = readdirSync(examples)
		.filter((f) => f.endsWith('.json'))
		.flatMap((f) => (JSON.parse(readFileSync(join(examples, f), 'utf8')).nodes as Array<{ type: string; parameters: unknown }>))
		.filter((node) => node.type === 'n8n-nodes-base.set')
		.flatMap((node) => secretShapes(JSON.stringify(node.parameters)).filter((h) => h.kind === 'CPF').map((h) => h.text));
	const texts = [...new Set(typed.flatMap((cpf) => [cpf, cpf.replace(/\D/g, '')]))];
	return { why: `${texts.length / 2} CPF(s) typed into the examples' Set nodes as a signup's input`, texts, where: undefined };
}

/** Every secret a sandbox issued or holds: client secrets, passcodes, API keys, issued tokens, webhook tokens, keys. */
export function sandboxSecrets(sandbox: Partial<Sandbox>): string[] {
	const { certs, clara, claro, clevertap, conferma, openai } = sandbox;
	return [
		clara?.clientSecret, claro?.secret, clevertap?.passcode, clevertap?.expiredPasscode, conferma?.clientSecret, openai?.apiKey,
		...(clara?.issuedTokens() ?? []), ...(claro?.issuedTokens() ?? []), ...(conferma?.issuedTokens() ?? []), ...(clara?.webhookTokens() ?? []),
		certs?.client.key, certs?.clientEncrypted.key, certs?.clientEncrypted.passphrase, certs?.foreign.key, certs?.expired.key, certs?.ca.key, certs?.server.key,
	].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		// Not written by the run: our own installed package, and the editor's static files `n8n start` copies from its
		// install (their help texts hold example tokens and card numbers).
		if (path.endsWith(join('.n8n', 'nodes')) || path.endsWith(join('.cache', 'n8n', 'public'))) return [];
		return statSync(path).isDirectory() ? filesUnder(path) : [path];
	});
}

export interface SweepCount {
	files: number;
	bytes: number;
	outputs: number;
	outputBytes: number;
	modelBodies: number;
	/** Secrets, and the values watched for them (a PEM key is watched line by line). */
	secrets: number;
	values: number;
}

/** Sweeps what `produced` lists; throws naming every source that holds a secret, or when there was nothing to check. */
export async function sweep(
	produced: typeof Produced,
	sandboxes: Array<Partial<Sandbox>>,
	examples: string,
	stop: (child: import('child_process').ChildProcess) => Promise<void>,
): Promise<SweepCount> {
	for (const child of produced.processes) await stop(child);
	const files = [...new Set([...[...produced.userFolders].flatMap((f) => filesUnder(f)), ...[...produced.logFiles].filter((f) => existsSync(f))])];
	if (files.length === 0) throw new Error(`leak sweep: no file to check (user folders: ${[...produced.userFolders].join(', ') || 'none registered'}): the sweep would pass without looking`);
	const secrets = [...new Set(sandboxes.flatMap(sandboxSecrets))];
	if (secrets.length === 0) throw new Error('leak sweep: no sandbox was started, so no secret to watch');
	const watched = new Leaks();
	watched.watch(...secrets);
	const allowed = [typedCpfs(examples), ...produced.allowed];
	const sources: Array<{ label: string; text: string; file?: string }> = [
		...files.map((file) => ({ label: file, file, text: readFileSync(file).toString('latin1') })),
		...produced.outputs.map((o) => ({ label: o.label, text: o.text() })),
		...sandboxes.flatMap((s) => (s.openai?.transcript ?? []).map((body, i) => ({ label: `scripted model request ${i + 1}`, text: body }))),
	];
	const found: string[] = [];
	for (const source of sources) {
		const allow = allowed.filter((a) => !a.where || (source.file && a.where.test(source.file))).flatMap((a) => a.texts);
		const leaks = new Leaks({ shapes: true, allow });
		leaks.watch(...secrets);
		leaks.collect(source.text);
		try {
			leaks.assertNone();
		} catch (error) {
			// Where, without the value: the kind and the text before it (digits hidden), enough to find it again.
			const shapes = secretShapes(source.text)
				.filter((h) => !allow.some((a) => h.text.includes(a) || a.includes(h.text)))
				.map((h) => `${h.kind} after "${source.text.slice(Math.max(0, source.text.indexOf(h.text) - 40), source.text.indexOf(h.text)).replace(/\d/g, '#').replace(/[^\x20-\x7e]/g, '.')}"`);
			found.push(`${source.label}: ${(error as Error).message}${shapes.length ? ` [${shapes.join('; ')}]` : ''}`);
		}
	}
	if (found.length) throw new Error(`leak sweep: ${found.length} source(s) hold a secret:\n${found.join('\n')}`);
	const bytes = (kind: 'file' | 'output' | 'model') =>
		sources.filter((s) => (s.file ? 'file' : s.label.startsWith('scripted model') ? 'model' : 'output') === kind).reduce((n, s) => n + s.text.length, 0);
	return {
		files: files.length,
		bytes: bytes('file'),
		outputs: produced.outputs.length,
		outputBytes: bytes('output'),
		modelBodies: sources.length - files.length - produced.outputs.length,
		secrets: secrets.length,
		values: watched.watching,
	};
}

const testPath = expect.getState().testPath ?? '';
let sweptBefore = 0;

/**
 * Sweep what the real app produced so far in this file and forget it. The hook below calls it once per file; a file
 * whose describe blocks each delete their own scratch folders (test/editor, one block per n8n version) calls it
 * first thing in each block's afterAll.
 */
export async function sweepNow(): Promise<void> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const app = require('../../scripts/n8n/app') as typeof import('../../scripts/n8n/app');
	const { sandboxesStarted } = require('../../sandbox') as typeof import('../../sandbox');
	const count = await sweep(app.produced, [...sandboxesStarted], app.EXAMPLES, (child) => app.stopChild(child));
	const allowed = [typedCpfs(app.EXAMPLES), ...app.produced.allowed].map((a) => a.why).join('; ');
	console.info(
		`leak sweep ${relative(process.cwd(), testPath)}: ${count.files} files (${count.bytes} bytes), ${count.outputs} n8n, PostgreSQL and Redis outputs (${count.outputBytes} bytes), ` +
			`${count.modelBodies} model requests, ${count.secrets} secrets watched (${count.values} values): none found (allowed: ${allowed})`,
	);
	app.produced.userFolders.clear();
	app.produced.logFiles.clear();
	app.produced.processes.clear();
	app.produced.outputs.length = 0;
	app.produced.allowed.length = 0;
	sandboxesStarted.clear();
	sweptBefore++;
}

// Every suite that runs the real app: test/real-n8n, queue mode (its PostgreSQL and Redis dumped into the sweep), both
// editions in queue mode, and the editor.
if (/[\\/]test[\\/](real-n8n|queue-e2e|queue-editions|editor)[\\/]/.test(testPath)) {
	afterAll(async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const app = require('../../scripts/n8n/app') as typeof import('../../scripts/n8n/app');
		// Already swept block by block, and nothing registered since.
		if (sweptBefore > 0 && app.produced.userFolders.size === 0 && app.produced.outputs.length === 0) return;
		await sweepNow();
	}, 300_000);
}
