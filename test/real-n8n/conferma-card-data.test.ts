/**
 * Card data in the real n8n app. The Conferma emulator's Create answers with the card's full number and CVV, as
 * Conferma does; after the hotel-card example runs headless (`n8n execute`), neither is in the execution's output,
 * in n8n's database (every file of its user folder: the SQLite database, its journal, config) or in n8n's log file.
 * With "Include Full Card Details" switched on in the node, run by its booking webhook in `n8n start` as a published
 * workflow is, the output has them and so does the database (what the option's description warns of); n8n's log
 * file and everything n8n printed hold neither, and the leak sweep after this file (test/helpers/sweep.ts) lets them
 * through in the database only. `npm run test:n8n`.
 */
import { randomUUID } from 'crypto';
import { parse as unflatten } from 'flatted';
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
/** A CVV as a stored field name, in any of the forms JSON, n8n's flattened execution data or a log line give it. */
const CVV_KEY = /"cvv\\*"\s*:/i;

/**
 * The example with the option switched on, its own booking (the example reuses a deployment by booking id), and its
 * webhook trigger enabled under its own path and id: it runs in the server, as a published workflow does, and is read
 * back from n8n's REST API. (`n8n execute` would print the run's data into n8n's log itself.)
 */
function importOptionOnCopy(): string {
	const example = JSON.parse(readFileSync(join(app.EXAMPLES, 'conferma-hotel-card.json'), 'utf8'));
	const id = 'exConfermaCardFull';
	for (const node of example.nodes) {
		if (node.name === 'Issue Virtual Card') node.parameters.includeFullCardDetails = true;
		if (node.name === 'Booking Confirmed') {
			delete node.disabled;
			node.webhookId = randomUUID();
			node.parameters.path = FULL_PATH;
		}
	}
	writeFileSync(join(scratch, `${id}.json`), JSON.stringify({ ...example, id, name: `${example.name} (full card details)` }));
	return id;
}
const FULL_PATH = 'hotel-booking-full-card';
const FULL_BOOKING = { bookingId: 'HOTEL-2026-FULL', hotel: 'Sandbox Hotel London', amount: 480, currency: 'GBP', checkIn: '2026-12-20', checkOut: '2026-12-23' };
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

test('"Include Full Card Details" on: the output has the full number and the CVV, the database stores them; n8n\'s log holds neither', async () => {
	const id = importOptionOnCopy();
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(scratch, `${id}.json`)}`]);
	await app.activateWorkflow(bin, env, id);
	const server = app.startN8n(bin, env);
	try {
		await app.waitUntilListening(server, env);
		const session = new app.Rest(`http://127.0.0.1:${env.N8N_PORT}`);
		await app.waitFor('a login to n8n\'s REST API', async () => (await session.login(), true), 120_000, server);
		const hook = `http://127.0.0.1:${env.N8N_PORT}/webhook/${FULL_PATH}`;
		const post = () => fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FULL_BOOKING) });
		// The production webhook answers once the published workflow's trigger is registered; one booking, one run.
		await app.waitFor('the booking webhook', async () => (await post()).ok, 60_000, server);
		let done: Array<{ id: string; status: string }> = [];
		await app.waitFor('the booking\'s execution', async () => (done = await app.executionsOf(session, id)).some((e) => e.status !== 'running' && e.status !== 'new'), 60_000, server);
		expect(done.map((e) => e.status)).toEqual(['success']);
		const execution = await session.call<{ data: string }>('GET', `/rest/executions/${done[0].id}`);
		const run = { data: unflatten(execution.data) } as app.RunData;
		const [made] = app.outputOf(run, 'Issue Virtual Card');
		const card = sandbox.conferma.cards.get(String(made.deploymentId))!;
		// What the option's description says n8n does with them: it stores them with the execution. The leak sweep after
		// this file lets them through there and nowhere else.
		app.allowInSweep('the card of the "Include Full Card Details" run, in n8n\'s database only (where the option says n8n stores it)', [card.number, '"cvv":'], /database\.sqlite/);
		expect(made.consumerReference).toBe('HOTEL-2026-FULL');
		expect(made.cardDetails).toEqual({ number: card.number, cvv: card.cvv, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
		expect(contains(n8nFiles(), card.number).some((f) => /database\.sqlite/.test(f))).toBe(true);
		await app.stopChild(server);
		// The log of the server that ran it: written (it logged its start), and neither the number nor a CVV.
		const log = readFileSync(logFile, 'utf8');
		expect(log).toContain(`n8n ready on ${env.N8N_LISTEN_ADDRESS}, port ${env.N8N_PORT}`);
		expect(log).not.toContain(card.number);
		expect(log).not.toMatch(CVV_KEY);
		const printed = server.output.join('');
		expect(printed).not.toContain(card.number);
		expect(printed).not.toMatch(CVV_KEY);
	} finally {
		await app.stopChild(server);
	}
}, 600_000); // one n8n start, its login and its webhook: minutes on a loaded 2-core machine
