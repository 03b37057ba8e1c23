import { readFileSync } from 'fs';
import { isAbsolute } from 'path';

/**
 * Where n8n's queue keeps its Redis, read from n8n's own environment variables the way n8n reads them, so the
 * package's shared store reaches the same Redis (a single server or a cluster, with or without TLS) as n8n's
 * queue does, with nothing more to configure.
 *
 * n8n's sources this follows (n8n-io/n8n), checked against the installed 1.123.81, 2.8.4 and 2.41.1:
 * - packages/@n8n/config/src/configs/scaling-mode.config.ts: the QUEUE_BULL_REDIS_* names and defaults;
 * - packages/@n8n/config/src/decorators.ts: how a value is read (`NAME` if set at all, else the file `NAME_FILE`
 *   names; strings trimmed and unquoted; booleans `true`/`1`/`false`/`0`; a number that does not parse keeps the
 *   default);
 * - packages/cli/src/services/redis-client.service.ts: what becomes of them (cluster start-up nodes instead of
 *   host and port when set; TLS; the address family; DNS lookup strategy and slot refresh for a cluster).
 * TLS grew over versions: 2.8 has only QUEUE_BULL_REDIS_TLS (Node's default trust, NODE_EXTRA_CA_CERTS); 2.41 adds
 * _TLS_SERVERNAME and _TLS_VALIDATE_CERTIFICATE; n8n's main branch adds CA, certificate and key files,
 * _TLS_REJECT_UNAUTHORIZED and _IPV6. All are read here: a version that lacks one has no reason to set it.
 */

export interface RedisNodeAddress {
	host: string;
	port: number;
}

export interface RedisTlsSettings {
	/** PEM contents (n8n takes file paths and reads them once at start-up, as we do here). */
	ca?: string;
	cert?: string;
	key?: string;
	passphrase?: string;
	servername?: string;
	rejectUnauthorized?: boolean;
}

export interface RedisSettings {
	host: string;
	port: number;
	/** Set: a Redis cluster, reached through these start-up nodes; host and port are then not used (as in n8n). */
	clusterNodes?: RedisNodeAddress[];
	db?: number;
	username?: string;
	password?: string;
	/** Set: TLS, with these options (an empty object: TLS with Node's default trust, as n8n's `QUEUE_BULL_REDIS_TLS=true`). */
	tls?: RedisTlsSettings;
	/** 4 (n8n's default), 6 (QUEUE_BULL_REDIS_IPV6) or 0 for both (QUEUE_BULL_REDIS_DUALSTACK). */
	family?: 0 | 4 | 6;
	/** Cluster only: resolve host names (LOOKUP, the default) or hand them to Redis as they are (NONE: ElastiCache with TLS). */
	dnsLookup?: 'LOOKUP' | 'NONE';
	slotsRefreshTimeout?: number;
	slotsRefreshInterval?: number;
}

/** A setting that n8n itself would refuse (it exits at start-up): said in words, naming the variable. */
export class RedisSettingsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RedisSettingsError';
	}
}

type Env = NodeJS.ProcessEnv;

/** n8n's readEnv: the variable if it is set at all (even empty), else the contents of the file NAME_FILE names. */
function raw(env: Env, name: string): string | undefined {
	if (name in env) return env[name];
	const file = env[`${name}_FILE`];
	if (!file) return undefined;
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		throw new RedisSettingsError(`${name}_FILE names a file that cannot be read (${file}): ${(error as NodeJS.ErrnoException).code ?? error}`);
	}
}

const text = (env: Env, name: string, fallback: string) => {
	const value = raw(env, name);
	return value === undefined ? fallback : value.trim().replace(/^(['"])(.*)\1$/, '$2');
};

const num = (env: Env, name: string, fallback: number) => {
	const value = raw(env, name);
	const parsed = value === undefined ? NaN : Number(value);
	return Number.isNaN(parsed) ? fallback : parsed;
};

const bool = (env: Env, name: string, fallback: boolean) => {
	const value = raw(env, name)?.toLowerCase();
	if (value === 'true' || value === '1') return true;
	if (value === 'false' || value === '0') return false;
	return fallback;
};

/** n8n's clusterNodes(): comma-separated host:port pairs, blanks skipped. */
function clusterNodes(value: string): RedisNodeAddress[] {
	return value
		.split(',')
		.filter((pair) => pair.trim().length > 0)
		.map((pair) => {
			const [host, port] = pair.trim().split(':');
			const parsed = parseInt(port, 10);
			if (!host || !Number.isInteger(parsed) || parsed <= 0 || parsed > 65_535) {
				throw new RedisSettingsError(`QUEUE_BULL_REDIS_CLUSTER_NODES has "${pair.trim()}", not host:port (e.g. redis-1:6379,redis-2:6379)`);
			}
			return { host, port: parsed };
		});
}

/** A TLS file as n8n takes it: an absolute path, read once. */
function tlsFile(env: Env, name: string): string | undefined {
	const path = text(env, name, '');
	if (!path) return undefined;
	if (!isAbsolute(path)) throw new RedisSettingsError(`${name} must be an absolute path (it is "${path}")`);
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		throw new RedisSettingsError(`${name} names a file that cannot be read (${path}): ${(error as NodeJS.ErrnoException).code ?? error}`);
	}
}

function tlsSettings(env: Env): RedisTlsSettings | undefined {
	if (!bool(env, 'QUEUE_BULL_REDIS_TLS', false)) return undefined;
	const tls: RedisTlsSettings = {};
	const ca = tlsFile(env, 'QUEUE_BULL_REDIS_TLS_CA_FILE');
	const cert = tlsFile(env, 'QUEUE_BULL_REDIS_TLS_CERT_FILE');
	const key = tlsFile(env, 'QUEUE_BULL_REDIS_TLS_CERT_KEY_FILE');
	const passphrase = text(env, 'QUEUE_BULL_REDIS_TLS_CERT_KEY_PASS', '');
	const servername = text(env, 'QUEUE_BULL_REDIS_TLS_SERVERNAME', '');
	if (ca) tls.ca = ca;
	if (cert) tls.cert = cert;
	if (key) tls.key = key;
	if (passphrase) tls.passphrase = passphrase;
	if (servername) tls.servername = servername;
	// 2.41's name, then main's: either one turned off turns checking off.
	if (!bool(env, 'QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE', true) || !bool(env, 'QUEUE_BULL_REDIS_TLS_REJECT_UNAUTHORIZED', true)) tls.rejectUnauthorized = false;
	return tls;
}

/** n8n's own settings for its queue's Redis, with n8n's defaults. */
export function redisSettingsFromEnv(env: Env = process.env): RedisSettings {
	const dualStack = bool(env, 'QUEUE_BULL_REDIS_DUALSTACK', false);
	const ipV6 = bool(env, 'QUEUE_BULL_REDIS_IPV6', false);
	if (dualStack && ipV6) throw new RedisSettingsError('Set only one of QUEUE_BULL_REDIS_DUALSTACK and QUEUE_BULL_REDIS_IPV6');
	const nodes = clusterNodes(text(env, 'QUEUE_BULL_REDIS_CLUSTER_NODES', ''));
	const settings: RedisSettings = {
		host: text(env, 'QUEUE_BULL_REDIS_HOST', 'localhost'),
		port: num(env, 'QUEUE_BULL_REDIS_PORT', 6379),
		db: num(env, 'QUEUE_BULL_REDIS_DB', 0),
		username: text(env, 'QUEUE_BULL_REDIS_USERNAME', '') || undefined,
		password: text(env, 'QUEUE_BULL_REDIS_PASSWORD', '') || undefined,
		tls: tlsSettings(env),
		family: ipV6 ? 6 : dualStack ? 0 : 4,
	};
	if (nodes.length > 0) {
		settings.clusterNodes = nodes;
		settings.dnsLookup = text(env, 'QUEUE_BULL_REDIS_DNS_LOOKUP_STRATEGY', 'LOOKUP') === 'NONE' ? 'NONE' : 'LOOKUP';
		settings.slotsRefreshTimeout = num(env, 'QUEUE_BULL_REDIS_SLOT_REFRESH_TIMEOUT', 1_000);
		settings.slotsRefreshInterval = num(env, 'QUEUE_BULL_REDIS_SLOT_REFRESH_INTERVAL', 5_000);
	}
	return settings;
}

/** "Redis at host:port", "Redis cluster at a:1,b:2", with "(TLS)": what messages name. Never the password. */
export function describeRedis(settings: RedisSettings): string {
	const where = settings.clusterNodes
		? `Redis cluster at ${settings.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`
		: `Redis at ${settings.host}:${settings.port}`;
	return settings.tls ? `${where} (TLS)` : where;
}

/**
 * Queue mode: EXECUTIONS_MODE=queue (n8n's documented setting, on main and workers; read as n8n reads it), or an
 * `n8n worker` process, which n8n puts in queue mode even without that variable.
 */
export function isQueueMode(env: Env = process.env, argv: readonly string[] = process.argv) {
	return text(env, 'EXECUTIONS_MODE', 'regular') === 'queue' || (/(^|[/\\])n8n(\.js|\.cmd)?$/.test(argv[1] ?? '') && argv[2] === 'worker');
}
