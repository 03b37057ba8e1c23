/**
 * Clara's destructive and money-committing operations (cancel, delete, issuing cards, changing a threshold) as AI-agent tools, in n8n's engine against the emulator: off unless the user turned
 * on "Allow AI Agent to Run This" on the tool (test/harness/agent.ts runs the tool as n8n's AI Agent does).
 */
import type { IDataObject } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials } from '../../sandbox/credentials';
import { asTool, scriptedAgent } from '../harness/agent';
import { runNode, runWorkflow } from '../harness/n8n';

let sandbox: Sandbox<'clara'>;
const tool = asTool(new Clara());

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	sandbox.clara.resetCounters();
});

const deletes = () => sandbox.clara.requestLog.filter((r) => r.method === 'DELETE').length;

async function cancelByAgent(parameters: IDataObject = {}) {
	const uuid = sandbox.clara.data.cards[0].uuid as string;
	const run = await runWorkflow({
		nodes: [
			{ name: 'Agent', nodeType: scriptedAgent([[{ tool: 'Cancel Card', input: { card_uuid: uuid } }]]) },
			{ name: 'Cancel Card', nodeType: tool, parameters: { resource: 'card', operation: 'cancel', uuid: "={{ $fromAI('card_uuid') }}", ...parameters } },
		],
		connections: {},
		tools: { 'Cancel Card': 'Agent' },
		credentials: { claraApi: claraCredentials(sandbox) },
		credentialTypes: [new ClaraApi()],
	});
	const [{ observation }] = run.output('Agent')[0].json.observations as Array<{ observation: string }>;
	return { status: run.status, said: JSON.parse(observation) };
}

test('an agent asking to cancel a card is told it may not; nothing reaches Clara', async () => {
	const { status, said } = await cancelByAgent();
	expect(status).toBe('success');
	expect(said).toEqual([{ error: 'Not done: an AI agent may not cancel a card with this tool, so nothing was sent', description: expect.stringMatching(/"Allow AI Agent to Run This" on the "Cancel Card" tool/) }]);
	expect(sandbox.clara.requestLog).toHaveLength(0);
});

test('with "Allow AI Agent to Run This" on, the agent cancels it, once', async () => {
	const { said } = await cancelByAgent({ agentMayRun: true });
	expect(said).toEqual([expect.objectContaining({ cancelled: true })]);
	expect(deletes()).toBe(1);
});

test('outside an agent the operation is not gated', async () => {
	const uuid = sandbox.clara.data.cards[1].uuid as string;
	const run = await runNode({ nodeType: new Clara(), parameters: { resource: 'card', operation: 'cancel', uuid }, credentials: { claraApi: claraCredentials(sandbox) }, credentialTypes: [new ClaraApi()] });
	expect(run.items.map((i) => i.json)).toEqual([expect.objectContaining({ cancelled: true })]);
	expect(deletes()).toBe(1);
});

describe('issuing cards and changing a threshold are gated like Cancel', () => {
	const user = () => sandbox.clara.data.users.find((u) => u.status === 'ACTIVE')!.uuid as string;
	const card = () => sandbox.clara.data.cards.find((c) => c.status === 'ACTIVE')!.uuid as string;
	const creates = () => sandbox.clara.requestLog.filter((r) => r.method === 'POST' && /\/v3\/cards$/.test(r.url)).length;
	const cases = (): Array<[string, IDataObject, RegExp]> => [
		['Create Card', { resource: 'card', operation: 'create', userUuid: user(), alias: "={{ $fromAI('alias') }}", cardType: 'virtual', threshold: 1500, periodicity: 'monthly' }, /may not create a card/],
		['Create Cards', { resource: 'card', operation: 'createMany', userUuid: user(), alias: "={{ $fromAI('alias') }}", cardType: 'virtual', threshold: 1500, periodicity: 'monthly' }, /may not create cards/],
		['Set Threshold', { resource: 'card', operation: 'setThreshold', uuid: card(), threshold: "={{ $fromAI('amount') }}" }, /may not change a card's spending limit/],
	];

	async function byAgent(name: string, parameters: IDataObject) {
		const run = await runWorkflow({
			nodes: [
				{ name: 'Agent', nodeType: scriptedAgent([[{ tool: name, input: { alias: 'Agent card', amount: 900000 } }]]) },
				{ name, nodeType: tool, parameters },
			],
			connections: {},
			tools: { [name]: 'Agent' },
			credentials: { claraApi: claraCredentials(sandbox) },
			credentialTypes: [new ClaraApi()],
		});
		const [{ observation }] = run.output('Agent')[0].json.observations as Array<{ observation: string }>;
		return JSON.parse(observation) as IDataObject[];
	}

	test('refused in a tool run without "Allow AI Agent to Run This": the agent is told, nothing reaches Clara', async () => {
		for (const [name, parameters, refusal] of cases()) {
			sandbox.clara.resetCounters();
			const said = await byAgent(name, parameters);
			expect(said).toEqual([{ error: expect.stringMatching(refusal), description: expect.stringMatching(new RegExp(`"Allow AI Agent to Run This" on the "${name}" tool`)) }]);
			expect(sandbox.clara.requestLog).toHaveLength(0);
		}
	});

	test('each has its own "Allow AI Agent to Run This" on the tool; with it on, the agent creates one card', async () => {
		const gated = tool.description.properties.filter((p) => p.name === 'agentMayRun' && p.displayOptions?.show?.resource?.includes('card')).flatMap((p) => p.displayOptions?.show?.operation ?? []);
		expect(gated).toEqual(expect.arrayContaining(['cancel', 'create', 'createMany', 'setThreshold']));
		const [name, parameters] = cases()[0];
		const said = await byAgent(name, { ...parameters, agentMayRun: true });
		expect(said).toEqual([expect.objectContaining({ alias: 'Agent card', uuid: expect.any(String) })]);
		expect(creates()).toBe(1);
	});
});
