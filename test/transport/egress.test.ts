/**
 * n8n's outbound network policy (n8n ≥ 2.41 hands nodes with their own transport an egress filter): a URL it
 * refuses is never sent, a hostname is resolved through its secure lookup, and without a filter (older n8n) or with
 * n8n's pass-through filter nothing changes — the same pooled agents.
 */
import { lookup as systemLookup } from 'dns';
import type { LookupFunction } from 'net';
import { generateCertificates } from '../../sandbox/certs';
import { startService } from '../../sandbox/framework';
import type { SandboxCerts } from '../../sandbox/types';
import { closeAllAgents, getAgent, send, TransportError, type EgressFilter } from '../../nodes/transport';

let certs: SandboxCerts;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
	certs = await generateCertificates();
	service = await startService({ name: 'vendor', certs, handler: () => ({ status: 200, json: { ok: true } }) });
});
afterAll(async () => {
	await closeAllAgents();
	await service.close();
});
beforeEach(() => service.resetCounters());

const tls = () => ({ ca: certs.ca.cert });

function filter(blocked: (url: URL) => boolean) {
	const looked: string[] = [];
	const validated: string[] = [];
	const lookup = ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
		looked.push(hostname);
		systemLookup(hostname, options as never, callback as never);
	}) as unknown as LookupFunction;
	const egress: EgressFilter = {
		validateUrl: async (url) => {
			validated.push(url);
			return blocked(new URL(url)) ? { ok: false, error: new Error('The IP address 127.0.0.1 is blocked') } : { ok: true };
		},
		createSecureLookup: () => lookup,
	};
	return { egress, looked, validated };
}

test('a URL the policy refuses is never sent, and the error says who decided', async () => {
	const { egress } = filter(() => true);
	const error = await send({ method: 'GET', url: `${service.url}/x` }, { tls: tls(), egress }).catch((e) => e);
	expect(error).toBeInstanceOf(TransportError);
	expect(error.kind).toBe('blocked');
	expect(error.message).toMatch(/n8n's outbound network policy does not allow https:\/\/127\.0\.0\.1:\d+: The IP address 127\.0\.0\.1 is blocked/);
	expect(service.counters.requests).toBe(0);
	expect(service.counters.handshakes).toBe(0);
});

test('an allowed hostname is resolved through the secure lookup, and checked once per origin, not per request', async () => {
	const { egress, looked, validated } = filter(() => false);
	const url = service.url.replace('127.0.0.1', 'localhost');
	for (let i = 0; i < 5; i++) expect((await send({ method: 'GET', url: `${url}/x${i}` }, { tls: tls(), egress })).status).toBe(200);
	expect(looked).toContain('localhost');
	expect(validated).toHaveLength(1);
	expect(service.counters.requests).toBe(5);
});

test("without a filter, or with n8n's pass-through filter, the pooled agents are the same", () => {
	const passthrough: EgressFilter = { validateUrl: async () => ({ ok: true }), createSecureLookup: () => systemLookup as unknown as LookupFunction };
	const material = tls();
	expect(getAgent(service.url, material, 16, passthrough)).toBe(getAgent(service.url, material, 16));
	expect(getAgent(service.url, material, 16, filter(() => false).egress)).not.toBe(getAgent(service.url, material, 16));
});
