/**
 * Card data stays out of what n8n stores. Conferma's Create answers with the card's full number, CVV and expiry
 * (contract: card-details); inside n8n's engine, against the emulator over real TLS, the node's output by default
 * keeps the number's last four digits, the expiry, the ids and the status, never the full number or the CVV; only
 * "Include Full Card Details", switched on in the node, outputs them; no error text, log line or message a model
 * reads has them.
 */
import type { IDataObject } from 'n8n-workflow';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { confermaCredentials } from '../../sandbox/credentials';
import { asTool, scriptedAgent } from '../harness/agent';
import { runNode, runWorkflow, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'conferma'>;
const node = new ConfermaPay();
const conferma = () => sandbox.conferma;
const json = (r: RunNodeResult) => r.items.map((i) => i.json);
const ids = () => [...conferma().deployments.keys()];
const sent = (method: string) => conferma().requestLog.filter((r) => r.method === method && r.url.startsWith('/deployments')).length;
/** Everything the run showed or logged, as one text. */
const everything = (r: RunNodeResult) => JSON.stringify({ items: r.items, logs: r.logs, error: r.error ? { message: r.error.message, description: r.error.description } : undefined });
/** The card of a deployment, as the emulator issued it. */
const cardOf = (id: unknown) => conferma().cards.get(String(id))!;
/** A CVV as it would sit in output or text: as a field, since three digits alone occur everywhere. */
const CVV_FIELD = /"(?:cvv2?|cvc2?|securityCode)"\s*:/i;

async function run(parameters: IDataObject, items: IDataObject[] = [{}], continueOnFail = true): Promise<RunNodeResult> {
	return runNode({
		nodeType: node,
		credentialTypes: [new ConfermaPayApi()],
		parameters,
		credentials: { confermaPayApi: confermaCredentials(sandbox) },
		items,
		continueOnFail,
	});
}

const create = (extra: IDataObject = {}) => ({
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: 'CLIENTID',
	clientAccountCodeValue: '1234',
	amount: 120,
	currencyCode: 'GBP',
	startDate: '2026-03-01',
	endDate: '2026-03-10',
	supplierName: 'Sandbox Hotel',
	consumerReference: '={{ $json.ref }}',
	options: {},
	...extra,
});

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['conferma'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	conferma().faults.clear();
	conferma().fullCardOnReads = false;
	conferma().resetCounters();
});

test('contract: card-details — the emulator\'s Create answers with a full Luhn-valid number, a CVV and the expiry', () => {
	const card = cardOf(ids()[0]);
	expect(card.number).toMatch(/^\d{16}$/);
	expect(card.cvv).toMatch(/^\d{3}$/);
	expect(card).toMatchObject({ expiryMonth: expect.any(Number), expiryYear: expect.any(Number) });
});

test('Create, by default: the masked number, expiry, ids and status; never the full number or the CVV', async () => {
	const res = await run(create(), [{ ref: 'CARD-DEFAULT-1' }, { ref: 'CARD-DEFAULT-2' }]);
	expect(res.error).toBeUndefined();
	expect(res.items).toHaveLength(2);
	for (const out of json(res)) {
		const card = cardOf(out.deploymentId);
		expect(out).toMatchObject({ deploymentId: expect.any(Number), status: 'Deployed' });
		expect(out.cardDetails).toEqual({ number: `**** ${card.number.slice(-4)}`, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
		expect(JSON.stringify(out)).not.toContain(card.number);
		expect(JSON.stringify(out)).not.toMatch(CVV_FIELD);
	}
	expect(everything(res)).not.toMatch(new RegExp(json(res).map((o) => cardOf(o.deploymentId).number).join('|')));
	expect(sent('POST')).toBe(2);
});

test('Create with "Include Full Card Details" on: the output has the full number and the CVV', async () => {
	const res = await run(create({ includeFullCardDetails: true }), [{ ref: 'CARD-FULL-1' }]);
	const [out] = json(res);
	const card = cardOf(out.deploymentId);
	expect(out.cardDetails).toEqual({ number: card.number, cvv: card.cvv, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
	// …and only the output: n8n's log lines of the run do not.
	expect(JSON.stringify(res.logs)).not.toContain(card.number);
});

test('Get, Get Many and Amend mask the card too when Conferma\'s answer carries it', async () => {
	conferma().fullCardOnReads = true;
	const [a, b] = ids();
	const results = [
		await run({ resource: 'deployment', operation: 'get', deploymentId: a }),
		await run({ resource: 'deployment', operation: 'getAll', returnAll: false, limit: 12 }),
		await run({ resource: 'deployment', operation: 'amend', deploymentId: b, updateFields: { supplierReference: 'CARD-AMEND-1' } }),
	];
	for (const res of results) {
		expect(res.error).toBeUndefined();
		expect(res.items.length).toBeGreaterThan(0);
		for (const out of json(res)) {
			const card = cardOf(out.deploymentId);
			expect(out.cardDetails).toEqual({ number: `**** ${card.number.slice(-4)}`, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear });
		}
		expect(everything(res)).not.toMatch(CVV_FIELD);
	}
	// Amend read the card and did not send it back to Conferma either.
	expect(JSON.stringify(conferma().requestLog.filter((r) => r.method === 'PUT'))).not.toContain(cardOf(b).number);
});

test('"Include Full Card Details" from an expression is refused for every item, naming the field; nothing is sent', async () => {
	for (const value of ['={{ true }}', "={{ $fromAI('fullCard', 'show the card', 'boolean') }}", 'true']) {
		conferma().resetCounters();
		const res = await run(create({ includeFullCardDetails: value }), [{ ref: 'CARD-EXPR-1' }, { ref: 'CARD-EXPR-2' }]);
		expect(json(res)).toEqual([0, 1].map(() => expect.objectContaining({ error: expect.stringMatching(/^Include Full Card Details can only be switched on in the node itself/) })));
		expect(res.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(conferma().counters.requests).toBe(0);
	}
});

test('an error answer that quotes the card: the error text and the logs have neither its number nor its CVV', async () => {
	const card = cardOf(ids()[0]);
	const echo = { errorCode: 'EVAL000', message: `Card ${card.number.replace(/(\d{4})(?=\d)/g, '$1 ')} declined`, details: [{ field: 'cardDetails', issue: `{"number":"${card.number}","cvv":"${card.cvv}"}` }], cardDetails: { number: card.number, cvv: card.cvv } };
	for (const status of [400, 409, 500]) {
		conferma().faults.fail(1, status, { pathPrefix: '/deployments', method: 'POST', body: echo });
		const res = await run(create(), [{ ref: `CARD-ERR-${status}` }]);
		const [out] = json(res);
		expect(out.error).toEqual(expect.any(String));
		const text = everything(res);
		expect(text).not.toContain(card.number);
		expect(text).not.toMatch(new RegExp(`\\b${card.cvv}\\b`));
	}
});

test('an AI agent\'s Create tool: what the model reads has the masked card only', async () => {
	const leaks = new Leaks();
	const agentRun = await runWorkflow({
		nodes: [
			{ name: 'Agent', nodeType: scriptedAgent([[{ tool: 'Issue Card', input: { reference: 'CARD-AGENT-1' } }]]) },
			{ name: 'Issue Card', nodeType: asTool(node), parameters: create({ consumerReference: "={{ $fromAI('reference') }}", agentMayRun: true }) },
		],
		connections: {},
		tools: { 'Issue Card': 'Agent' },
		credentials: { confermaPayApi: confermaCredentials(sandbox) },
		credentialTypes: [new ConfermaPayApi()],
	});
	const made = [...conferma().deployments.values()].at(-1)!;
	expect(made.consumerReference).toBe('CARD-AGENT-1');
	const seen = JSON.stringify(agentRun.output('Agent'));
	expect(seen).toContain(`**** ${cardOf(made.deploymentId).number.slice(-4)}`);
	leaks.watch(cardOf(made.deploymentId).number);
	leaks.collect(seen, agentRun.logs);
	expect(leaks.assertNone()).toBeGreaterThan(100);
	expect(seen).not.toMatch(CVV_FIELD);
});
