/**
 * The package seals its shared tokens with the credential's own secret only: nothing under nodes/ reads n8n's
 * encryption key or its config file, and the sealing module opens no file (a community node that reads n8n's master
 * key is what a security review rejects first). How the sealed values behave in Redis is in test/redis.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');

test("nothing under nodes/ names n8n's encryption key or config file", () => {
	let found: string;
	try {
		found = execFileSync('git', ['grep', '-nE', 'N8N_ENCRYPTION_KEY|\\.n8n/config', '--', 'nodes/'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (error) {
		// git grep exits 1 when it finds nothing; anything else is a failure of the check itself.
		if ((error as { status?: number }).status !== 1) throw error;
		found = '';
	}
	expect(found).toBe('');
});

test('the sealing module imports nothing that reads files or the environment of the machine', () => {
	const source = readFileSync(join(root, 'nodes', 'transport', 'sealing.ts'), 'utf8');
	const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
	expect(imports).toEqual(['crypto']);
	expect(source).not.toMatch(/process\.env|require\(/);
});
