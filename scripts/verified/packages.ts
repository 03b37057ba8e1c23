import { execFileSync } from 'child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';

/**
 * The verified edition: one npm package per service, as n8n's verification guidelines ask ("Each package should
 * integrate exactly one third-party service. A trigger node for the same service may be included alongside the
 * main node."). Each lives in verified/<name>/ with its own package.json and README, and its source is this
 * repository's own files, linked: the service's folder, its credential, and the transport without the full edition's
 * modules, with edition-verified.ts in the place of edition.ts. n8n's scanner finds a package's source by the
 * package.json with its name and lints `{nodes,credentials}/**` beside it, so it lints exactly these files.
 */

export const ROOT = join(__dirname, '..', '..');
export const VERIFIED = join(ROOT, 'verified');
export const OUT = join(ROOT, '.verified');

export interface VerifiedPackage {
	name: string;
	service: string;
	description: string;
	keywords: string[];
	credential: string;
	nodes: string[];
	/** What this package gives up against the full edition, for its README. */
	givesUp: string;
	/** Which n8n versions it works on, and why (its README's Compatibility). */
	compatibility: string;
}

/**
 * n8n's `httpRequest` helper honours `agentOptions` from 2.20 on; 2.8.4's builds the agent from the host name alone
 * (n8n-core, convertN8nRequestToAxios). Without a client certificate that only costs a credential's own CA.
 */
const SERVER_CA_ONLY =
	"n8n 2.8.4 and later (run in the real app on 2.8.4 and 2.41.1). Before n8n 2.20, n8n's HTTP helper ignores a CA certificate filled into the credential: the server's certificate must then chain to a CA Node.js trusts (the vendor's public one does; a private one needs NODE_EXTRA_CA_CERTS).";

export const PACKAGES: VerifiedPackage[] = [
	{
		name: 'n8n-nodes-clara',
		service: 'Clara',
		description: 'n8n nodes for Clara (corporate cards; OAuth 2.0 + mTLS), built only on what n8n provides: the verified edition.',
		keywords: ['clara', 'corporate-cards', 'mtls'],
		credential: 'ClaraApi',
		nodes: ['Clara', 'ClaraTrigger', 'ClaraWebhookTrigger'],
		givesUp:
			"Every request goes through n8n's own HTTP helper, which opens a new connection, and so a full mutual-TLS handshake, for every request (the full edition keeps one pooled connection per credential). The client certificate reaches the socket only on n8n 2.20 and later.",
		compatibility:
			"n8n 2.20 or later. Before 2.20 n8n's HTTP helper drops the client certificate (its `agentOptions`): on n8n 2.8.4 every Clara node call fails with \"Clara asked for a client certificate and none was presented (HTTP 511)\", although the credential test, which goes through n8n's older request helper, passes.",
	},
	{
		name: 'n8n-nodes-clevertap',
		service: 'CleverTap',
		description: 'n8n nodes for CleverTap (profiles, events, campaigns, uploads), built only on what n8n provides: the verified edition.',
		keywords: ['clevertap'],
		credential: 'CleverTapApi',
		nodes: ['CleverTap'],
		givesUp:
			"CleverTap's limit of 3 concurrent reads per account is kept within one n8n process; several queue-mode workers together can exceed it, and then CleverTap's 429 answers are retried (the full edition shares the limit through n8n's Redis).",
		compatibility: SERVER_CA_ONLY,
	},
	{
		name: 'n8n-nodes-claro-face-match',
		service: 'Claro Face Match',
		description: 'n8n node for Claro Face Match (facial biometrics by CPF, Brazil), built only on what n8n provides: the verified edition.',
		keywords: ['claro', 'face-match', 'cpf'],
		credential: 'ClaroFaceMatchApi',
		nodes: ['ClaroFaceMatch'],
		givesUp: "Tokens are cached per n8n process: each queue-mode worker takes its own (the full edition shares one through n8n's Redis).",
		compatibility: SERVER_CA_ONLY,
	},
	{
		name: 'n8n-nodes-conferma-pay',
		service: 'Conferma Pay',
		description: 'n8n nodes for Conferma Pay (virtual cards), built only on what n8n provides: the verified edition.',
		keywords: ['conferma', 'virtual-cards'],
		credential: 'ConfermaPayApi',
		// Not the trigger: Conferma has no API to subscribe a notification address (it is set up with Conferma), so
		// it cannot have the webhook lifecycle (create, check, delete) that n8n's Cloud rules require of a webhook node.
		nodes: ['ConfermaPay'],
		givesUp:
			"The Conferma Pay Trigger is not in this package: Conferma has no API to register a notification address, and n8n's Cloud rules require a webhook node to register, check and remove its own. Conferma revokes every other token of a platform when it issues a new one. The token is kept in one n8n process's memory, one request at a time: in queue mode each worker takes its own, revoking the others', which recover through one new token and one replay after a 401 (the full edition shares one token across workers through n8n's Redis, under a lock).",
		compatibility: SERVER_CA_ONLY,
	},
];

/** The full edition's own transport modules: never in a verified package (n8n's scanner would refuse them). */
export const FULL_ONLY = ['edition.ts', 'edition-verified.ts', 'http.ts', 'redis.ts', 'redis-limiter.ts', 'redis-settings.ts', 'redis-token-store.ts', 'sealing.ts', 'shared-state.ts'];

const folderOf = (node: string) => node.replace(/Trigger$|WebhookTrigger$/, '').replace(/Webhook$/, '');

/** Make `at` a relative symlink to `target` (replacing whatever is there). */
function link(target: string, at: string) {
	mkdirSync(dirname(at), { recursive: true });
	const wanted = relative(dirname(at), target);
	if (existsSync(at) || isLink(at)) {
		if (isLink(at) && readlinkSync(at) === wanted) return;
		rmSync(at, { recursive: true, force: true });
	}
	symlinkSync(wanted, at);
}
const isLink = (p: string) => {
	try {
		return lstatSync(p).isSymbolicLink();
	} catch {
		return false;
	}
};

/** The package's folder as it is committed: package.json, README.md, tsconfig.json and the links to the source. */
export function layOut(pkg: VerifiedPackage): string {
	const dir = join(VERIFIED, pkg.name);
	const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	// A service folder entry by entry, leaving out the node files of nodes this package does not ship.
	const services = [...new Set(pkg.nodes.map(folderOf))];
	for (const service of services) {
		const from = join(ROOT, 'nodes', service);
		const to = join(dir, 'nodes', service);
		if (isLink(to)) rmSync(to);
		const shipped = (file: string) => !/\.node\.(ts|json)$/.test(file) || pkg.nodes.includes(file.replace(/\.node\.(ts|json)$/, ''));
		for (const stale of existsSync(to) ? readdirSync(to) : []) if (!existsSync(join(from, stale)) || !shipped(stale)) rmSync(join(to, stale), { recursive: true, force: true });
		for (const file of readdirSync(from).filter(shipped)) link(join(from, file), join(to, file));
	}
	link(join(ROOT, 'credentials', `${pkg.credential}.credentials.ts`), join(dir, 'credentials', `${pkg.credential}.credentials.ts`));
	const transport = join(dir, 'nodes', 'transport');
	const shared = readdirSync(join(ROOT, 'nodes', 'transport')).filter((f) => f.endsWith('.ts') && !FULL_ONLY.includes(f));
	for (const stale of existsSync(transport) ? readdirSync(transport) : []) {
		if (stale !== 'edition.ts' && !shared.includes(stale)) rmSync(join(transport, stale), { force: true });
	}
	for (const file of shared) link(join(ROOT, 'nodes', 'transport', file), join(transport, file));
	link(join(ROOT, 'nodes', 'transport', 'edition-verified.ts'), join(transport, 'edition.ts'));
	const manifest = {
		name: pkg.name,
		version: root.version,
		description: pkg.description,
		keywords: ['n8n-community-node-package', ...pkg.keywords],
		license: 'MIT',
		author: root.author,
		homepage: `https://github.com/fintech-identity/n8n-nodes-fintech-identity/tree/main/verified/${pkg.name}#readme`,
		repository: { ...root.repository, directory: `verified/${pkg.name}` },
		bugs: root.bugs,
		engines: root.engines,
		files: ['dist'],
		n8n: {
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: [`dist/credentials/${pkg.credential}.credentials.js`],
			nodes: pkg.nodes.map((n) => `dist/nodes/${folderOf(n)}/${n}.node.js`),
		},
		peerDependencies: root.peerDependencies,
	};
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	writeFileSync(
		join(dir, 'tsconfig.json'),
		`${JSON.stringify(
			{
				// The links are this package's files: their imports resolve from here (./nodes/transport/edition.ts is the
				// verified edition), not from where the links point.
				extends: '../../tsconfig.json',
				compilerOptions: { rootDir: '.', outDir: 'dist', preserveSymlinks: true, types: [] },
				include: ['credentials/**/*.ts', 'nodes/**/*.ts'],
			},
			null,
			'\t',
		)}\n`,
	);
	writeFileSync(join(dir, 'README.md'), readme(pkg, root.name));
	// The starter's own lint config: with `strict` above, what `n8n-node cloud-support` reads as "eligible".
	writeFileSync(join(dir, 'eslint.config.mjs'), "import { config } from '@n8n/node-cli/eslint';\n\nexport default config;\n");
	return dir;
}

function readme(pkg: VerifiedPackage, full: string) {
	return `# ${pkg.name}

${pkg.description.replace(/: the verified edition\.$/, '.')}

This is the **verified edition** of the ${pkg.service} nodes of [${full}](https://github.com/fintech-identity/n8n-nodes-fintech-identity#readme):
the same nodes, credential, operations, validation, error messages and examples, built only on what n8n gives a node
(its HTTP helper, its \`sleep\`), with no runtime dependencies, no environment variables and no file access, so that it
can be installed on n8n Cloud and on n8n 3.x without enabling unverified packages.

## Installation

In n8n: **Settings → Community Nodes → Install**, enter \`${pkg.name}\`. See n8n's
[community nodes installation guide](https://docs.n8n.io/integrations/community-nodes/installation/).

## Credentials and operations

The ${pkg.service} section of the [main README](https://github.com/fintech-identity/n8n-nodes-fintech-identity#readme) describes
the credential, every operation and the example workflows; they are the same in both editions.

## What it gives up against the full edition

${pkg.givesUp}

For self-hosted n8n that allows unverified packages, [${full}](https://www.npmjs.com/package/${full}) has all four services
with a pooled mutual-TLS client and, in queue mode, tokens and account limits shared through n8n's Redis.

## Compatibility

${pkg.compatibility} Node.js ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node}.

## License

MIT
`;
}

/** Build the package into its dist/: tsc on the linked source, then the icons and codex files beside the nodes. */
export function build(pkg: VerifiedPackage, dir: string) {
	rmSync(join(dir, 'dist'), { recursive: true, force: true });
	execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
	for (const service of [...new Set(pkg.nodes.map(folderOf))]) {
		const from = join(ROOT, 'nodes', service);
		for (const file of readdirSync(from)) {
			if (/\.(svg|png)$/.test(file) || (/\.node\.json$/.test(file) && pkg.nodes.includes(file.replace(/\.node\.json$/, '')))) cpSync(join(from, file), join(dir, 'dist', 'nodes', service, file));
		}
	}
}

/** npm pack into .verified/; returns the tarball's path. */
export function pack(dir: string): string {
	mkdirSync(OUT, { recursive: true });
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT], { cwd: dir, encoding: 'utf8' });
	return join(OUT, out.trim().split('\n').pop()!);
}

if (require.main === module) {
	for (const pkg of PACKAGES) {
		const dir = layOut(pkg);
		build(pkg, dir);
		console.log(pack(dir));
	}
}
