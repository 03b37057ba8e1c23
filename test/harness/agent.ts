/**
 * Our nodes as AI-agent tools inside n8n's engine, without a model. n8n's AI Agent (version 3) does not call a tool
 * itself: it returns an *engine request* ("run these tool nodes with these inputs"), n8n-core's WorkflowExecute runs
 * each tool node as a node run of the same execution, then resumes the agent with what they returned. The stand-in
 * agent here does exactly that with a fixed list of calls, so the engine code that runs a tool is n8n's own; only the
 * model's choices are scripted. (The real AI Agent with n8n's OpenAI Chat Model runs in test/real-n8n/agent.test.ts.)
 */
import type { EngineRequest, EngineResponse, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { deepCopy } from 'n8n-workflow';

/**
 * The `…Tool` copy n8n makes of a `usableAsTool` node (n8n's tool-generation `convertNodeToAiTool`): the same code,
 * `Tool` appended to the type name, no main input, one ai_tool output.
 */
export function asTool(nodeType: INodeType): INodeType {
	const description = deepCopy(nodeType.description);
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = ['ai_tool'];
	delete description.usableAsTool;
	const tool = Object.create(nodeType) as INodeType;
	Object.defineProperty(tool, 'description', { value: description });
	return tool;
}

export interface PlannedCall {
	/** The tool node's name in the workflow. */
	tool: string;
	/** What the model would pass: the values of the tool's `$fromAI()` parameters. */
	input: IDataObject;
}

interface AgentMemory {
	round: number;
	/** Every observation so far, as the agent hands it to the model: JSON of the tool's output items, or its error. */
	observations: Array<{ tool: string; observation: string }>;
}

/**
 * An agent node that makes `rounds` of tool calls (each round's calls run together), then outputs
 * `{ observations }`: what each tool returned, in the form n8n's agent gives the model (`buildObservation`).
 */
export function scriptedAgent(rounds: PlannedCall[][]): INodeType {
	return {
		description: {
			displayName: 'Scripted Agent',
			name: 'scriptedAgent',
			group: ['transform'],
			version: 1,
			description: 'Calls tools as a scripted model would',
			defaults: { name: 'Agent' },
			inputs: ['main', 'ai_tool'],
			outputs: ['main'],
			properties: [],
		} as INodeType['description'],
		async execute(this: IExecuteFunctions, response?: EngineResponse<AgentMemory>): Promise<INodeExecutionData[][] | EngineRequest<AgentMemory>> {
			const memory: AgentMemory = response?.metadata?.round !== undefined ? response.metadata : { round: 0, observations: [] };
			for (const { action, data } of response?.actionResponses ?? []) {
				const items = data?.data?.ai_tool?.[0]?.map((item) => item.json);
				const observation = items?.length ? JSON.stringify(items) : JSON.stringify({ error: data?.error?.message ?? 'no output' });
				memory.observations.push({ tool: action.nodeName, observation });
			}
			const calls = rounds[memory.round];
			if (!calls) return [[{ json: { observations: memory.observations } as unknown as IDataObject, pairedItem: { item: 0 } }]];
			return {
				actions: calls.map((call, i) => ({
					actionType: 'ExecutionNodeAction' as const,
					nodeName: call.tool,
					input: call.input,
					type: 'ai_tool' as const,
					id: `call_${memory.round}_${i}`,
					metadata: { round: memory.round, observations: memory.observations, itemIndex: 0 } as AgentMemory,
				})),
				metadata: { round: memory.round + 1, observations: memory.observations },
			};
		},
	};
}
