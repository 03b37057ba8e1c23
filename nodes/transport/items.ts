import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { mapConcurrent } from './limiter';
import { checkOptionValues, optionChoices } from './option-values';
import { redact } from './redact';
import { errorForModel, isToolRun } from './tool';
import { InvalidInput } from './validate';

/** What one input item produced: its output json (one or many) or the error that stopped it. */
export type ItemResult = IDataObject | IDataObject[] | Error;

/**
 * Whether a failed item becomes an error item instead of stopping the node: with n8n's "On Error: Continue", and
 * always in an AI-agent tool run, where the model must read the error (a thrown one would end the execution).
 */
export function continuesOnFail(ctx: IExecuteFunctions): boolean {
	return ctx.continueOnFail() || isToolRun(ctx);
}

/**
 * Turn per-item results into n8n output: every input item yields its outputs or exactly one error item
 * (continuesOnFail), each paired to that input. Otherwise the first failing item stops the node.
 */
export function toOutput(ctx: IExecuteFunctions, results: ItemResult[]): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	const keepGoing = continuesOnFail(ctx);
	const forModel = isToolRun(ctx);
	results.forEach((result, itemIndex) => {
		if (result instanceof Error) {
			if (!keepGoing) {
				if (result instanceof NodeOperationError || 'context' in result) throw result;
				throw new NodeOperationError(ctx.getNode(), result, { itemIndex });
			}
			if (forModel) {
				out.push({ json: errorForModel(result), pairedItem: { item: itemIndex } });
				return;
			}
			const description = (result as { description?: string }).description;
			// n8n's "Continue (using error output)" routes only items whose json is `{ error }` alone (and then adds
			// the input item's fields), so there the advice joins the message; otherwise it has its own field.
			const json = ctx.getNode().onError === 'continueErrorOutput'
				? { error: description ? `${result.message}. ${description}` : result.message }
				: { error: result.message, ...(description ? { description } : {}) };
			out.push({ json, pairedItem: { item: itemIndex } });
			return;
		}
		// What n8n's returnJsonArray + constructExecutionMetaData give, built in one pass: a Return All of 50,000
		// transactions would otherwise hold two extra arrays of 50,000 wrappers (and a spread of 50,000 arguments).
		const pairedItem = { item: itemIndex };
		for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem });
	});
	return out;
}

/**
 * Run `handler` for every input item, `concurrency` at a time (requests share pooled connections, so items in
 * parallel cost no extra handshakes). Once an item fails without continuesOnFail, no further item is started.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
	options: { concurrency?: number } = {},
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const keepGoing = continuesOnFail(ctx);
	// Fields with a fixed list of values, checked for each item before the operation reads them (option-values.ts).
	const choices = optionChoices(ctx);
	let failed = false;
	const results = await mapConcurrent(items, options.concurrency ?? 8, async (_item, itemIndex): Promise<ItemResult> => {
		if (failed) return new Error('not run: an earlier item failed');
		try {
			checkOptionValues(ctx, choices, itemIndex);
			return await handler(itemIndex);
		} catch (error) {
			if (!keepGoing) failed = true;
			// Every message an item ends with is masked here, whichever operation wrote it (a CPF mapped into the
			// wrong field, a token in a vendor's text): the services' own mapping does so too, this is the backstop.
			if (error instanceof InvalidInput) {
				return new NodeOperationError(ctx.getNode(), redact(error.message), { itemIndex, description: error.description && redact(error.description) });
			}
			if (!(error instanceof Error)) return new Error(redact(String(error)));
			if ('context' in error) (error as any).context.itemIndex ??= itemIndex;
			error.message = redact(error.message);
			const described = error as { description?: unknown };
			if (typeof described.description === 'string') described.description = redact(described.description);
			return error;
		}
	});
	if (failed) {
		// Report the first failure in input order, not the one that happened to finish first.
		const first = results.find((r) => r instanceof Error && r.message !== 'not run: an earlier item failed');
		throw first;
	}
	return toOutput(ctx, results);
}

/**
 * `{{ $json.a.b }}`, `{{ $json['a b'] }}` or `{{ $('Node').item.json.a }}` as the whole parameter (text around the
 * braces would join the value): the forms the editor writes when a person drags a field in, from the input or from an
 * earlier node. The node it names (null for the input item) and the path, or null for any other value.
 */
const FIELD_EXPRESSION =
	/^=\{\{\s*(?:\$json|\$\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)\s*\.\s*item\s*\.\s*json)((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*(?:'[^'\\]*'|"[^"\\]*")\s*\])+)\s*\}\}$/;
const PATH_STEP = /\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\]/g;

export interface FieldSource {
	node: string | null;
	path: string[];
}

export function fieldPath(raw: unknown): FieldSource | null {
	const match = typeof raw === 'string' ? FIELD_EXPRESSION.exec(raw) : null;
	if (!match) return null;
	return { node: match[1] ?? match[2] ?? null, path: [...match[3].matchAll(PATH_STEP)].map((step) => step[1] ?? step[2] ?? step[3]) };
}

const fieldPaths = new WeakMap<object, Map<string, FieldSource | null>>();

/** The json a field expression starts from: the input item, or the earlier node's item paired to it, as n8n's data proxy finds it. */
function sourceJson(ctx: IExecuteFunctions, source: FieldSource, itemIndex: number): unknown {
	if (source.node === null) return ctx.getInputData()[itemIndex]?.json;
	try {
		return (ctx.getWorkflowDataProxy(itemIndex).$(source.node) as { item?: { json?: unknown } }).item?.json;
	} catch {
		// No such node, not run yet, no paired item: n8n's evaluation says so in its own words.
		return undefined;
	}
}

/** What `keys` lead to in `value`, own properties only (a name like "constructor" is not the prototype's). */
const at = (value: unknown, keys: string[]) =>
	keys.reduce((v, key) => (v !== null && typeof v === 'object' && Object.hasOwn(v, key) ? (v as IDataObject)[key] : undefined), value);

/**
 * A parameter's value for one item (`name` as getNodeParameter takes it, nested ones too). When the parameter is
 * exactly `{{ $json.field }}` or `{{ $('Node').item.json.field }}` and the item holds text or a number there, it is
 * read straight from the item (an earlier node's through n8n's own data proxy, which pairs the items): the value
 * n8n's expression engine gives for it, without the engine's cost per item (n8n 1.123 and 2.x run every expression
 * in an isolate, a few milliseconds each in the app). Every other value, and a field that is missing or holds
 * anything else, goes through n8n.
 */
export function itemParameter(ctx: IExecuteFunctions, name: string, itemIndex: number): unknown {
	let paths = fieldPaths.get(ctx);
	if (!paths) fieldPaths.set(ctx, (paths = new Map()));
	let source = paths.get(name);
	// As saved in the workflow, by getNodeParameter's path syntax (`properties.property[0].value`).
	if (source === undefined) paths.set(name, (source = fieldPath(at(ctx.getNode().parameters, name.split(/[.[\]]+/).filter(Boolean)))));
	if (source) {
		const value = at(sourceJson(ctx, source, itemIndex), source.path);
		if (typeof value === 'string' || typeof value === 'number') return value;
	}
	return ctx.getNodeParameter(name, itemIndex, '');
}
