import { NodeHelpers } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeTypeDescription, NodeParameterValueType } from 'n8n-workflow';
import { InvalidInput, shown } from './validate';

/**
 * A field with a fixed list of values (`type: 'options'`) is a choice in the editor, but a workflow may hold an
 * expression there: then n8n hands the node whatever the expression gives, and an
 * operation that compares it with one of its values falls back silently (Card Type "Physical" would issue a virtual
 * card). runPerItem checks every such field the node shows, for every item, before the operation reads any of them:
 * a value outside the list is an error naming the field and the values it takes, and nothing is sent.
 *
 * The node's own description is needed for that, and an execution context does not hand it over: each node
 * registers its description once, where it is declared (`description = withOptionCheck({...})`).
 */

const descriptions = new Map<string, INodeTypeDescription>();

/** Registers a node's description for the check; returns it unchanged. */
export function withOptionCheck<T extends INodeTypeDescription>(description: T): T {
	descriptions.set(description.name, description);
	return description;
}

/** A node type as n8n names it (`package.clara`, or its AI-tool copy `package.claraTool`) → our description. */
function descriptionOf(type: string): INodeTypeDescription | undefined {
	const name = type.slice(type.lastIndexOf('.') + 1);
	return descriptions.get(name) ?? descriptions.get(name.replace(/Tool$/, ''));
}

interface Choice {
	/** As getNodeParameter takes it: `cardType`, `filters.status`, `properties.property[0].type`. */
	path: string;
	label: string;
	values: INodePropertyOptions[];
}

const isFixedList = (p: INodeProperties) =>
	p.type === 'options' && Array.isArray(p.options) && p.options.length > 0 && !p.typeOptions?.loadOptionsMethod && !p.typeOptions?.loadOptions;

/** Every options field holding an expression in `values` under `props` (collections and fixed collections walked into). */
function collect(props: INodeProperties[], values: Record<string, unknown>, prefix: string, parentLabel: string | undefined, out: Choice[]) {
	for (const p of props) {
		if (!Object.hasOwn(values, p.name)) continue;
		const stored = values[p.name];
		const path = `${prefix}${p.name}`;
		const label = parentLabel ? `${p.displayName} (in ${parentLabel})` : p.displayName;
		// A value picked in the editor is one of the list; only an expression can be anything.
		if (isFixedList(p)) {
			if (typeof stored === 'string' && stored.startsWith('=')) out.push({ path, label, values: p.options as INodePropertyOptions[] });
		}
		else if (p.type === 'collection' && stored && typeof stored === 'object' && !Array.isArray(stored)) {
			collect((p.options ?? []) as INodeProperties[], stored as Record<string, unknown>, `${path}.`, p.displayName, out);
		} else if (p.type === 'fixedCollection' && stored && typeof stored === 'object' && !Array.isArray(stored)) {
			for (const group of (p.options ?? []) as INodePropertyCollection[]) {
				const entries = (stored as Record<string, unknown>)[group.name];
				const list = Array.isArray(entries) ? entries : entries && typeof entries === 'object' ? [entries] : [];
				list.forEach((entry, i) => {
					if (!entry || typeof entry !== 'object') return;
					const at = Array.isArray(entries) ? `${path}.${group.name}[${i}].` : `${path}.${group.name}.`;
					collect(group.values, entry as Record<string, unknown>, at, p.displayName, out);
				});
			}
		}
	}
}

/**
 * The options fields this node shows with its current settings, or none for a node that did not register. Built
 * once per run: what is shown depends on the node's settings, not on the item.
 */
export function optionChoices(ctx: Pick<IExecuteFunctions, 'getNode'>): Choice[] {
	const node = ctx.getNode();
	const description = descriptionOf(node.type);
	if (!description) return [];
	const shownProps = description.properties.filter((p) => NodeHelpers.displayParameter(node.parameters, p, node, description));
	const out: Choice[] = [];
	collect(shownProps, node.parameters, '', undefined, out);
	return out;
}

/** A number's option also takes the same number as text ("6" mapped from a sheet), which the operation reads as such. */
const sameValue = (option: unknown, value: unknown) =>
	option === value || (typeof option === 'number' && typeof value === 'string' && value.trim() !== '' && Number(value) === option);

/** Throws InvalidInput for the first field whose value for this item is not one of its values. */
export function checkOptionValues(ctx: Pick<IExecuteFunctions, 'getNodeParameter'>, choices: Choice[], itemIndex: number): void {
	for (const choice of choices) {
		let value: unknown;
		try {
			value = ctx.getNodeParameter(choice.path, itemIndex) as NodeParameterValueType;
		} catch {
			// n8n's own error for an expression it cannot evaluate comes when the operation reads the field.
			continue;
		}
		if (choice.values.some((option) => sameValue(option.value, value))) continue;
		const allowed = choice.values.map((o) => (String(o.name) === String(o.value) ? `"${o.value}"` : `"${o.value}" (${o.name})`)).join(', ');
		throw new InvalidInput(
			choice.label,
			`${choice.label} ${shown(value)} is not one of its values (it comes from an expression)`,
			`Use one of: ${allowed}. Nothing was sent.`,
		);
	}
}
