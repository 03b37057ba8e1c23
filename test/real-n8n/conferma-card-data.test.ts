/**
 * Card data in the real n8n app. The Conferma emulator's Create answers with the card's full number and CVV, as
 * Conferma does; after the hotel-card example runs headless (`n8n execute`), neither is in the execution's output,
 * in n8n's database (every file of its user folder: the SQLite database, its journal, config) or in n8n's log file.
 * With "Include Full Card Details" switched on in the node, the output has them (and so does the database: that is
 * what the option's description warns of); in the log file only the line in which `n8n execute` prints the run's
 * data, as it was asked to, has them. `npm run test:n8n`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startSandbox, type Sandbox } from '../../sandbox';
import * as app from '../../scripts/n8n/app';

jest.setTimeout(240_000);

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let logFile: string;
const home = () => join(scratch, 'home');

beforeAll(async () => {
	bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-card-'));
	app.installPackage(home(), app.packPackage(scratch));
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	logFile = join(scratch, 'n8n.log');
	// What n8n logs into a file as well as the console, at its default level (info; at debug its lines interleave
	// with the run's JSON on stdout and the result cannot be read back).
	env = app.n8nEnv(home(), ports[0], ports[1], { N8N_LOG_OUTPUT: 'console,file', N8N_LOG_FILE_LOCATION: logFile });
	await app.importSandboxSetup(bin, env, sandbox, scratch);
}, 900_000);

afterAll(async () => {
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every file n8n keeps in its user folder (database, journal, config, logs), except our own package's files. */
function n8nFiles(dir = join(home(), '.n8n')): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (name === 'nodes') return [];
		return statSync(path).isDirectory() ? n8nFiles(path) : [path];
	});
}
const contains = (files: string[], text: string) => files.filter((f) => readFileSync(f).includes(Buffer.from(text)));
/** A CVV as a stored field name, in any of the forms JSON or n8n's flattened execution data give it. */
const CVV_KEY = /"cvv"\s*:/i;

/** The example with the option switched on and its own booking (the example reuses a deployment by booking id). */
function importOptionOnCopy(): string {
	const example = JSON.parse(readFileSync(join(app.EXAMPLES, 'conferma-hotel-card.json'), 'utf8'));
	const id = 'exConfermaCardFull';
	for (const node of example.nodes) {
		if (node.name === 'Issue Virtual Card') node.parameters.includeFullCardDetails = true;
		if (node.name === 'Sample Booking') node.parameters.assignments.assignments[0].value = 'HOTEL-2026-FULL';
	}
	writeFileSync(join(scratch, `${id}.json`), JSON.stringify({ ...example, id, name: `${example.name} (full card details)` }));
	return id;
}

test('by default: the output, n8n\'s database and its log file hold neither the full card number nor the CVV', async () => {
	const run = await app.executeWorkflow(bin, env, 'exConfermaHotelCard');
	const [made] = app.outputOf(run, 'Issue Virtual Card');
	const card = sandbox.conferma.cards.get(String(made.deploymentId))!;
	expect(card.number).toMatch(/^\d{16}$/);
	expect(sandbox.conferma.counters.custom.creates).toBe(1);
	expect(app.outputOf(run, 'Card for the Hotel')).toEqual([
		{ bookingId: 'HOTEL-2026-0001', deploymentId: made.deploymentId, status: 'Deployed', card: `**** ${card.number.slice(-4)}`, expiry: `${String(card.expiryMonth).padStart(2, '0')}/${card.expiryYear}`, reused: false },
	]);
	const output = JSON.stringify(run);
	expect(output).not.toContain(card.number);
	expect(output).not.toMatch(CVV_KEY);
	const files = n8nFiles();
	expect(files.some((f) => /database\.sqlite$/.test(f))).toBe(true);
	// The run was saved: its booking id is in the database (so the search below looked at its data).
	expect(contains(files, 'HOTEL-2026-0001').length).toBeGreaterThan(0);
	expect(contains(files, card.number)).toEqual([]);
	expect(files.filter((f) => CVV_KEY.test(readFileSync(f, 'latin1')))).toEqual([]);
	const log = readFileSync(logFile, 'utf8');
	expect(log.length).toBeGreaterThan(0);
	expect(log).not.toContain(card.number);
	expect(log).not.toMatch(CVV_KEY);
});

test('"Include Full Card Details" on: the output has the full number and the CVV; in the log only n8n execute\'s printed result has them', async () => {
	const id = importOptionOnCopy();
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(scratch, `${id}.json`)}`]);
	const run = await app.executeWorkflow(bin, env, id);
	const [made] = app.outputOf(run, 'Issue Virtual Card');
	const card = sandbox.conferma.cards.get(String(made.deploymentId))!;
	expect(made.consumerReference).toBe('HOTEL-2026-FULL');
	expect(made.cardDetails).toEqual({ number: card.number, cvv: card.cvv, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
	// What the option's description says n8n then does: it stores them with the execution.
	expect(contains(n8nFiles(), card.number).some((f) => /database\.sqlite/.test(f))).toBe(true);
	// The log: `n8n execute` prints the run it was asked for through its logger, so that one line (the whole run's
	// data, as on stdout) has the card; no other line does — nothing our node or n8n's engine logged.
	const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string });
	const withCard = lines.filter((l) => l.message.includes(card.number) || CVV_KEY.test(l.message));
	expect(withCard.map((l) => JSON.parse(l.message).data.resultData.runData['Issue Virtual Card'][0].data.main[0][0].json.cardDetails.number)).toEqual([card.number]);
	expect(lines.length).toBeGreaterThan(withCard.length);
});
