import { createServer, type Server } from 'https';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';
import type { TLSSocket } from 'tls';
import type { Counters, Handler, SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * One emulated API: a real HTTPS server on loopback with counters the tests read, fault knobs that stand in for a
 * bad network or a struggling vendor, and a log of what it received (tests grep it for leaked secrets and CPFs).
 */

interface QueuedFault {
	left: number;
	pathPrefix?: string;
}

export class Faults {
	/** Added before every answer: a stand-in for network latency. */
	latencyMs = 0;
	/** Added before the first answer on each new connection: a stand-in for the round trips of a TLS handshake. */
	handshakeDelayMs = 0;
	failures: Array<QueuedFault & { status: number; retryAfterSec?: number; body?: unknown }> = [];
	resets: QueuedFault[] = [];
	malformeds: QueuedFault[] = [];

	/** The next `n` requests (under `pathPrefix`) are answered `status`; n = 0 clears. */
	fail(n: number, status: number, options: { retryAfterSec?: number; body?: unknown; pathPrefix?: string } = {}) {
		this.failures = n > 0 ? [...this.failures, { left: n, status, ...options }] : [];
	}
	/** The next `n` requests get their connection destroyed without an answer. */
	reset(n: number, pathPrefix?: string) {
		this.resets = n > 0 ? [...this.resets, { left: n, pathPrefix }] : [];
	}
	/** The next `n` answers are 200 with a truncated JSON body. */
	malformed(n: number, pathPrefix?: string) {
		this.malformeds = n > 0 ? [...this.malformeds, { left: n, pathPrefix }] : [];
	}
	clear() {
		this.latencyMs = 0;
		this.handshakeDelayMs = 0;
		this.failures = [];
		this.resets = [];
		this.malformeds = [];
	}

	take<T extends QueuedFault>(queue: T[], path: string): T | undefined {
		const hit = queue.find((f) => f.left > 0 && (!f.pathPrefix || path.startsWith(f.pathPrefix)));
		if (hit) hit.left--;
		return hit;
	}
}

export interface LoggedRequest {
	method: string;
	url: string;
	headers: Record<string, unknown>;
}

export interface Service {
	name: string;
	url: string;
	port: number;
	counters: Counters;
	faults: Faults;
	requestLog: LoggedRequest[];
	resetCounters(): void;
	close(): Promise<void>;
}

export interface ServiceOptions {
	name: string;
	handler: Handler;
	certs: SandboxCerts;
	/** Ask for a client certificate (the emulator decides what to answer without one). */
	mtls?: boolean;
	port?: number;
}

const newCounters = (): Counters => ({ requests: 0, handshakes: 0, tokenRequests: 0, inFlight: 0, peakInFlight: 0, custom: {} });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startService(options: ServiceOptions): Promise<Service> {
	const { certs, handler } = options;
	const faults = new Faults();
	const requestLog: LoggedRequest[] = [];
	const sockets = new Set<Socket>();
	const fresh = new WeakSet<Socket>();
	const service: Service = {
		name: options.name,
		url: '',
		port: 0,
		counters: newCounters(),
		faults,
		requestLog,
		resetCounters() {
			service.counters = newCounters();
			requestLog.length = 0;
		},
		close: async () => {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	const context: ServiceContext = {
		name: options.name,
		get counters() {
			return service.counters;
		},
		count(name, by = 1) {
			service.counters.custom[name] = (service.counters.custom[name] ?? 0) + by;
		},
		now: () => Date.now(),
	};

	const server: Server = createServer(
		{
			cert: certs.server.cert,
			key: certs.server.key,
			requestCert: !!options.mtls,
			// The emulator answers 511/406 itself, as Clara does, instead of failing the handshake.
			rejectUnauthorized: false,
			ca: options.mtls ? [certs.ca.cert] : undefined,
			keepAliveTimeout: 30_000,
		},
		(req, res) => void serve(req, res),
	);
	server.keepAliveTimeout = 30_000;
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('secureConnection', (socket: TLSSocket) => {
		service.counters.handshakes++;
		fresh.add(socket);
	});
	// A client that gives up mid-handshake (a bad key, an untrusted server) must not crash the sandbox.
	server.on('tlsClientError', () => undefined);

	async function serve(req: IncomingMessage, res: ServerResponse) {
		const counters = service.counters;
		counters.requests++;
		counters.inFlight++;
		counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const body = Buffer.concat(chunks);
			const url = new URL(req.url ?? '/', 'https://sandbox');
			requestLog.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
			if (requestLog.length > 5000) requestLog.splice(0, requestLog.length - 5000);

			const socket = req.socket as TLSSocket;
			let delay = faults.latencyMs;
			if (fresh.has(socket)) {
				fresh.delete(socket);
				delay += faults.handshakeDelayMs;
			}
			if (delay > 0) await sleep(delay);

			const path = url.pathname;
			if (faults.take(faults.resets, path)) {
				socket.destroy();
				return;
			}
			const failure = faults.take(faults.failures, path);
			if (failure) {
				context.count(`http${failure.status}`);
				const headers: Record<string, string> = failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : {};
				return reply(res, { status: failure.status, headers, json: failure.body ?? { message: `sandbox fault: HTTP ${failure.status}` } });
			}

			const peer = options.mtls ? socket.getPeerCertificate() : undefined;
			const presented = !!peer && Object.keys(peer).length > 0;
			const request: SandboxRequest = {
				method: req.method ?? 'GET',
				path,
				query: url.searchParams,
				headers: req.headers,
				body,
				json() {
					if (!body.length) return undefined;
					try {
						return JSON.parse(body.toString('utf8'));
					} catch {
						return undefined;
					}
				},
				form: () => new URLSearchParams(body.toString('utf8')),
				clientCert: {
					presented,
					authorized: presented && socket.authorized,
					error: presented && !socket.authorized ? String(socket.authorizationError) : undefined,
					subject: presented ? String(peer?.subject?.CN ?? "") : undefined,
				},
			};
			const result = await handler(request, context);
			if (result === 'reset') {
				socket.destroy();
				return;
			}
			if (result.status >= 400) context.count(`http${result.status}`);
			if (result.status < 400 && faults.take(faults.malformeds, path)) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"content": [{"uuid": "trunc');
				return;
			}
			reply(res, result);
		} catch (error) {
			reply(res, { status: 500, json: { code: 'INTERNAL', message: `sandbox handler failed: ${(error as Error).message}` } });
		} finally {
			service.counters.inFlight--;
		}
	}

	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const address = server.address();
	service.port = typeof address === 'object' && address ? address.port : 0;
	service.url = `https://127.0.0.1:${service.port}`;
	return service;
}

function reply(res: ServerResponse, r: SandboxReply) {
	if (res.headersSent || res.destroyed) return;
	if (r.json !== undefined) {
		res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
		res.end(JSON.stringify(r.json));
	} else {
		res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
		res.end(r.text ?? '');
	}
}

/** Helpers every emulator uses. */
export const json = (status: number, body: unknown, headers?: Record<string, string>): SandboxReply => ({ status, json: body, headers });

export function basicCredentials(header: string | string[] | undefined): { id: string; secret: string } | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	const match = /^Basic\s+(.+)$/i.exec(value ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const at = decoded.indexOf(':');
	return at < 0 ? undefined : { id: decoded.slice(0, at), secret: decoded.slice(at + 1) };
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	return /^Bearer\s+(\S+)$/i.exec(value ?? '')?.[1];
}

/** A deterministic pseudo-random generator, so emulated data is the same on every run. */
export function seeded(seed: number) {
	let s = seed >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 4_294_967_296;
	};
}

/** A uuid-shaped id from a generator. */
export function fakeUuid(rand: () => number) {
	const hex = () => Math.floor(rand() * 16).toString(16);
	const part = (n: number) => Array.from({ length: n }, hex).join('');
	return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}
