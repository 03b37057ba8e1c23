/**
 * Redis and PostgreSQL from Debian's packages, started on loopback for one test run in a scratch folder and
 * stopped after it: a plain Redis, a Redis over TLS, a Redis cluster, a PostgreSQL. Suites that need one start it
 * here (npm run test:redis, npm run test:queue); a missing program fails the suite with how to get it.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user Debian creates.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { freePorts, produced, stopChild, waitFor } from '../../scripts/n8n/app';

export interface Service {
	port: number;
	stop(): Promise<void>;
}

const HOW = 'apt-get install -y redis-server postgresql (Debian/Ubuntu; .ci/run does this when they are missing)';

/** A program on PATH, or a failure that says how to get it. */
export function program(name: string): string {
	for (const dir of (process.env.PATH ?? '').split(delimiter)) {
		const path = join(dir, name);
		if (dir && existsSync(path)) return path;
	}
	throw new Error(`${name} is not installed (not on PATH): this suite starts its own; ${HOW}`);
}

function redisCli(port: number, args: string[], tls?: RedisTlsFiles) {
	const tlsArgs = tls ? ['--tls', '--cacert', tls.ca, '--cert', tls.cert, '--key', tls.key] : [];
	return execFileSync(program('redis-cli'), ['-h', '127.0.0.1', '-p', String(port), ...tlsArgs, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function startRedisProcess(args: string[], dir: string): ChildProcess {
	return spawn(program('redis-server'), ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: 'ignore' });
}

export async function startRedis(options: { password?: string } = {}): Promise<Service> {
	const dir = mkdtempSync(join(tmpdir(), 'redis-'));
	const [port] = await freePorts(1);
	const auth = options.password ? ['--requirepass', options.password] : [];
	const child = startRedisProcess(['--port', String(port), ...auth], dir);
	await waitFor('redis-server answering', async () => /PONG|NOAUTH/.test(redisCli(port, ['ping'])), 10_000);
	// For the leak sweep: every key and value, as queue mode leaves them (n8n's job queue, our sealed tokens, the limiter).
	produced.outputs.push({ label: `Redis on port ${port}: every key and value`, text: () => redisCli(port, [...(options.password ? ['-a', options.password, '--no-auth-warning'] : []), '--eval', join(__dirname, 'redis-dump.lua')]) });
	return { port, stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })) };
}

export interface RedisTlsFiles {
	ca: string;
	cert: string;
	key: string;
}

/**
 * Redis that speaks only TLS (no plain port), with a certificate from `pem.ca` and a password. `clientCerts`:
 * it also demands a client certificate from that CA (mutual TLS).
 */
export async function startTlsRedis(pem: { ca: string; server: { cert: string; key: string }; client: { cert: string; key: string } }, options: { password: string; clientCerts: boolean }) {
	const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
	const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') };
	writeFileSync(files.ca, pem.ca);
	writeFileSync(files.cert, pem.server.cert);
	writeFileSync(files.key, pem.server.key, { mode: 0o600 });
	writeFileSync(files.clientCert, pem.client.cert);
	writeFileSync(files.clientKey, pem.client.key, { mode: 0o600 });
	const [port] = await freePorts(1);
	const child = startRedisProcess(
		['--port', '0', '--tls-port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca,
			'--tls-auth-clients', options.clientCerts ? 'yes' : 'no', '--requirepass', options.password],
		dir,
	);
	const cli = { ca: files.ca, cert: files.clientCert, key: files.clientKey };
	await waitFor('redis-server answering over TLS', async () => /NOAUTH|PONG/.test(redisCli(port, ['ping'], cli)), 10_000);
	return { port, files, stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })) };
}

/**
 * A Redis cluster of `masters` nodes on loopback (no replicas), its 16384 slots spread over them by
 * `redis-cli --cluster create`, as a production cluster is set up. Returns the nodes' client ports.
 */
export async function startRedisCluster(masters = 3): Promise<Service & { ports: number[] }> {
	const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
	const all = await freePorts(masters * 2);
	const ports = all.slice(0, masters);
	const children = ports.map((port, i) => {
		const node = join(dir, String(port));
		mkdirSync(node);
		// The bus port given outright: the default (port + 10000) can pass 65535 for a port from the ephemeral range.
		return startRedisProcess(['--port', String(port), '--cluster-enabled', 'yes', '--cluster-port', String(all[masters + i]),
			'--cluster-config-file', join(node, 'nodes.conf'), '--cluster-node-timeout', '2000'], node);
	});
	const stop = async () => {
		await Promise.all(children.map((c) => stopChild(c)));
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		for (const port of ports) await waitFor(`cluster node ${port} answering`, async () => redisCli(port, ['ping']).trim() === 'PONG', 10_000);
		execFileSync(program('redis-cli'), ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
		await waitFor('the cluster reporting ok on every node', async () => ports.every((p) => /cluster_state:ok/.test(redisCli(p, ['cluster', 'info']))), 20_000);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port: ports[0], ports, stop };
}

export async function startPostgres(): Promise<Service> {
	const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
	const bin = join('/usr/lib/postgresql', versions.pop() ?? 'missing', 'bin');
	if (!existsSync(join(bin, 'initdb'))) throw new Error(`PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): this suite starts its own; ${HOW}`);
	const [port] = await freePorts(1);
	// Its own folder straight under /tmp: the `postgres` user cannot enter a root-only scratch folder.
	const dir = mkdtempSync(join(tmpdir(), 'queue-pg-'));
	const data = join(dir, 'pgdata');
	mkdirSync(data);
	// As root, run the server as `postgres` (it refuses root); the folders must be theirs.
	const user: { uid?: number; gid?: number } = {};
	if (process.getuid?.() === 0) {
		user.uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
		user.gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
		chownSync(dir, user.uid, user.gid);
		chownSync(data, user.uid, user.gid);
	}
	execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
	const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=200'], { stdio: 'ignore', cwd: dir, ...user });
	await waitFor('PostgreSQL accepting connections', async () => {
		execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
		return true;
	}, 30_000);
	execFileSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n']);
	// For the leak sweep: queue mode keeps executions, credentials and logs of runs here, not in the user folders.
	produced.outputs.push({
		label: `PostgreSQL on port ${port}: pg_dumpall of every database`,
		text: () => execFileSync(join(bin, 'pg_dumpall'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '--data-only'], { encoding: 'latin1', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }),
	});
	return {
		port,
		stop: async () => {
			await stopChild(child);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
