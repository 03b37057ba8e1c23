/**
 * What the transport says when a state-changing call gets no clear answer (it may have taken effect: sent once,
 * never "try again later"), what it says when a read fails after retries (only "after retries" when it retried),
 * and that nothing is ever sent to a non-https address.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { INode } from 'n8n-workflow';
import { generateCertificates } from '../../sandbox/certs';
import { startService } from '../../sandbox/framework';
import type { SandboxCerts } from '../../sandbox/types';
import { callApi, closeAllAgents, send, toNodeError, TransportError, type ApiClient, type ServiceErrors } from '../../nodes/transport';
import { MemoryTokenStore, TokenHelper } from '../../nodes/transport/token';

let certs: SandboxCerts;
let service: Awaited<ReturnType<typeof startService>>;
let plain: Server;
let plainUrl = '';
const plainSeen: string[] = [];

beforeAll(async () => {
	certs = await generateCertificates();
	service = await startService({ name: 'vendor', certs, handler: () => ({ status: 200, json: { ok: true } }) });
	plain = createServer((req, res) => {
		plainSeen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
		res.end('{}');
	});
	await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
	plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await closeAllAgents();
	await service.close();
	await new Promise((r) => plain.close(r));
});
beforeEach(() => {
	service.resetCounters();
	service.faults.clear();
});

const node = { name: 'Vendor', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;
const errors: ServiceErrors = { service: 'Vendor' };
const client = (): ApiClient => ({
	tokenKey: `k${Math.random()}`,
	fetchToken: async () => ({ accessToken: 'tok-123456789', expiresAt: Date.now() + 600_000 }),
	authorize: (req, token) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } }),
	send: { tls: { ca: certs.ca.cert }, retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeouts: { headersMs: 1_000, bodyMs: 1_000 } },
	secrets: [],
	helper: new TokenHelper({ store: new MemoryTokenStore() }),
});
const create = { method: 'POST' as const, url: '', json: { amount: 10 }, idempotent: false, action: 'Create Deployment', howToCheck: 'Look it up by Consumer Reference.' };
const asShown = (error: unknown) => toNodeError(node, error, { errors, secrets: [] });

describe('a state-changing call without a clear answer', () => {
	it.each([
		['a 500', () => service.faults.fail(1, 500), /HTTP 500/],
		['a gateway 504', () => service.faults.fail(1, 504), /HTTP 504/],
		['a dropped connection', () => service.faults.reset(1), /\(the connection was (dropped|closed)/],
		['an unreadable body', () => service.faults.malformed(1), /not valid JSON/],
		['a timeout after sending', () => (service.faults.latencyMs = 2_500), /timed out/],
	])('%s: sent once, "may have taken effect", and how to check', async (_what, fault, reason) => {
		fault();
		const error = await callApi(client(), { ...create, url: `${service.url}/deployments` }).catch((e) => e);
		expect(service.counters.requests).toBe(1);
		const shown = asShown(error);
		expect(shown.message).toMatch(/^Vendor gave no clear answer to Create Deployment \(/);
		expect(shown.message).toMatch(reason);
		expect(shown.message).toMatch(/sent once and not again, so it may have taken effect/);
		expect(shown.description).toBe('Look it up by Consumer Reference.');
		expect(`${shown.message} ${shown.description}`).not.toMatch(/try again later|after retries|could not reach/i);
	});
	it('a refusal (4xx, 429 after retries) is not ambiguous', async () => {
		service.faults.fail(1, 400, { body: { message: 'amount missing' } });
		const shown = asShown(await callApi(client(), { ...create, url: `${service.url}/deployments` }).catch((e) => e));
		expect(shown.message).toMatch(/rejected the request as invalid \(HTTP 400\)/);
	});
	it('a read that fails after retries says how many; one not retried does not claim it', async () => {
		service.faults.fail(5, 503);
		const read = asShown(await callApi(client(), { method: 'GET', url: `${service.url}/x` }).catch((e) => e));
		expect(read.message).toBe('Vendor had a server error (HTTP 503), still after 4 retries');
		service.faults.fail(1, 503);
		const once = asShown(await callApi({ ...client(), send: { ...client().send, retry: { retries: 0 } } }, { method: 'GET', url: `${service.url}/x` }).catch((e) => e));
		expect(once.message).toBe('Vendor had a server error (HTTP 503)');
	});
});

describe('never over plain HTTP', () => {
	it('refuses a non-https URL before any socket opens, with the token and for a token request alike', async () => {
		const viaApi = await callApi(client(), { method: 'GET', url: `${plainUrl}/x` }).catch((e) => e);
		expect(viaApi).toBeInstanceOf(TransportError);
		expect(asShown(viaApi).message).toMatch(/not an https:\/\/ address/);
		await expect(send({ method: 'POST', url: `${plainUrl}/token`, form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic c2VjcmV0' } })).rejects.toThrow(
			/not an https/,
		);
		expect(plainSeen).toEqual([]);
	});
});
