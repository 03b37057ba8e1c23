/**
 * One file per operation, holding its own behaviour (n8n's Airtable v2 shape): a reader who opens
 * `<resource>/<operation>.operation.ts` finds the fields it shows and the `execute` that runs it, not a factory call
 * whose behaviour lives elsewhere.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const NODES = join(__dirname, '..', '..', 'nodes');
const operationFiles = (dir: string): string[] =>
	readdirSync(dir).flatMap((f) => {
		const path = join(dir, f);
		return statSync(path).isDirectory() ? operationFiles(path) : f.endsWith('.operation.ts') ? [path] : [];
	});

test('every operation file exports its own description and execute', () => {
	const files = operationFiles(NODES);
	expect(files.length).toBeGreaterThan(50);
	const missing = files
		.filter((file) => {
			const text = readFileSync(file, 'utf8');
			return !/export (async )?function execute\(/.test(text) || !/export const description\b/.test(text);
		})
		.map((file) => relative(NODES, file));
	expect(missing).toEqual([]);
});
