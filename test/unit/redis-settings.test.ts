/**
 * Queue mode without a Redis server: how n8n's QUEUE_BULL_REDIS_* settings are read (as n8n reads them), which
 * store a process picks, and what a node says when the Redis (or Redis cluster) it is pointed at does not answer.
 * The parts that need a running Redis are in test/redis (npm run test:redis).
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { createServer, type Server, type Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { LoggerProxy } from 'n8n-workflow';
import { RedisConnection } from '../../nodes/transport/redis';
import { FallbackLimiter, RedisLimiter } from '../../nodes/transport/redis-limiter';
import { describeRedis, isQueueMode, redisSettingsFromEnv, RedisSettingsError } from '../../nodes/transport/redis-settings';
import { RedisTokenStore } from '../../nodes/transport/redis-token-store';
import { buildSharedState, resetSharedState, sharedState, tokens } from '../../nodes/transport/shared-state';
import { StoreUnavailableError, TokenHelper, tokenCacheKey, type CachedToken } from '../../nodes/transport/token';
import { bearer, callApi } from '../../nodes/transport/api';
import { toNodeError } from '../../nodes/transport/errors';
import { SHARED_TOKEN_REQUIRED, ConfermaPay, readCredentials } from '../../nodes/ConfermaPay/transport';
import { accountLimiter } from '../../nodes/CleverTap/transport';
import { freePorts } from '../../scripts/n8n/app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'redis-settings-'));
const file = (name: string, content: string) => {
	const path = join(dir, name);
	writeFileSync(path, content);
	return path;
};

describe("n8n's queue Redis settings, read as n8n reads them", () => {
	it("n8n's defaults: localhost:6379, db 0, IPv4, no TLS, no cluster", () => {
		expect(redisSettingsFromEnv({})).toEqual({ host: 'localhost', port: 6379, db: 0, username: undefined, password: undefined, tls: undefined, family: 4 });
	});

	it('host, port, db, user and password; strings trimmed and unquoted; each also from NAME_FILE', () => {
		const settings = redisSettingsFromEnv({
			QUEUE_BULL_REDIS_HOST: ' "redis.internal" ',
			QUEUE_BULL_REDIS_PORT: '6380',
			QUEUE_BULL_REDIS_DB: '2',
			QUEUE_BULL_REDIS_USERNAME_FILE: file('user', 'n8n-worker\n'),
			QUEUE_BULL_REDIS_PASSWORD_FILE: file('password', "'s3cret pass'\n"),
		});
		expect(settings).toMatchObject({ host: 'redis.internal', port: 6380, db: 2, username: 'n8n-worker', password: 's3cret pass' });
		// The variable itself wins over its _FILE form, as in n8n.
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_PASSWORD: 'direct', QUEUE_BULL_REDIS_PASSWORD_FILE: file('p2', 'from-file') }).password).toBe('direct');
		// A number that does not parse keeps n8n's default.
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_PORT: 'six' }).port).toBe(6379);
	});

	it('a cluster: QUEUE_BULL_REDIS_CLUSTER_NODES replaces host and port, with its slot refresh and DNS settings', () => {
		const settings = redisSettingsFromEnv({
			QUEUE_BULL_REDIS_HOST: 'ignored',
			QUEUE_BULL_REDIS_CLUSTER_NODES: 'redis-1:7000, redis-2:7001,,redis-3:7002',
			QUEUE_BULL_REDIS_SLOT_REFRESH_TIMEOUT: '1500',
			QUEUE_BULL_REDIS_DNS_LOOKUP_STRATEGY: 'NONE',
		});
		expect(settings.clusterNodes).toEqual([{ host: 'redis-1', port: 7000 }, { host: 'redis-2', port: 7001 }, { host: 'redis-3', port: 7002 }]);
		expect(settings).toMatchObject({ slotsRefreshTimeout: 1500, slotsRefreshInterval: 5000, dnsLookup: 'NONE' });
		expect(describeRedis(settings)).toBe('Redis cluster at redis-1:7000,redis-2:7001,redis-3:7002');
		expect(() => redisSettingsFromEnv({ QUEUE_BULL_REDIS_CLUSTER_NODES: 'redis-1:7000,redis-2' })).toThrow(
			'QUEUE_BULL_REDIS_CLUSTER_NODES has "redis-2", not host:port (e.g. redis-1:6379,redis-2:6379)',
		);
	});

	it("TLS: QUEUE_BULL_REDIS_TLS=true (or 1), with n8n's CA, client certificate, key, passphrase, server name and reject settings", () => {
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'true' }).tls).toEqual({});
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: '1' }).tls).toEqual({});
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'yes' }).tls).toBeUndefined(); // not a boolean n8n reads: its default
		const tls = redisSettingsFromEnv({
			QUEUE_BULL_REDIS_TLS: 'TRUE',
			QUEUE_BULL_REDIS_TLS_CA_FILE: file('ca.pem', 'CA PEM'),
			QUEUE_BULL_REDIS_TLS_CERT_FILE: file('cert.pem', 'CERT PEM'),
			QUEUE_BULL_REDIS_TLS_CERT_KEY_FILE: file('key.pem', 'KEY PEM'),
			QUEUE_BULL_REDIS_TLS_CERT_KEY_PASS: 'key-pass',
			QUEUE_BULL_REDIS_TLS_SERVERNAME: 'redis.internal',
			QUEUE_BULL_REDIS_TLS_REJECT_UNAUTHORIZED: 'false',
		}).tls;
		expect(tls).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', passphrase: 'key-pass', servername: 'redis.internal', rejectUnauthorized: false });
		expect(describeRedis(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_HOST: 'r' }))).toBe('Redis at r:6379 (TLS)');
	});

	it("2.41's certificate switch, and what n8n itself would refuse at start-up, naming the variable", () => {
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: 'false' }).tls).toEqual({ rejectUnauthorized: false });
		// Without QUEUE_BULL_REDIS_TLS no TLS setting counts: n8n 2.8 and 2.41 connect in the clear then too.
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS_SERVERNAME: 'redis.internal' }).tls).toBeUndefined();
		expect(() => redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: 'certs/ca.pem' })).toThrow('QUEUE_BULL_REDIS_TLS_CA_FILE must be an absolute path (it is "certs/ca.pem")');
		expect(() => redisSettingsFromEnv({ QUEUE_BULL_REDIS_TLS: 'true', QUEUE_BULL_REDIS_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(/QUEUE_BULL_REDIS_TLS_CA_FILE names a file that cannot be read \(.*missing\.pem\): ENOENT/);
		expect(() => redisSettingsFromEnv({ QUEUE_BULL_REDIS_PASSWORD_FILE: join(dir, 'nope') })).toThrow(/QUEUE_BULL_REDIS_PASSWORD_FILE names a file that cannot be read/);
		expect(() => redisSettingsFromEnv({ QUEUE_BULL_REDIS_DUALSTACK: 'true', QUEUE_BULL_REDIS_IPV6: 'true' })).toThrow(new RedisSettingsError('Set only one of QUEUE_BULL_REDIS_DUALSTACK and QUEUE_BULL_REDIS_IPV6'));
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_DUALSTACK: 'true' }).family).toBe(0);
		expect(redisSettingsFromEnv({ QUEUE_BULL_REDIS_IPV6: 'true' }).family).toBe(6);
	});

	it('queue mode: EXECUTIONS_MODE=queue (also from its _FILE form), or an `n8n worker` process', () => {
		const worker = ['/usr/bin/node', '/usr/local/lib/node_modules/n8n/bin/n8n', 'worker', '--concurrency=5'];
		expect(isQueueMode({}, worker)).toBe(true);
		expect(isQueueMode({}, ['/usr/bin/node', '/usr/local/lib/node_modules/n8n/bin/n8n', 'start'])).toBe(false);
		expect(isQueueMode({}, ['/usr/bin/node', '/app/my-script.js', 'worker'])).toBe(false);
		expect(isQueueMode({ EXECUTIONS_MODE: 'queue' }, ['/usr/bin/node', '/usr/local/bin/n8n', 'start'])).toBe(true);
		expect(isQueueMode({ EXECUTIONS_MODE_FILE: file('mode', 'queue\n') }, ['/usr/bin/node', '/usr/local/bin/n8n', 'start'])).toBe(true);
		expect(isQueueMode({ EXECUTIONS_MODE: 'regular' }, ['/usr/bin/node', '/usr/local/bin/n8n', 'start'])).toBe(false);
	});
});

describe('which store a process uses', () => {
	const names = ['EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'QUEUE_BULL_REDIS_PORT', 'QUEUE_BULL_REDIS_CLUSTER_NODES'] as const;
	const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
	afterEach(() => {
		for (const n of names) {
			if (saved[n] === undefined) delete process.env[n];
			else process.env[n] = saved[n];
		}
		resetSharedState();
	});

	it('not queue mode: memory for tokens and limits, no Redis connection at all', async () => {
		delete process.env.EXECUTIONS_MODE;
		process.env.QUEUE_BULL_REDIS_HOST = '127.0.0.1';
		resetSharedState();
		expect(sharedState().redis).toBeUndefined();
		expect(tokens.store.kind).toBe('memory');
		expect(accountLimiter().kind).toBe('memory');
	});

	it('queue mode: Redis at the address n8n uses, decided once; a server or a cluster', () => {
		Object.assign(process.env, { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '10.1.2.3', QUEUE_BULL_REDIS_PORT: '6390' });
		resetSharedState();
		const state = sharedState();
		expect(state.redis?.where).toBe('Redis at 10.1.2.3:6390');
		expect(sharedState()).toBe(state);
		expect(tokens.store.kind).toBe('redis');
		expect(accountLimiter()).toBe(state.limiter);
		expect(state.limiter.kind).toBe('redis');
		const cluster = buildSharedState({ QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:7000,b:7001' }, ['/usr/bin/node', '/usr/local/bin/n8n', 'worker']);
		expect(cluster.redis?.where).toBe('Redis cluster at a:7000,b:7001');
		cluster.redis?.close();
	});
});

describe('Redis unreachable', () => {
	let closedPort: number;
	let silent: Server;
	let silentPort: number;
	const sockets: Socket[] = [];
	const warnings: string[] = [];
	const opened: RedisConnection[] = [];
	const conn = (port: number, cluster = false) => {
		const c = new RedisConnection(cluster ? { host: 'unused', port: 0, clusterNodes: [{ host: '127.0.0.1', port }] } : { host: '127.0.0.1', port });
		opened.push(c);
		return c;
	};
	const secret = 'SECRET-value-9f8e7d';
	const key = tokenCacheKey({ tokenUrl: 'https://auth.example.test/token', clientId: 'CLIENT-id', secret });
	const fetcher = () =>
		Object.assign(
			async (): Promise<CachedToken> => {
				f.calls++;
				return { accessToken: `ACCESS-${f.calls}`, expiresAt: Date.now() + 60_000, issuedAt: Date.now() };
			},
			{ calls: 0 },
		);
	let f = fetcher();

	beforeAll(async () => {
		[closedPort] = await freePorts(1);
		// Accepts the connection and never answers: a hung Redis, or another service on that port.
		silent = createServer((socket) => sockets.push(socket));
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
		silentPort = (silent.address() as { port: number }).port;
		LoggerProxy.init({ warn: (m: string) => warnings.push(m), error: () => undefined, info: () => undefined, debug: () => undefined } as never);
	});
	afterAll(() => {
		for (const c of opened) c.close();
		for (const socket of sockets) socket.destroy();
		return new Promise((r) => silent.close(r));
	});
	beforeEach(() => {
		warnings.length = 0;
		f = fetcher();
	});

	it.each([
		['Redis refusing', () => conn(closedPort), () => `Redis at 127.0.0.1:${closedPort} is unreachable (connection refused)`],
		['Redis never answering', () => conn(silentPort), () => `Redis at 127.0.0.1:${silentPort} is unreachable (no answer within 2.5 s)`],
		['a Redis cluster refusing', () => conn(closedPort, true), () => `Redis cluster at 127.0.0.1:${closedPort} is unreachable (none of its start-up nodes answered: connection is closed)`],
		['a Redis cluster never answering', () => conn(silentPort, true), () => `Redis cluster at 127.0.0.1:${silentPort} is unreachable (none of its start-up nodes answered: timeout)`],
	])('%s: a Conferma call stops within seconds, says why, and requests no token', async (_, down, said) => {
		const client = {
			tokenKey: key,
			fetchToken: f,
			authorize: bearer,
			send: {},
			secrets: [secret],
			helper: new TokenHelper({ store: new RedisTokenStore(down()) }),
			sharedTokenRequired: SHARED_TOKEN_REQUIRED,
		};
		const started = Date.now();
		const error = await callApi(client, { method: 'GET', url: `https://127.0.0.1:${closedPort}/nothing` }).catch((e) => e);
		expect(Date.now() - started).toBeLessThan(6_000);
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect(error.message).toMatch(/^Conferma revokes every other token of the platform when a new one is issued/);
		expect(error.message).toContain(said());
		expect(error.message).toMatch(/QUEUE_BULL_REDIS_\* settings and that Redis is running\. The node stops here/);
		expect(error.message).not.toContain(secret);
		expect(f.calls).toBe(0);
		// What the user sees in n8n: the same words (n8n must not swap them for its generic "connection refused").
		const shown = toNodeError({ name: 'Conferma Pay', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }, error, { errors: { service: 'Conferma' }, secrets: [secret] });
		expect(shown.message).toBe(error.message);
		expect(warnings).toEqual([]);
	});

	it('where a per-worker token is safe, fetches into memory and warns once', async () => {
		const helper = new TokenHelper({ store: new RedisTokenStore(conn(closedPort)) });
		const got = await Promise.all(Array.from({ length: 5 }, () => helper.get(key, f)));
		await helper.get(key, f);
		expect(new Set(got.map((t) => t.accessToken))).toEqual(new Set(['ACCESS-1']));
		expect(f.calls).toBe(1);
		expect(warnings).toEqual([`Redis at 127.0.0.1:${closedPort} is unreachable (connection refused): tokens are cached per worker until it is back`]);
	});

	it('the CleverTap limiter falls back to this worker with one warning, and still limits', async () => {
		const limiter = new FallbackLimiter(new RedisLimiter(conn(closedPort)));
		const first = await limiter.acquire('k', 1);
		const second = limiter.acquire('k', 1);
		let got = false;
		void second.then(() => (got = true));
		await sleep(50);
		expect(got).toBe(false);
		await first();
		await (await second)();
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`Redis at 127.0.0.1:${closedPort} is unreachable`);
	});

	it('the Conferma node asks for a shared token', () => {
		const conferma = new ConfermaPay(readCredentials({ clientId: 'a', clientSecret: 'b', platformKeyName: 'c' }));
		expect(conferma.client.sharedTokenRequired).toBe(SHARED_TOKEN_REQUIRED);
	});
});
