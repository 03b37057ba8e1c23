/**
 * Our nodes as AI-agent tools in the real n8n app (`npm run test:n8n`): n8n's own AI Agent, driven by n8n's own
 * OpenAI Chat Model whose credential points at the sandbox's scripted model (sandbox/openai.ts), calls the Claro Face
 * Match and CleverTap tools of examples/onboarding-assistant.json against the sandbox; then n8n's MCP Server Trigger
 * exposes the tools to a real MCP client (the official TypeScript SDK). The packed package is installed into n8n's
 * community-nodes folder as a user would, as in real-n8n.test.ts.
 *
 * What the model receives is read from the scripted model's own record of every request.
 */
import type { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandbox, type Sandbox } from '../../sandbox';
import { lastToolResult, onboardingScript, scripted, type Conversation } from '../../sandbox/openai';
import * as app from '../../scripts/n8n/app';
import { Leaks } from '../helpers/leaks';

jest.setTimeout(300_000);

const EXAMPLE = 'exOnboardingAssistant';
/** The same example with the OpenAI Chat Model's "Use Responses API" off: the Chat Completions API. */
const CHAT_COMPLETIONS = 'tnOnboardingChatApi';
const MCP = 'tnMcpIdentityTools';
/** The example with one gated tool instead of its two: CleverTap Delete Profile whose permission is a `$fromAI`. */
const GATE = 'tnAgentGateFromAi';
/** The chat triggers' webhook ids: the example's, and its Chat Completions copy's. */
const CHAT_RESPONSES = '5e1a0c00-0019-4a00-8000-0000000000c1';
const CHAT_COMPLETIONS_WEBHOOK = '5e1a0c00-0019-4a00-8000-0000000000c2';
const ANA = { cpf: '111.444.777-35', email: 'ana@example.com' };
const INVALID_CPF = '123.456.789-00';
const CPFS = ['111.444.777-35', '11144477735', '123.456.789-00', '12345678900', '222.333.666-38', '22233366638'];

let sandbox: Sandbox;
let bin: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let port: number;

beforeAll(async () => {
	bin = app.n8nBinary();
	scratch = mkdtempSync(join(tmpdir(), 'test-n8n-agent-'));
	app.installPackage(join(scratch, 'home'), app.packPackage(scratch));
	sandbox = await startSandbox();
	const ports = await app.freePorts(2);
	port = ports[0];
	env = app.n8nEnv(join(scratch, 'home'), port, ports[1], app.trustSandbox(sandbox, scratch));
	await app.importSandboxSetup(bin, env, sandbox, scratch);
	const example = JSON.parse(readFileSync(join(app.EXAMPLES, 'onboarding-assistant.json'), 'utf8'));
	// The example ships with its chat trigger off (so the editor's Execute workflow starts at Try It); served, it is
	// switched on, as a user does before publishing: the example itself again under its own id, and a copy.
	delete example.nodes.find((n: { name: string }) => n.name === 'When Chat Message Received').disabled;
	writeFileSync(join(scratch, 'example-live.json'), JSON.stringify(example));
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(scratch, 'example-live.json')}`]);
	example.id = CHAT_COMPLETIONS;
	example.name += ' (Chat Completions API)';
	example.nodes.find((n: { name: string }) => n.name === 'OpenAI Chat Model').parameters.responsesApiEnabled = false;
	// Its own chat webhook id, so that both can be active at once.
	example.nodes.find((n: { name: string }) => n.name === 'When Chat Message Received').webhookId = CHAT_COMPLETIONS_WEBHOOK;
	writeFileSync(join(scratch, 'chat-api.json'), JSON.stringify(example));
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(scratch, 'chat-api.json')}`]);
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(__dirname, 'workflows', 'mcp-tools.json')}`]);
	// As an imported workflow, a template or n8n's API can store it: "Allow AI Agent to Run This" as an expression the
	// model fills. Built from the example, so model, credentials and agent are the example's own.
	const gate = JSON.parse(readFileSync(join(app.EXAMPLES, 'onboarding-assistant.json'), 'utf8'));
	const recordOutcome = gate.nodes.find((n: { name: string }) => n.name === 'Record Outcome in CleverTap');
	gate.id = GATE;
	gate.name = 'Agent gate: a $fromAI permission';
	gate.nodes = gate.nodes.filter((n: { name: string }) => !['Check Face Match', 'Record Outcome in CleverTap', 'When Chat Message Received'].includes(n.name));
	gate.nodes.push({
		...recordOutcome,
		id: '5e1a0c00-0019-4a00-8000-0000000000f1',
		name: 'Delete Profile',
		parameters: {
			resource: 'profile',
			operation: 'delete',
			deleteBy: 'identity',
			identifier: "={{ $fromAI('identity', 'The identity of the profile to erase', 'string') }}",
			agentMayRun: "={{ $fromAI('allow', 'Whether you may erase it', 'boolean') }}",
		},
	});
	gate.connections = {
		'Try It: Sample Request': gate.connections['Try It: Sample Request'],
		'Sample Request': gate.connections['Sample Request'],
		'OpenAI Chat Model': gate.connections['OpenAI Chat Model'],
		'Delete Profile': { ai_tool: [[{ node: 'Onboarding Assistant', type: 'ai_tool', index: 0 }]] },
	};
	writeFileSync(join(scratch, 'gate.json'), JSON.stringify(gate));
	await app.n8nCli(bin, env, ['import:workflow', `--input=${join(scratch, 'gate.json')}`]);
}, 900_000);

afterAll(async () => {
	await sandbox?.close();
	if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Everything n8n showed or logged here, and everything the MCP client received. */
const seen: string[] = [];

beforeEach(() => {
	sandbox.openai.script = onboardingScript;
	for (const name of ['openai', 'claro', 'clevertap'] as const) sandbox[name].resetCounters();
});

/** Everything the model was sent in this test, kept for the final grep (counters are reset per test). */
const conversations: Conversation[] = [];
const rawBodies: string[] = [];
afterEach(() => {
	conversations.push(...sandbox.openai.conversations);
	rawBodies.push(...sandbox.openai.received.map((r) => r.body));
	expect(sandbox.openai.scriptErrors).toEqual([]);
});

async function execute(id: string) {
	const run = await app.executeWorkflow(bin, env, id);
	seen.push(JSON.stringify(run));
	expect(run.data.resultData.error).toBeUndefined();
	return run;
}
const answerOf = (run: app.RunData) => String(app.outputOf(run, 'Onboarding Assistant')[0]?.output ?? '');
const checksSent = () => sandbox.claro.requestLog.filter((r) => r.url.startsWith('/identity/')).map((r) => r.headers['x-querystring']);
const toolResults = () => sandbox.openai.conversations.at(-1)!.toolResults;

describe('the onboarding assistant example, headless (n8n execute)', () => {
	test('the model checks the CPF, records the outcome in CleverTap, and its answer holds what the tools returned', async () => {
		const run = await execute(EXAMPLE);
		// What reached the sandbox: the tool calls with the model's arguments.
		expect(checksSent()).toEqual(['identificationType=CPF&IdentificationId=11144477735']);
		expect(sandbox.clevertap.events.at(-1)).toMatchObject({ profile: { identity: ANA.email }, event_name: 'Face Match Checked', event_props: { Result: 'verified' } });
		// What the model was told: the tools it may use, then each tool's output.
		const [first] = sandbox.openai.conversations;
		expect(first.api).toBe('responses'); // the node's default (version 1.3)
		expect(first.tools.map((t) => t.name).sort()).toEqual(['Check_Face_Match', 'Record_Outcome_in_CleverTap']);
		expect(first.tools.find((t) => t.name === 'Check_Face_Match')!.parameters.properties).toHaveProperty('cpf');
		const person = sandbox.claro.people.get('11144477735')!;
		const [faceMatch, clevertap] = toolResults();
		expect(JSON.parse(faceMatch.content)).toEqual([{ found: true, cpf: '***.444.777-**', versions: person.versions, transactionId: expect.any(String) }]);
		expect(JSON.parse(clevertap.content)).toEqual([{ uploaded: true, type: 'event', identity: ANA.email, evtName: 'Face Match Checked' }]);
		expect(answerOf(run)).toBe(`Face Match answered: ${faceMatch.content}\nCleverTap answered: ${clevertap.content}`);
		expect(sandbox.openai.counters.custom).toMatchObject({ responses: 3, toolCallsRequested: 2, finalAnswers: 1 });
	});

	test('a tool error reaches the model as text, the model answers with it, and the execution ends normally', async () => {
		sandbox.openai.script = scripted([
			{ toolCalls: [{ tool: 'Check Face Match', arguments: { cpf: INVALID_CPF } }] },
			(c) => ({ text: `I could not check it: ${lastToolResult(c)}` }),
		]);
		const run = await execute(EXAMPLE);
		const [said] = JSON.parse(toolResults()[0].content);
		expect(said).toEqual({ error: 'Invalid CPF (***.456.789-**): check digits do not match', description: expect.stringMatching(/^Nothing was sent to Claro, so nothing was billed/) });
		expect(answerOf(run)).toContain('Invalid CPF (***.456.789-**): check digits do not match');
		expect(checksSent()).toEqual([]);
	});

	test('a model that repeats the same check in one execution is billed once', async () => {
		const again = { toolCalls: [{ tool: 'Check_Face_Match', arguments: { cpf: ANA.cpf } }] };
		sandbox.openai.script = scripted([again, again, { toolCalls: [{ tool: 'Check_Face_Match', arguments: { cpf: '11144477735' } }] }, (c) => ({ text: lastToolResult(c) })]);
		const run = await execute(EXAMPLE);
		expect(toolResults().map((r) => JSON.parse(r.content)[0].found)).toEqual([true, true, true]);
		expect(sandbox.claro.counters.custom).toMatchObject({ checks: 1, billedAnswers: 1 });
		expect(JSON.parse(answerOf(run))[0]).toMatchObject({ found: true, cpf: '***.444.777-**' });
	});

	test('the same example on the Chat Completions API', async () => {
		const run = await execute(CHAT_COMPLETIONS);
		expect(sandbox.openai.counters.custom).toMatchObject({ chatCompletions: 3, toolCallsRequested: 2 });
		expect(sandbox.openai.counters.custom.responses ?? 0).toBe(0);
		expect(answerOf(run)).toMatch(/^Face Match answered: \[\{"found":true,"cpf":"\*\*\*\.444\.777-\*\*"/);
		expect(checksSent()).toHaveLength(1);
	});
});

describe('the gate only a person opens', () => {
	test('a stored $fromAI permission with the model answering true is refused, naming the option; nothing reaches CleverTap', async () => {
		const identity = [...sandbox.clevertap.profiles.keys()][0];
		sandbox.openai.script = scripted([{ toolCalls: [{ tool: 'Delete_Profile', arguments: { identity, allow: true } }] }, (c) => ({ text: lastToolResult(c) })]);
		const run = await execute(GATE);
		// The model was offered the permission as an argument (n8n reads every $fromAI), and said yes.
		expect(sandbox.openai.conversations[0].tools[0].parameters.properties).toHaveProperty('allow');
		expect(toolResults()[0].arguments).toMatch(/"allow":true/);
		// n8n 2.x hands the tool node its stored parameters, so the gate sees the expression and says so. n8n 1.x's agent
		// runs a copy of the node whose permission is not the stored expression (seen on 1.123.81): the gate then finds
		// no switch turned on and gives its plain refusal. Refused either way, and nothing is sent (below).
		const sawExpression = !(process.env.N8N_VERSION ?? '').startsWith('1.');
		expect(JSON.parse(toolResults()[0].content)).toEqual([
			sawExpression
				? {
						error: 'Not done: "Allow AI Agent to Run This" on this tool is an expression, and only a switch a person turned on counts, so nothing was sent',
						description: expect.stringMatching(/replacing the expression in "Allow AI Agent to Run This" on the "Delete Profile" tool/),
					}
				: {
						error: 'Not done: an AI agent may not erase a CleverTap profile with this tool, so nothing was sent',
						description: expect.stringMatching(/"Allow AI Agent to Run This" on the "Delete Profile" tool/),
					},
		]);
		expect(answerOf(run)).toMatch(/^\[\{"error":"Not done/);
		expect(sandbox.clevertap.requestLog).toHaveLength(0);
		expect(sandbox.clevertap.profiles.has(identity)).toBe(true);
		// The user's own prompt holds Ana's CPF (the operator typed it); nothing else may.
		const leaks = new Leaks({ shapes: true, allow: [ANA.cpf] });
		leaks.watch(sandbox.clevertap.passcode, sandbox.openai.apiKey);
		leaks.collect(run, ...sandbox.openai.received.map((r) => r.body));
		expect(leaks.assertNone()).toBeGreaterThan(1_000);
	});
});

describe('served: the chat webhook and the MCP Server Trigger', () => {
	let server: ChildProcess & { output: string[] };
	const base = () => `http://127.0.0.1:${port}`;
	const chatUrl = (webhookId: string) => `${base()}/webhook/${webhookId}/chat`;

	beforeAll(async () => {
		for (const id of [EXAMPLE, CHAT_COMPLETIONS, MCP]) await app.activateWorkflow(bin, env, id);
		server = app.startN8n(bin, env);
		// n8n activates the workflows one after the other and says it is ready once all are: wait for that line,
		// then for both hosted chat pages.
		await app.waitFor('n8n activating every workflow', async () => server.output.join('').includes('Editor is now accessible'), 150_000, server);
		for (const id of [CHAT_RESPONSES, CHAT_COMPLETIONS_WEBHOOK]) {
			await app.waitFor(`the chat trigger ${id} answering`, async () => (await fetch(chatUrl(id))).status === 200, 60_000, server);
		}
	}, 180_000);

	afterAll(async () => {
		if (server) {
			seen.push(server.output.join(''));
			await app.stopChild(server);
		}
	});

	/** A chat message as the hosted chat page sends it; the answer streams back as JSON lines. */
	async function chat(webhookId: string, chatInput: string) {
		const res = await fetch(chatUrl(webhookId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'sendMessage', sessionId: `s-${Date.now()}`, chatInput }) });
		const text = await res.text();
		seen.push(text);
		expect(res.status).toBe(200);
		let lines: Array<{ type: string; content?: string }>;
		try {
			lines = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
		} catch {
			throw new Error(`the chat webhook did not answer JSON lines:\n${text.slice(0, 2000)}`);
		}
		return { lines, said: lines.filter((l) => l.type === 'item').map((l) => l.content ?? '').join('') };
	}

	test.each([
		['Responses API', CHAT_RESPONSES, 'responses'],
		['Chat Completions API', CHAT_COMPLETIONS_WEBHOOK, 'chatCompletions'],
	])('a chat message through the chat webhook, streamed (%s): the tools run and the answer streams back', async (_name, webhookId, api) => {
		const { lines, said } = await chat(webhookId, `Please onboard Ana Souza: CPF ${ANA.cpf}, email ${ANA.email}.`);
		expect(lines.map((l) => l.type)).toContain('end');
		expect(said).toMatch(/^Face Match answered: \[\{"found":true,"cpf":"\*\*\*\.444\.777-\*\*".*\nCleverTap answered: \[\{"uploaded":true/s);
		expect(sandbox.openai.conversations.every((c) => c.stream)).toBe(true);
		expect(sandbox.openai.counters.custom[api]).toBe(3);
		expect(checksSent()).toEqual(['identificationType=CPF&IdentificationId=11144477735']);
	});

	test('an MCP client lists our tools and calls them; an error comes back as text', async () => {
		const client = new Client({ name: 'test-n8n', version: '1.0.0' });
		await client.connect(new StreamableHTTPClientTransport(new URL(`${base()}/mcp/fintech-identity`)));
		try {
			const { tools } = await client.listTools();
			seen.push(JSON.stringify(tools));
			expect(tools.map((t) => t.name).sort()).toEqual(['Check_Face_Match', 'Get_Clara_Card', 'Get_CleverTap_Profile', 'Get_Conferma_Deployment']);
			const faceMatch = tools.find((t) => t.name === 'Check_Face_Match')!;
			// The action text says what it checks; the CPF it takes is in the input schema below.
			expect(faceMatch.description).toMatch(/facial biometrics/);
			expect(faceMatch.inputSchema).toMatchObject({ type: 'object', properties: { cpf: { type: 'string' } }, required: ['cpf'] });

			const text = (result: Awaited<ReturnType<typeof client.callTool>>) => {
				seen.push(JSON.stringify(result));
				return (result.content as Array<{ type: string; text: string }>).map((c) => c.text).join('');
			};
			const person = sandbox.claro.people.get('11144477735')!;
			expect(JSON.parse(text(await client.callTool({ name: 'Check_Face_Match', arguments: { cpf: ANA.cpf } })))).toEqual([
				{ found: true, cpf: '***.444.777-**', versions: person.versions, transactionId: expect.any(String) },
			]);
			const profile = [...sandbox.clevertap.profiles.values()][0];
			expect(JSON.parse(text(await client.callTool({ name: 'Get_CleverTap_Profile', arguments: { email: profile.email } })))).toEqual([expect.objectContaining({ identity: profile.identity })]);
			const card = sandbox.clara.data.cards[0];
			expect(JSON.parse(text(await client.callTool({ name: 'Get_Clara_Card', arguments: { card_uuid: card.uuid } })))).toEqual([expect.objectContaining({ uuid: card.uuid })]);
			const invalid = await client.callTool({ name: 'Check_Face_Match', arguments: { cpf: INVALID_CPF } });
			expect(JSON.parse(text(invalid))).toEqual([{ error: 'Invalid CPF (***.456.789-**): check digits do not match', description: expect.any(String) }]);
			expect(checksSent()).toEqual(['identificationType=CPF&IdentificationId=11144477735']);
			// Each MCP call runs outside any execution (n8n calls the tool from the trigger's webhook), so there is no
			// execution to share an answer with: a repeated call is checked again. The README says so.
			await client.callTool({ name: 'Check_Face_Match', arguments: { cpf: ANA.cpf } });
			expect(checksSent()).toHaveLength(2);
		} finally {
			await client.close();
		}
	});
});

test('nothing the model or the MCP client received holds a secret or a token; no full CPF in what n8n and our tools added', () => {
	const secrets = [
		sandbox.clara.clientSecret, sandbox.claro.secret, sandbox.clevertap.passcode, sandbox.conferma.clientSecret, sandbox.openai.apiKey,
		...sandbox.clara.issuedTokens(), ...sandbox.claro.issuedTokens(), ...sandbox.conferma.issuedTokens(),
		...sandbox.certs.client.key.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line)),
	];
	const everything = [...rawBodies, ...seen].join('\n');
	expect(rawBodies.length).toBeGreaterThan(10);
	expect(secrets.filter((secret) => everything.includes(secret)).map((secret) => `${secret.slice(0, 3)}…`)).toEqual([]);
	// The user typed the CPF and the model passed it back to the tool, so those two parts of a request hold it (and
	// the raw requests prove this grep reads real traffic). Everything else the model is sent — the system message,
	// the tools' descriptions and schemas, and every tool result or error — must not.
	expect(everything).toContain(ANA.cpf);
	const added = JSON.stringify(conversations.map((c) => ({ system: c.system, tools: c.tools, results: c.toolResults.map((r) => r.content) })));
	expect(added).toContain('***.444.777-**');
	expect(CPFS.filter((cpf) => added.includes(cpf))).toEqual([]);
	// And no biohash ever reached the model.
	const biohashes = [...sandbox.claro.people.values()].flatMap((p) => p.biohashs);
	expect(biohashes.filter((h) => everything.includes(h))).toEqual([]);
});
