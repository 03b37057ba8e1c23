import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { redact } from './redact';
import { InvalidInput } from './validate';

/**
 * Our nodes as AI-agent tools. Every action node declares `usableAsTool`, and n8n then offers a `<name>Tool` copy of
 * it (same code, `Tool` added to the type name, one ai_tool output) that an AI Agent or the MCP Server Trigger
 * calls. Three things change when a model is the caller:
 *  - an error must come back to the model as text it can act on, not end the execution: runPerItem does that by
 *    itself in a tool run (every item gets its output or `{error, description}`), and `answerErrorsAsText` covers
 *    what a router throws before runPerItem;
 *  - everything the model receives goes into its context and its provider's logs: error text is passed through
 *    `redact` (CPFs masked, tokens and keys removed) on the way;
 *  - an operation that deletes, cancels or moves money is refused in a tool run unless the user turned on its
 *    "Allow AI Agent to Run This" option on that node (shown only on the Tool copy, off by default).
 *
 * Usage, in a destructive or money-moving operation:
 *
 *     // nodes/<Service>/actions/<resource>/<operation>.operation.ts
 *     import { agentPermissionProperty, refuseInAgentRun, runPerItem } from '../../../transport';
 *
 *     export const description: INodeProperties[] = [
 *         ...fields,
 *         agentPermissionProperty('card', 'cancel', 'cancel the card (it cannot be undone)'),
 *     ];
 *
 *     export async function execute(this: IExecuteFunctions) {
 *         return runPerItem(this, async (i) => {
 *             refuseInAgentRun(this, i, 'cancel a card'); // first: nothing is sent when refused
 *             …
 *         });
 *     }
 *
 * and in a node's router, so that an error thrown before the items run still reaches the model as text:
 *
 *     return answerErrorsAsText(this, async () => [await op.execute.call(this, client)]);
 */

type ToolContext = Pick<IExecuteFunctions, 'getNode'> & { isToolExecution?: () => boolean };

/**
 * Whether this run is a tool call. n8n runs a tool in two ways: the AI Agent (version 3) asks the engine to run the
 * tool node as an ordinary node run, whose context says `isToolExecution() === false`; the MCP Server Trigger and
 * older agents run it through a sub-node context where it says true. In both the node is the `…Tool` copy, which is
 * also the test n8n's own `@tool` display option makes.
 */
export function isToolRun(ctx: ToolContext): boolean {
	return ctx.isToolExecution?.() === true || ctx.getNode().type.endsWith('Tool');
}

export const AGENT_PERMISSION = 'agentMayRun';
const PERMISSION_LABEL = 'Allow AI Agent to Run This';

/**
 * The option that lets an agent run a destructive or money-moving operation. Shown only on the node's Tool copy.
 * `noDataExpression` only hides the expression toggle in the editor; what makes an expression count as "no" is
 * agentAllowed, which reads the value as saved.
 */
export function agentPermissionProperty(resource: string, operation: string | string[], effect: string): INodeProperties {
	return {
		displayName: PERMISSION_LABEL,
		name: AGENT_PERMISSION,
		type: 'boolean',
		default: false,
		noDataExpression: true,
		description: `Whether an AI agent using this tool may ${effect}. Off: the agent is told it is not allowed, and nothing is sent.`,
		displayOptions: { show: { '@tool': [true], resource: [resource], operation: [operation].flat() } },
	};
}

/**
 * Whether a person allowed agents on this node: only the literal `true` saved on it. The stored value is read, never
 * evaluated: an expression there (`$fromAI(…)`, `$json…`, from an imported or API-made workflow) would let the model
 * or the data answer a question only the workflow's owner may answer.
 */
export function agentAllowed(ctx: ToolContext): boolean {
	return ctx.getNode().parameters[AGENT_PERMISSION] === true;
}

/** In a tool run without the permission on, refuses the item (an input error: nothing is sent). */
export function refuseInAgentRun(ctx: ToolContext, _itemIndex: number, action: string): void {
	if (!isToolRun(ctx) || agentAllowed(ctx)) return;
	const stored = ctx.getNode().parameters[AGENT_PERMISSION];
	if (typeof stored === 'string' && stored.startsWith('=')) {
		throw new InvalidInput(
			PERMISSION_LABEL,
			`Not done: "${PERMISSION_LABEL}" on this tool is an expression, and only a switch a person turned on counts, so nothing was sent`,
			`Tell the user that a person has to do this. The workflow's owner can allow it by replacing the expression in "${PERMISSION_LABEL}" on the "${ctx.getNode().name}" tool with the switch turned on.`,
		);
	}
	throw new InvalidInput(
		PERMISSION_LABEL,
		`Not done: an AI agent may not ${action} with this tool, so nothing was sent`,
		`Tell the user that a person has to do this. The workflow's owner can allow it with "${PERMISSION_LABEL}" on the "${ctx.getNode().name}" tool.`,
	);
}

/** Error text as a model receives it: one line of what happened and what to do, CPFs masked, no token or key. */
export function errorForModel(error: Error): { error: string; description?: string } {
	const description = (error as { description?: unknown }).description;
	return { error: redact(error.message), ...(typeof description === 'string' && description ? { description: redact(description) } : {}) };
}

/**
 * Runs a node's work; in a tool run, an error it throws becomes one `{error, description}` item per input item, so
 * the model reads what went wrong and the execution goes on. Outside tool runs the error is thrown as before.
 */
export async function answerErrorsAsText(ctx: IExecuteFunctions, run: () => Promise<INodeExecutionData[][]>): Promise<INodeExecutionData[][]> {
	const outcome = await run().then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if ('value' in outcome) return outcome.value;
	const { error } = outcome;
	if (!isToolRun(ctx)) throw error;
	const reason = error instanceof Error ? error : new NodeOperationError(ctx.getNode(), String(error));
	return [ctx.getInputData().map((_item, item) => ({ json: errorForModel(reason), pairedItem: { item } }))];
}
