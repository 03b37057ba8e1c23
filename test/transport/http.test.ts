/**
 * The shared transport against a real HTTPS server on loopback (the sandbox framework): retries, what is never
 * retried, Retry-After, keep-alive pooling, malformed bodies, cancellation, TLS material checks.
 */
import { generateCertificates, pemBlock } from '../../sandbox/certs';
import { startService } from '../../sandbox/framework';
import type { SandboxCerts } from '../../sandbox/types';
import { closeAllAgents, send, TransportError, validateTlsMaterial } from '../../nodes/transport';

let certs: SandboxCerts;
let service: Awaited<ReturnType<typeof startService>>;
let posts = 0;

beforeAll(async () => {
	certs = await generateCertificates();
	service = await startService({
		name: 'echo',
		certs,
		handler: (req) => {
			if (req.method === 'POST') posts++;
			return { status: 200, json: { ok: true, path: req.path } };
		},
	});
});
afterAll(async () => {
	await closeAllAgents();
	await service.close();
});
beforeEach(() => {
	posts = 0;
	service.resetCounters();
});

const tls = () => ({ ca: certs.ca.cert });
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

test('a 429 with Retry-After is waited for and retried', async () => {
	service.faults.fail(2, 429, { retryAfterSec: 0 });
	const res = await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: fast });
	expect(res.status).toBe(200);
	expect(service.counters.requests).toBe(3);
});

test('a Retry-After longer than we wait for becomes a clear error, not a hang', async () => {
	service.faults.fail(1, 429, { retryAfterSec: 3600 });
	await expect(send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: fast })).rejects.toThrow(/wait 3600 s/);
});

test('503 storms are retried a bounded number of times, then answered', async () => {
	service.faults.fail(50, 503);
	const res = await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: { ...fast, retries: 3 } });
	expect(res.status).toBe(503);
	expect(service.counters.requests).toBe(4);
	service.faults.fail(0, 503);
});

test('a dropped connection is retried for a GET', async () => {
	service.faults.reset(1);
	const res = await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: fast });
	expect(res.status).toBe(200);
});

test('a POST whose connection dropped is never sent again', async () => {
	service.faults.reset(1);
	await expect(send({ method: 'POST', url: `${service.url}/create`, json: { a: 1 } }, { tls: tls(), retry: fast })).rejects.toThrow(
		/may have reached the server/,
	);
	expect(service.counters.requests).toBe(1);
});

test('a POST answered 503 is not retried, a POST answered 429 is', async () => {
	service.faults.fail(1, 503);
	expect((await send({ method: 'POST', url: `${service.url}/create`, json: {} }, { tls: tls(), retry: fast })).status).toBe(503);
	service.faults.fail(1, 429, { retryAfterSec: 0 });
	expect((await send({ method: 'POST', url: `${service.url}/create`, json: {} }, { tls: tls(), retry: fast })).status).toBe(200);
	expect(service.counters.requests).toBe(3);
});

test('a malformed JSON body is retried for a GET and reported clearly when it persists', async () => {
	service.faults.malformed(1);
	expect((await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: fast })).status).toBe(200);
	service.faults.malformed(10);
	const err = await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), retry: { ...fast, retries: 1 } }).catch((e) => e);
	expect(err).toBeInstanceOf(TransportError);
	expect(err.kind).toBe('malformed');
	service.faults.malformed(0);
});

test('100 requests over the pool cost a handful of handshakes, not 100', async () => {
	await Promise.all(Array.from({ length: 100 }, () => send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), connections: 8 })));
	expect(service.counters.requests).toBe(100);
	expect(service.counters.handshakes).toBeLessThanOrEqual(8);
});

test('the cancel signal aborts a request in flight', async () => {
	service.faults.latencyMs = 5_000;
	const controller = new AbortController();
	setTimeout(() => controller.abort(), 50);
	const err = await send({ method: 'GET', url: `${service.url}/slow` }, { tls: tls(), signal: controller.signal }).catch((e) => e);
	service.faults.latencyMs = 0;
	expect(err).toBeInstanceOf(TransportError);
	expect(err.kind).toBe('aborted');
});

test('an untrusted server certificate is a TLS error, not retried', async () => {
	const err = await send({ method: 'GET', url: `${service.url}/x` }, { retry: fast }).catch((e) => e);
	expect(err).toBeInstanceOf(TransportError);
	expect(err.kind).toBe('tls');
	expect(service.counters.requests).toBe(0);
});

describe('validateTlsMaterial says which field is wrong', () => {
	const check = (m: Parameters<typeof validateTlsMaterial>[0]) => {
		try {
			validateTlsMaterial(m);
			return 'ok';
		} catch (e) {
			return (e as Error).message;
		}
	};
	test('good material passes, plain and encrypted', () => {
		expect(check({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key })).toBe('ok');
		const enc = certs.clientEncrypted;
		expect(check({ cert: enc.cert, key: enc.key, passphrase: enc.passphrase })).toBe('ok');
	});
	test('each fault has its own message', () => {
		const enc = certs.clientEncrypted;
		expect(check({ cert: certs.client.cert })).toMatch(/without its private key/);
		expect(check({ cert: 'not a pem', key: certs.client.key })).toMatch(/client certificate is not a valid PEM/);
		expect(check({ cert: certs.client.cert, key: pemBlock('PRIVATE KEY', 'AAAA') })).toMatch(/private key is not a valid PEM/);
		expect(check({ cert: certs.client.cert, key: certs.foreign.key })).toMatch(/does not belong to the client certificate/);
		expect(check({ cert: certs.expired.cert, key: certs.expired.key })).toMatch(/expired on/);
		expect(check({ cert: enc.cert, key: enc.key, passphrase: 'wrong-passphrase' })).toMatch(/passphrase is wrong/);
		expect(check({ cert: enc.cert, key: enc.key })).toMatch(/encrypted: fill Passphrase/);
		expect(check({ ca: 'garbage' })).toMatch(/CA certificate is not a valid PEM/);
	});
	test('every wrong passphrase is called wrong, including the ~1 in 256 that decrypts to valid padding', () => {
		// CI once failed here: a wrong passphrase whose garbage ended in valid padding failed as a parse error.
		const enc = certs.clientEncrypted;
		const messages = new Set(Array.from({ length: 600 }, (_, i) => check({ cert: enc.cert, key: enc.key, passphrase: `wrong-${i}` })));
		expect([...messages]).toEqual(['The private key passphrase is wrong']);
	});
});
