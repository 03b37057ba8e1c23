/**
 * Claro Face Match as an AI-agent tool, inside n8n's engine against the emulator: each tool call is a node run of the
 * agent's execution (test/harness/agent.ts), as n8n's AI Agent makes it. What a model receives is the observation n8n
 * builds from the tool's output; these tests read exactly that.
 */
import type { IDataObject } from 'n8n-workflow';
import { ClaroFaceMatchApi } from '../../credentials/ClaroFaceMatchApi.credentials';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claroCredentials } from '../../sandbox/credentials';
import { asTool, scriptedAgent, type PlannedCall } from '../harness/agent';
import { runWorkflow, safeStringify } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'claro'>;
const leaks = new Leaks();
const tool = asTool(new ClaroFaceMatch());
const KNOWN = '111.444.777-35';

/** The model's view: a Face Match tool whose CPF is filled by the model, as the editor's "let the model define it" writes it. */
const faceMatch = (options: IDataObject = {}) => ({
	name: 'Check Face Match',
	nodeType: tool,
	parameters: { resource: 'facialBiometrics', operation: 'check', cpf: "={{ $fromAI('cpf', 'The person\\'s CPF', 'string') }}", options },
});

async function agentRun(rounds: PlannedCall[][], creds: IDataObject = claroCredentials(sandbox), options: IDataObject = {}, tool = faceMatch(options), items?: IDataObject[]) {
	leaks.watch(creds.secret, ...sandbox.claro.issuedTokens());
	const result = await runWorkflow({
		nodes: [{ name: 'Agent', nodeType: scriptedAgent(rounds) }, tool],
		connections: {},
		tools: { 'Check Face Match': 'Agent' },
		credentials: { claroFaceMatchApi: creds },
		credentialTypes: [new ClaroFaceMatchApi()],
		items,
	});
	const observations = (result.output('Agent')[0]?.json.observations ?? []) as Array<{ tool: string; observation: string }>;
	leaks.collect(observations, result.logs, ...(result.error ? [result.error] : []));
	return { ...result, observations: observations.map((o) => JSON.parse(o.observation)) };
}

const call = (cpf: unknown): PlannedCall => ({ tool: 'Check Face Match', input: { cpf } as IDataObject });

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['claro'] });
	leaks.watch(KNOWN, KNOWN.replace(/\D/g, ''), '123.456.789-00', '12345678900');
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	sandbox.claro.resetCounters();
});

test('a model that repeats the same check three times in one execution is billed once; each call gets the answer', async () => {
	const run = await agentRun([[call(KNOWN)], [call('11144477735')], [call(' 111.444.777-35 ')]]);
	expect(run.status).toBe('success');
	const person = sandbox.claro.people.get('11144477735')!;
	const answer = { found: true, cpf: '***.444.777-**', versions: person.versions, transactionId: expect.any(String) };
	expect(run.observations).toEqual([[answer], [answer], [answer]]);
	expect(sandbox.claro.counters.custom).toMatchObject({ checks: 1, billedAnswers: 1 });
	// Each call is its own run of the tool node in the agent's execution, as n8n's engine makes it.
	expect(run.runData['Check Face Match']).toHaveLength(3);
});

test('two calls at once (parallel tool calls) share one check', async () => {
	const run = await agentRun([[call(KNOWN), call('111.444.777-35')]]);
	expect(run.observations.map((o) => o[0].found)).toEqual([true, true]);
	expect(sandbox.claro.counters.custom.checks).toBe(1);
});

test('another execution checks again: the answer is kept per execution, not across them', async () => {
	await agentRun([[call(KNOWN)]]);
	await agentRun([[call(KNOWN)]]);
	expect(sandbox.claro.counters.custom.checks).toBe(2);
});

test('biometric hashes stay out of what the model receives; a biohash to compare still gives "matches"', async () => {
	const [hash] = sandbox.claro.people.get('11144477735')!.biohashs;
	const run = await agentRun([[call(KNOWN)]], claroCredentials(sandbox), { biohash: hash });
	expect(run.observations[0]).toEqual([expect.objectContaining({ found: true, matches: true })]);
	expect(JSON.stringify(run.observations)).not.toContain(hash);
});

test('an invalid CPF comes back to the model as text it can act on; nothing is sent; the execution goes on', async () => {
	const run = await agentRun([[call('123.456.789-00')], [call(KNOWN)]]);
	expect(run.status).toBe('success');
	expect(run.observations[0]).toEqual([
		{
			error: 'Invalid CPF (***.456.789-**): check digits do not match',
			description: expect.stringMatching(/^Nothing was sent to Claro, so nothing was billed\. A CPF has 11 digits/),
		},
	]);
	// The model corrected itself; only the valid CPF reached Claro.
	expect(run.observations[1][0].found).toBe(true);
	expect(sandbox.claro.counters.custom.checks).toBe(1);
});

test('a model that leaves the CPF out is told which field is missing', async () => {
	const run = await agentRun([[{ tool: 'Check Face Match', input: {} }]]);
	expect(run.status).toBe('success');
	expect(run.observations[0][0].error).toMatch(/CPF|cpf/);
	expect(sandbox.claro.counters.custom.checks ?? 0).toBe(0);
});

test('a CPF unknown to Claro: found false (not billed); with "Not Found Is an Error" the model reads why', async () => {
	const unknown = await agentRun([[call('222.333.666-38')]]);
	expect(unknown.observations[0]).toEqual([expect.objectContaining({ found: false, cpf: '***.333.666-**' })]);
	const strict = await agentRun([[call('222.333.666-38')]], claroCredentials(sandbox), { notFoundIsError: true });
	expect(strict.status).toBe('success');
	expect(strict.observations[0]).toEqual([{ error: "CPF ***.333.666-** is not in Claro's base (HTTP 422)", description: expect.stringMatching(/^Claro holds no facial biometrics/) }]);
});

test('a failing credential or a Claro outage is text for the model, with no secret, and the run ends normally', async () => {
	const wrong = await agentRun([[call(KNOWN)]], claroCredentials(sandbox, { secret: 'not-the-secret-123' }));
	expect(wrong.status).toBe('success');
	expect(wrong.observations[0][0].error).toMatch(/^Claro did not issue a token \(HTTP 401\): the key or secret is wrong/);
	leaks.watch('not-the-secret-123');

	sandbox.claro.faults.fail(20, 503, { pathPrefix: '/identity' });
	const outage = await agentRun([[call(KNOWN)]]);
	sandbox.claro.faults.clear();
	expect(outage.status).toBe('success');
	expect(outage.observations[0][0].error).toMatch(/HTTP 503/);
	// A failed check is not kept: the next call in another execution checks again and gets the answer.
	const after = await agentRun([[call(KNOWN)]]);
	expect(after.observations[0][0].found).toBe(true);
});

test('the CPF can come from the workflow instead of the model: the model only asks for the check and never sees it', async () => {
	const fromWorkflow = { ...faceMatch(), parameters: { ...faceMatch().parameters, cpf: "={{ $('Items').first().json.cpf }}" } };
	const run = await agentRun([[{ tool: 'Check Face Match', input: {} }]], claroCredentials(sandbox), {}, fromWorkflow, [{ cpf: KNOWN, email: 'ana@example.com' }]);
	expect(run.observations[0]).toEqual([expect.objectContaining({ found: true, cpf: '***.444.777-**' })]);
	expect(sandbox.claro.counters.custom.checks).toBe(1);
});

test('nothing a model received in this file holds a full CPF, a secret or a token', () => {
	expect(leaks.assertNone()).toBeGreaterThan(2000);
	expect(safeStringify(sandbox.claro.errors)).toBe('[]');
});
