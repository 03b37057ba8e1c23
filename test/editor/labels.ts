/**
 * What must never be on screen, read from the descriptions themselves: internal parameter names ("clientId"),
 * raw option values that differ from their label ("operationDate,ASC", "getAll") and raw subtitles
 * ("getAll: transaction"). Used by test:editor on what the page shows, and by a unit test on every description.
 */
import type { ICredentialType, INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

const loose = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
/** Reads as code, not words: camelCase, snake_case, or a comma between words without a space. */
/** Names that are spelled in camel case by their owners, not by us. */
const BRANDS = /\b(WhatsApp|CleverTap|LinkedIn|YouTube|iOS|macOS)\b/g;
export const looksRaw = (s: string) => /[a-z][A-Z]|_|,\S/.test(s.replace(BRANDS, ''));

function walk(properties: INodeProperties[], visit: (p: INodeProperties) => void) {
	for (const p of properties) {
		visit(p);
		for (const o of (p.options ?? []) as Array<INodeProperties | INodePropertyOptions | INodePropertyCollection>) {
			if ('type' in o && 'displayName' in o) walk([o as INodeProperties], visit);
			if ('values' in o && Array.isArray(o.values)) walk(o.values, visit);
		}
	}
}

/** Every raw token of a node or credential description. */
export function rawTokens(description: Pick<INodeTypeDescription, 'properties'> | ICredentialType): Set<string> {
	const tokens = new Set<string>();
	const resources: string[] = [];
	const operations: string[] = [];
	walk(description.properties, (p) => {
		if (p.name !== p.displayName && loose(p.name) !== loose(p.displayName) && looksRaw(p.name)) tokens.add(p.name);
		if (p.type !== 'options' && p.type !== 'multiOptions') return;
		for (const o of (p.options ?? []) as INodePropertyOptions[]) {
			const value = String(o.value);
			if (p.name === 'resource') resources.push(value);
			if (p.name === 'operation') operations.push(value);
			if (loose(value) !== loose(o.name) && (looksRaw(value) || /^[a-z]/.test(value))) tokens.add(value);
		}
	});
	for (const r of resources) for (const o of operations) tokens.add(`${o}: ${r}`);
	return tokens;
}

/** The texts that are raw tokens (each text is one line or one input's value, trimmed). */
export function rawOnScreen(texts: string[], tokens: Set<string>): string[] {
	return texts.map((t) => t.trim()).filter((t) => tokens.has(t));
}
