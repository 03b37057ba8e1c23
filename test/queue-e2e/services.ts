/**
 * Redis and PostgreSQL from Debian's packages, started on loopback for one test run in a scratch folder and
 * stopped after it. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user Debian creates.
 */
import { execFileSync, spawn } from 'child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePorts, stopChild, waitFor } from '../../scripts/n8n/app';

export interface Service {
	port: number;
	stop(): Promise<void>;
}

function need(path: string, what: string) {
	if (!existsSync(path)) throw new Error(`${what} is not installed (${path}): apt-get install -y redis-server postgresql`);
}

export async function startRedis(): Promise<Service> {
	need('/usr/bin/redis-server', 'redis-server');
	const [port] = await freePorts(1);
	const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
	await waitFor('redis-server listening', async () => execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG', 10_000);
	return { port, stop: () => stopChild(child) };
}

export async function startPostgres(): Promise<Service> {
	const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
	const bin = join('/usr/lib/postgresql', versions.pop() ?? 'missing', 'bin');
	need(join(bin, 'initdb'), 'PostgreSQL');
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
	return {
		port,
		stop: async () => {
			await stopChild(child);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
