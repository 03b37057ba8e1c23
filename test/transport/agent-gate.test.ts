/**
 * "Allow AI Agent to Run This" counts only as a switch a person turned on: an expression stored in it (a workflow
 * imported, made through n8n's API or from a template) is refused without being evaluated, on every gated operation
 * of every service, even when the model answers `true` to the `$fromAI` question. In n8n's engine, against the
 * sandbox; the requests each vendor received are counted.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import { asTool, scriptedAgent } from '../harness/agent';
import { capturedLogs, runWorkflow } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'clara' | 'clevertap' | 'conferma'>;
const leaks = new Leaks({ shapes: true });

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara', 'clevertap', 'conferma'] });
	leaks.watch(sandbox.clara.clientSecret, sandbox.clevertap.passcode, sandbox.conferma.clientSecret);
});
afterAll(async () => {
	leaks.collect(capturedLogs.join('\n'));
	leaks.assertNone();
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	for (const name of ['clara', 'clevertap', 'conferma'] as const) sandbox[name].resetCounters();
});

const requests = () => sandbox.clara.requestLog.length + sandbox.clevertap.requestLog.length + sandbox.conferma.requestLog.length;

const FROM_AI = "={{ $fromAI('allow', 'Whether you may do this', 'boolean') }}";

interface Gated {
	name: string;
	node: INodeType;
	credentials: () => Record<string, IDataObject>;
	parameters: () => IDataObject;
}

const clara = () => ({ claraApi: claraCredentials(sandbox) });
const clevertap = () => ({ cleverTapApi: cleverTapCredentials(sandbox) });
const conferma = () => ({ confermaPayApi: confermaCredentials(sandbox) });

const gated: Gated[] = [
	{ name: 'Clara Card Cancel', node: new Clara(), credentials: clara, parameters: () => ({ resource: 'card', operation: 'cancel', uuid: sandbox.clara.data.cards[0].uuid as string }) },
	{ name: 'Clara User Delete', node: new Clara(), credentials: clara, parameters: () => ({ resource: 'user', operation: 'delete', uuid: sandbox.clara.data.users[0].uuid as string }) },
	{ name: 'Clara Group Delete', node: new Clara(), credentials: clara, parameters: () => ({ resource: 'group', operation: 'delete', uuid: sandbox.clara.data.groups[0].uuid as string }) },
	{ name: 'CleverTap Campaign Stop', node: new CleverTap(), credentials: clevertap, parameters: () => ({ resource: 'campaign', operation: 'stop', campaignId: '1700000000' }) },
	{ name: 'CleverTap Profile Delete', node: new CleverTap(), credentials: clevertap, parameters: () => ({ resource: 'profile', operation: 'delete', deleteBy: 'identity', identifier: 'user-0030' }) },
	{ name: 'CleverTap Profile Demerge', node: new CleverTap(), credentials: clevertap, parameters: () => ({ resource: 'profile', operation: 'demerge', identities: 'client-1, ana@example.com' }) },
	{
		name: 'Conferma Deployment Create',
		node: new ConfermaPay(),
		credentials: conferma,
		parameters: () => ({
			resource: 'deployment',
			operation: 'create',
			clientAccountCodeType: 'CLIENTID',
			clientAccountCodeValue: '1234',
			amount: 250.5,
			currencyCode: 'GBP',
			startDate: '2026-03-01',
			endDate: '2026-03-10',
			supplierName: 'Sandbox Hotel',
			consumerReference: 'AGENT-1',
			options: {},
		}),
	},
	{
		name: 'Conferma Deployment Amend',
		node: new ConfermaPay(),
		credentials: conferma,
		parameters: () => ({ resource: 'deployment', operation: 'amend', deploymentId: String([...sandbox.conferma.deployments.keys()][0]), updateFields: { consumerReference: 'AGENT-2' }, options: {} }),
	},
];

async function byAgent(gate: Gated, permission: unknown, input: IDataObject) {
	const tool = 'Gated Tool';
	const run = await runWorkflow({
		nodes: [
			{ name: 'Agent', nodeType: scriptedAgent([[{ tool, input }]]) },
			{ name: tool, nodeType: asTool(gate.node), parameters: { ...gate.parameters(), agentMayRun: permission } as IDataObject },
		],
		connections: {},
		tools: { [tool]: 'Agent' },
		credentials: gate.credentials(),
		credentialTypes: [new ClaraApi(), new CleverTapApi(), new ConfermaPayApi()],
	});
	const [{ observation }] = run.output('Agent')[0].json.observations as Array<{ observation: string }>;
	leaks.collect(observation, run);
	return { status: run.status, said: JSON.parse(observation) as IDataObject[] };
}

describe.each(gated)('$name as an AI-agent tool', (gate) => {
	test('a stored $fromAI permission with the model answering true is refused, naming the field; nothing is sent', async () => {
		const { status, said } = await byAgent(gate, FROM_AI, { allow: true });
		expect(status).toBe('success');
		expect(said).toEqual([
			{
				error: 'Not done: "Allow AI Agent to Run This" on this tool is an expression, and only a switch a person turned on counts, so nothing was sent',
				description: expect.stringMatching(/replacing the expression in "Allow AI Agent to Run This" on the "Gated Tool" tool/),
			},
		]);
		expect(requests()).toBe(0);
	});
});

test('an expression reading the data ($json) is refused the same way: never evaluated', async () => {
	const { said } = await byAgent(gated[0], '={{ $json.allow ?? true }}', {});
	expect(said[0].error).toMatch(/"Allow AI Agent to Run This" on this tool is an expression/);
	expect(requests()).toBe(0);
});

test('the switch a person turned on still allows it', async () => {
	const { said } = await byAgent(gated[6], true, {});
	expect(said).toEqual([expect.objectContaining({ status: 'Deployed', consumerReference: 'AGENT-1' })]);
	expect(sandbox.conferma.requestLog.filter((r) => r.method === 'POST' && r.url.startsWith('/deployments'))).toHaveLength(1);
});
