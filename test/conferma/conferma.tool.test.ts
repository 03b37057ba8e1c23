/**
 * Conferma's money-moving operations as AI-agent tools, in n8n's engine against the emulator: Create (a virtual
 * card) and Amend are off unless the user turned on "Allow AI Agent to Run This" on the tool.
 */
import type { IDataObject } from 'n8n-workflow';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { confermaCredentials } from '../../sandbox/credentials';
import { asTool, scriptedAgent } from '../harness/agent';
import { runWorkflow } from '../harness/n8n';

let sandbox: Sandbox<'conferma'>;
const tool = asTool(new ConfermaPay());

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['conferma'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	sandbox.conferma.resetCounters();
});

const sent = (method: string) => sandbox.conferma.requestLog.filter((r) => r.method === method && r.url.startsWith('/deployments')).length;

async function byAgent(name: string, parameters: IDataObject) {
	const run = await runWorkflow({
		nodes: [
			{ name: 'Agent', nodeType: scriptedAgent([[{ tool: name, input: { reference: 'AGENT-1' } }]]) },
			{ name, nodeType: tool, parameters },
		],
		connections: {},
		tools: { [name]: 'Agent' },
		credentials: { confermaPayApi: confermaCredentials(sandbox) },
		credentialTypes: [new ConfermaPayApi()],
	});
	const [{ observation }] = run.output('Agent')[0].json.observations as Array<{ observation: string }>;
	return { status: run.status, said: JSON.parse(observation) };
}

const create = (extra: IDataObject = {}) => ({
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: 'CLIENTID',
	clientAccountCodeValue: '1234',
	amount: 250.5,
	currencyCode: 'GBP',
	startDate: '2026-03-01',
	endDate: '2026-03-10',
	supplierName: 'Sandbox Hotel',
	consumerReference: "={{ $fromAI('reference') }}",
	options: {},
	...extra,
});

test('an agent asking to create a deployment is told it may not; nothing is sent to Conferma', async () => {
	const { status, said } = await byAgent('Create Card', create());
	expect(status).toBe('success');
	expect(said).toEqual([{ error: 'Not done: an AI agent may not create a Conferma deployment (a virtual card) with this tool, so nothing was sent', description: expect.stringMatching(/"Allow AI Agent to Run This" on the "Create Card" tool/) }]);
	expect(sent('POST')).toBe(0);
});

test('an agent asking to amend a deployment is refused the same way', async () => {
	const id = [...sandbox.conferma.deployments.keys()][0];
	const { said } = await byAgent('Amend Card', { resource: 'deployment', operation: 'amend', deploymentId: String(id), updateFields: { consumerReference: "={{ $fromAI('reference') }}" }, options: {} });
	expect(said[0].error).toMatch(/may not amend a Conferma deployment/);
	expect(sent('PUT') + sent('GET')).toBe(0);
});

test('with "Allow AI Agent to Run This" on, the agent creates it, once', async () => {
	const { said } = await byAgent('Create Card', create({ agentMayRun: true }));
	expect(said).toEqual([expect.objectContaining({ status: 'Deployed', consumerReference: 'AGENT-1' })]);
	expect(sent('POST')).toBe(1);
});
