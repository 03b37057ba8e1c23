/**
 * nodes/transport/tool.ts inside n8n's engine: a destructive operation is refused when a model calls it, unless the
 * user turned on the node's "Allow AI Agent to Run This"; the option is shown only on the Tool copy; errors reach
 * the model as redacted text. The node below is the smallest one that uses the helpers as a service would.
 */
import { NodeHelpers, type IDataObject, type IExecuteFunctions, type INodeType } from 'n8n-workflow';
import { agentPermissionProperty, answerErrorsAsText, refuseInAgentRun, runPerItem } from '../../nodes/transport';
import { asTool, scriptedAgent } from '../harness/agent';
import { runNode, runWorkflow } from '../harness/n8n';

let deleted: string[] = [];

/** "Thing → Delete": deletes (here: records) the id it is given; a Fail id throws before the items run. */
const thingNode: INodeType = {
	description: {
		displayName: 'Things',
		name: 'things',
		group: ['transform'],
		version: 1,
		description: 'Deletes things',
		defaults: { name: 'Things' },
		usableAsTool: true,
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Resource', name: 'resource', type: 'options', noDataExpression: true, options: [{ name: 'Thing', value: 'thing' }], default: 'thing' },
			{ displayName: 'Operation', name: 'operation', type: 'options', noDataExpression: true, options: [{ name: 'Delete', value: 'delete', action: 'Delete a thing' }], default: 'delete' },
			{ displayName: 'Thing ID', name: 'id', type: 'string', default: '' },
			agentPermissionProperty('thing', 'delete', 'delete the thing (it cannot be undone)'),
		],
	},
	async execute(this: IExecuteFunctions) {
		return answerErrorsAsText(this, async () => {
			if (this.getNodeParameter('id', 0) === 'Fail') throw new Error('the service refused the token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl of CPF 111.444.777-35');
			return [
				await runPerItem(this, async (i) => {
					refuseInAgentRun(this, i, 'delete a thing');
					const id = this.getNodeParameter('id', i) as string;
					deleted.push(id);
					return { deleted: id };
				}),
			];
		});
	},
};

async function asAgentTool(input: IDataObject, parameters: IDataObject = {}) {
	const run = await runWorkflow({
		nodes: [
			{ name: 'Agent', nodeType: scriptedAgent([[{ tool: 'Delete Thing', input }]]) },
			{ name: 'Delete Thing', nodeType: asTool(thingNode), parameters: { resource: 'thing', operation: 'delete', id: "={{ $fromAI('id') }}", ...parameters } },
		],
		connections: {},
		tools: { 'Delete Thing': 'Agent' },
	});
	const observations = run.output('Agent')[0]?.json.observations as Array<{ observation: string }>;
	return { status: run.status, said: JSON.parse(observations[0].observation) };
}

beforeEach(() => {
	deleted = [];
});

test('a model calling a destructive operation is refused, with what to tell the user; nothing is done', async () => {
	const { status, said } = await asAgentTool({ id: 't-1' });
	expect(status).toBe('success');
	expect(said).toEqual([
		{
			error: 'Not done: an AI agent may not delete a thing with this tool, so nothing was sent',
			description: 'Tell the user that a person has to do this. The workflow\'s owner can allow it with "Allow AI Agent to Run This" on the "Delete Thing" tool.',
		},
	]);
	expect(deleted).toEqual([]);
});

test('with "Allow AI Agent to Run This" on, the model may run it', async () => {
	const { said } = await asAgentTool({ id: 't-2' }, { agentMayRun: true });
	expect(said).toEqual([{ deleted: 't-2' }]);
	expect(deleted).toEqual(['t-2']);
});

test('the node in an ordinary workflow is not gated', async () => {
	const run = await runNode({ nodeType: thingNode, parameters: { resource: 'thing', operation: 'delete', id: 't-3' } });
	expect(run.items.map((i) => i.json)).toEqual([{ deleted: 't-3' }]);
});

test('the option is on the Tool copy only, off by default, and cannot be an expression the model fills', () => {
	const shown = (type: INodeType) =>
		Object.keys(NodeHelpers.getNodeParameters(type.description.properties, { resource: 'thing', operation: 'delete' }, true, false, null, type.description) ?? {});
	expect(shown(asTool(thingNode))).toContain('agentMayRun');
	expect(shown(thingNode)).not.toContain('agentMayRun');
	const option = thingNode.description.properties.find((p) => p.name === 'agentMayRun')!;
	expect([option.default, option.noDataExpression]).toEqual([false, true]);
});

test('an error thrown before the items run reaches the model as text, with the token removed and the CPF masked', async () => {
	const { status, said } = await asAgentTool({ id: 'Fail' });
	expect(status).toBe('success');
	expect(said).toEqual([{ error: 'the service refused the token [redacted token] of CPF ***.444.777-**' }]);
	// Outside a tool run the same error stops the node, as before.
	const run = await runNode({ nodeType: thingNode, parameters: { resource: 'thing', operation: 'delete', id: 'Fail' } });
	expect(run.status).toBe('error');
});
