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
	/** Only requests of this method (a PUT and the GET before it share a path). */
	method?: string;
	/** [test knob] Let this many matching requests through first (a list whose first page answers, the next ones fail). */
	after?: number;
}

export class Faults {
	/** Added before every answer (under `latencyPathPrefix` when set): a stand-in for network latency. */
	latencyMs = 0;
	latencyPathPrefix?: string;
	/**
	 * Held before the TLS handshake of each new connection starts: a stand-in for the round trips a new connection
	 * costs on a real network. Connection-wide, so it cannot be restricted to a path.
	 */
	handshakeDelayMs = 0;
	failures: Array<QueuedFault & { status: number; retryAfterSec?: number; body?: unknown }> = [];
	resets: QueuedFault[] = [];
	malformeds: QueuedFault[] = [];

	/** The next `n` requests (under `pathPrefix`) are answered `status`; n = 0 clears. */
	fail(n: number, status: number, options: { retryAfterSec?: number; body?: unknown; pathPrefix?: string; method?: string; after?: number } = {}) {
		this.failures = n > 0 ? [...this.failures, { left: n, status, ...options }] : [];
	}
	/** The next `n` requests get their connection destroyed without an answer. */
	reset(n: number, pathPrefix?: string, method?: string) {
		this.resets = n > 0 ? [...this.resets, { left: n, pathPrefix, method }] : [];
	}
	/** The next `n` answers are 200 with a truncated JSON body. */
	malformed(n: number, pathPrefix?: string, method?: string) {
		this.malformeds = n > 0 ? [...this.malformeds, { left: n, pathPrefix, method }] : [];
	}
	clear() {
		this.latencyMs = 0;
		this.latencyPathPrefix = undefined;
		this.handshakeDelayMs = 0;
		this.failures = [];
		this.resets = [];
		this.malformeds = [];
	}

	take<T extends QueuedFault>(queue: T[], path: string, method?: string): T | undefined {
		const hit = queue.find((f) => f.left > 0 && (!f.pathPrefix || path.startsWith(f.pathPrefix)) && (!f.method || f.method === method));
		if (hit?.after) {
			hit.after--;
			return undefined;
		}
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
	/** The last 5,000 requests received (tests grep it for leaked secrets and CPFs). */
	requestLog: LoggedRequest[];
	/** Handler exceptions (answered 500); a non-empty list is an emulator bug. */
	errors: string[];
	/** Fresh counters and an empty request log. */
	resetCounters(): void;
	close(): Promise<void>;
}

export interface ServiceOptions {
	name: string;
	handler: Handler;
	certs: SandboxCerts;
	/** Ask for a client certificate (the emulator decides what to answer without one). */
	mtls?: boolean;
	/** Defaults to 127.0.0.1. */
	host?: string;
	/** A fixed port (`npm run sandbox`); when it is taken, any free port is used instead, with a warning. */
	port?: number;
}

const newCounters = (): Counters => ({ requests: 0, handshakes: 0, tokenRequests: 0, inFlight: 0, peakInFlight: 0, custom: {} });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startService(options: ServiceOptions): Promise<Service> {
	const { certs, handler } = options;
	const host = options.host ?? '127.0.0.1';
	const faults = new Faults();
	const requestLog: LoggedRequest[] = [];
	const errors: string[] = [];
	const sockets = new Set<Socket>();
	const held = new Set<NodeJS.Timeout>();
	const service: Service = {
		name: options.name,
		url: '',
		port: 0,
		counters: newCounters(),
		faults,
		requestLog,
		errors,
		resetCounters() {
			service.counters = newCounters();
			requestLog.length = 0;
		},
		close: async () => {
			for (const timer of held) clearTimeout(timer);
			held.clear();
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			// Keep-alive sockets would hold close() for keepAliveTimeout; tests must not hang.
			for (const s of sockets) s.destroy();
			await closed;
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
			// Nothing is read before the TLS layer takes the socket, so the handshake can be held (handshakeDelayMs).
			pauseOnConnect: true,
		},
		(req, res) => void serve(req, res),
	);
	server.keepAliveTimeout = 30_000;
	// The TLS layer starts on 'connection'; running its listener later holds the handshake without touching TLS.
	const startTls = server.listeners('connection') as Array<(socket: Socket) => void>;
	server.removeAllListeners('connection');
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		const begin = () => startTls.forEach((listener) => listener.call(server, socket));
		if (faults.handshakeDelayMs <= 0) return begin();
		const timer = setTimeout(() => {
			held.delete(timer);
			if (!socket.destroyed) begin();
		}, faults.handshakeDelayMs);
		held.add(timer);
	});
	server.on('secureConnection', () => {
		service.counters.handshakes++;
	});
	// A client that gives up mid-handshake (a bad key, an untrusted server) must not crash the sandbox.
	server.on('tlsClientError', () => undefined);

	async function serve(req: IncomingMessage, res: ServerResponse) {
		// The counters this request was counted in, even if a test resets them meanwhile.
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

			const path = url.pathname;
			const socket = req.socket as TLSSocket;
			// Read before any latency: a client that gives up meanwhile destroys the socket, and a real server still
			// handles the request it received (with the certificate it was sent with).
			const peer = options.mtls ? socket.getPeerCertificate() : undefined;
			const peerAuthorized = socket.authorized;
			const peerError = socket.authorizationError;
			if (faults.latencyMs > 0 && (!faults.latencyPathPrefix || path.startsWith(faults.latencyPathPrefix))) await sleep(faults.latencyMs);

			if (faults.take(faults.resets, path, req.method)) {
				socket.destroy();
				return;
			}
			const failure = faults.take(faults.failures, path, req.method);
			if (failure) {
				context.count(`http${failure.status}`);
				const headers: Record<string, string> = failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : {};
				return reply(res, { status: failure.status, headers, json: failure.body ?? { message: `sandbox fault: HTTP ${failure.status}` } });
			}

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
					authorized: presented && peerAuthorized,
					error: presented && !peerAuthorized ? String(peerError) : undefined,
					subject: presented ? String(peer?.subject?.CN ?? '') : undefined,
				},
			};
			const result = await handler(request, context);
			if (result === 'reset') {
				socket.destroy();
				return;
			}
			if (result.status >= 400) context.count(`http${result.status}`);
			if (result.status < 400 && faults.take(faults.malformeds, path, req.method)) {
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"content": [{"uuid": "trunc');
				return;
			}
			reply(res, result);
		} catch (error) {
			const message = (error as Error)?.stack ?? String(error);
			errors.push(message);
			console.error(`sandbox ${options.name}: handler failed on ${req.method} ${req.url}: ${message}`);
			reply(res, { status: 500, json: { code: 'INTERNAL', message: `sandbox handler failed: ${(error as Error)?.message ?? error}` } });
		} finally {
			counters.inFlight--;
		}
	}

	await listen(server, options.port ?? 0, host, options.name);
	const address = server.address();
	service.port = typeof address === 'object' && address ? address.port : 0;
	// Listening on every address (0.0.0.0, ::) includes loopback: the URL printed and used locally is loopback's.
	const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
	service.url = `https://${shown.includes(':') ? `[${shown}]` : shown}:${service.port}`;
	return service;
}

async function listen(server: Server, port: number, host: string, name: string) {
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
		console.warn(`sandbox ${name}: port ${port} is taken, using a free one`);
		await listen(server, 0, host, name);
	}
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
