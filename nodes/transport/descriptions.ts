import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * Node-description pieces every service repeats, written once. (Not HTTP, but shared by all nodes like the rest of
 * this folder; n8n's lint rules check their shape, so one correct copy beats four.)
 */

export const showFor = (resource: string, operation: string) => ({ show: { resource: [resource], operation: [operation] } });

/** The Operation selector of one resource; its default is the first option unless given. */
export function operationProperty(
	resource: string,
	options: Array<{ name: string; value: string; action: string; description: string }>,
	defaultOperation = options[0].value,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}

/** Return All + Limit (min 1, default 50, shown only when Return All is off), as n8n's list operations have them. */
export function returnAllProperties(resource: string, operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: showFor(resource, operation),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...showFor(resource, operation).show, returnAll: [false] } },
		},
	];
}

/**
 * A node's subtitle on the canvas: the chosen operation's action text ("Get many transactions"), not the raw values
 * ("getAll: transaction"). Built from the node's operation selectors, so it cannot drift from them.
 */
export function actionSubtitle(properties: INodeProperties[]): string {
	const actions: Record<string, string> = {};
	for (const p of properties) {
		if (p.name !== 'operation' || p.type !== 'options') continue;
		for (const resource of (p.displayOptions?.show?.resource ?? []) as string[]) {
			for (const o of (p.options ?? []) as INodePropertyOptions[]) actions[`${resource}:${o.value}`] = o.action ?? o.name;
		}
	}
	return `={{ (${JSON.stringify(actions)})[$parameter["resource"] + ":" + $parameter["operation"]] }}`;
}
