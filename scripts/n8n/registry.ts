/**
 * A package registry on loopback for n8n's own install code (Settings → Community Nodes, and the env-managed install
 * of N8N_COMMUNITY_PACKAGES): the packed tarball of this package with its packument, as npm publishes them, and every
 * other package (undici, ioredis, …) passed through to the machine's own registry, like verdaccio's uplink.
 *
 * How n8n reaches it. n8n 2.41 sends the registry to npm as `--registry=https://registry.npmjs.org` and refuses any
 * other registry unless the licence has feat:communityNodes:customRegistry ([code: n8n 2.41.1
 * dist/modules/community-packages/community-packages.service.js, getNpmRegistry]), so N8N_COMMUNITY_PACKAGES_REGISTRY
 * cannot point here on a community licence. Instead an `npm` wrapper first on n8n's PATH rewrites exactly that
 * argument to this registry: n8n's checks and install (licence check included: the registry it sees stays the public
 * one) run unchanged, and only npm's network destination moves. n8n first asks the public registry over HTTP for
 * `<name>/<version>` (checksum and version checks, [code: …/npm-utils.js, verifyIntegrity /
 * checkIfVersionExistsOrThrow]); the package is not published there, so that answers 404 (or fails offline) and n8n
 * falls back to `npm view … dist.integrity`, which the wrapper sends here. Its status check against api.n8n.io fails
 * offline and counts as "good", as n8n does for any unreachable status service.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'http';
import { request as httpsRequest } from 'https';
import { join } from 'path';

const PUBLIC = 'https://registry.npmjs.org';

export interface Registry {
	url: string;
	/** A folder holding the `npm` wrapper: put it first on n8n's PATH (after the Node it runs on, which has no npm). */
	binDir: string;
	/** The checksum n8n's N8N_COMMUNITY_PACKAGES wants: the tarball's `dist.integrity` (sha512-…), as npm publishes it. */
	integrity: string;
	name: string;
	version: string;
	/** Requests for our package, by path (packument, version document, tarball). */
	served: string[];
	close(): Promise<void>;
}

/** Serves the packed `tarball` (npm pack) under its own name and version; `dir` receives the npm wrapper. */
export async function startRegistry(tarball: string, dir: string): Promise<Registry> {
	const bytes = readFileSync(tarball);
	const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
	const { name, version } = manifest as { name: string; version: string };
	const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
	const upstream = new URL(execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/?$/, '/'));
	// Reach the machine's registry as npm does: with npm's cafile when one is set (behind a TLS-inspecting proxy Node
	// alone refuses the chain unless NODE_EXTRA_CA_CERTS happens to be set in this process's environment).
	const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim();
	const ca = cafile && cafile !== 'null' && cafile !== 'undefined' ? readFileSync(cafile) : undefined;
	const served: string[] = [];
	let url = '';
	const tarballPath = `/${name}/-/${name}-${version}.tgz`;
	const versionDoc = () => ({
		...manifest,
		_id: `${name}@${version}`,
		dist: { tarball: `${url}${tarballPath}`, integrity, shasum: createHash('sha1').update(bytes).digest('hex') },
	});
	const server: Server = createServer((req, res) => {
		const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
		const json = (body: unknown) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (path === `/${name}` || path === `/${name}/${version}` || path === `/${name}/latest` || path === tarballPath) served.push(path);
		if (path === `/${name}`) return json({ name, 'dist-tags': { latest: version }, versions: { [version]: versionDoc() }, time: { [version]: new Date().toISOString() } });
		if (path === `/${name}/${version}` || path === `/${name}/latest`) return json(versionDoc());
		if (path === tarballPath) {
			res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
			return res.end(bytes);
		}
		if (path.startsWith(`/${name}`)) {
			res.writeHead(404, { 'content-type': 'application/json' });
			return res.end('{"error":"Not found"}');
		}
		passThrough(req, upstream, res, ca);
	});
	await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
	url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

	const binDir = join(dir, 'npm-wrapper');
	mkdirSync(binDir, { recursive: true });
	const realNpm = execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
	writeFileSync(
		join(binDir, 'npm'),
		[
			'#!/usr/bin/env bash',
			`# n8n's community-package installer names the public registry; this test's registry stands in for it.`,
			'args=()',
			'for a in "$@"; do',
			`  case "$a" in --registry=${PUBLIC}|--registry=${PUBLIC}/) a="--registry=${url}" ;; esac`,
			'  args+=("$a")',
			'done',
			`exec "${realNpm}" "\${args[@]}"`,
			'',
		].join('\n'),
	);
	chmodSync(join(binDir, 'npm'), 0o755);
	return { url, binDir, integrity, name, version, served, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Any other package: the same request to the machine's registry, its answer passed back as it came. */
function passThrough(req: IncomingMessage, upstream: URL, res: import('http').ServerResponse, ca?: Buffer) {
	const target = new URL((req.url ?? '/').replace(/^\//, ''), upstream);
	const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
	const { host: _host, ...headers } = req.headers;
	// `ca` undefined keeps Node's own roots; plain http ignores it.
	const out = send(target, { method: req.method, headers, ca }, (answer) => {
		res.writeHead(answer.statusCode ?? 502, answer.headers);
		answer.pipe(res);
	});
	out.on('error', (e) => {
		res.writeHead(502, { 'content-type': 'text/plain' });
		res.end(String(e));
	});
	req.pipe(out);
}

/** PATH for an n8n process that must reach `registry` through the wrapper. */
export function pathWith(registry: Registry, env: NodeJS.ProcessEnv = process.env): string {
	return `${registry.binDir}:${env.PATH ?? ''}`;
}
