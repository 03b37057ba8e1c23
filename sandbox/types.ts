/**
 * The contract between the sandbox framework (sandbox/framework.ts) and each service's emulator
 * (sandbox/<service>.ts). An emulator is a handler plus its own state; the framework owns TLS, counters,
 * fault knobs and the request log.
 */
import type { IncomingHttpHeaders } from 'http';

export interface KeyPair {
	cert: string; // PEM
	key: string; // PEM (PKCS#8)
}

/** Certificates generated at sandbox start; nothing is committed. */
export interface SandboxCerts {
	/** "CN=Clara API Certificate Authority": signs the server certificate and the good client certificates. */
	ca: KeyPair;
	/** Server certificate for 127.0.0.1, ::1 and localhost. */
	server: KeyPair;
	/** A good client certificate issued by `ca`. */
	client: KeyPair;
	/** The same kind of certificate with its key encrypted (PKCS#8, aes-256-cbc) under `passphrase`. */
	clientEncrypted: KeyPair & { passphrase: string };
	/** A certificate from an unrelated CA ("foreign"): Clara answers 406. */
	foreign: KeyPair & { ca: string };
	/** Issued by `ca` but expired. */
	expired: KeyPair;
}

export interface ClientCertInfo {
	presented: boolean;
	/** Chains to the sandbox CA and is within its validity dates. */
	authorized: boolean;
	/** Node's authorizationError when not authorized, e.g. CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
	error?: string;
	subject?: string;
}

export interface SandboxRequest {
	method: string;
	/** Path without the query string, e.g. /mx/api/v3/transactions */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** Parsed JSON body, or undefined when the body is empty or not JSON. */
	json(): unknown;
	/** Parsed application/x-www-form-urlencoded body. */
	form(): URLSearchParams;
	clientCert: ClientCertInfo;
}

export interface SandboxReply {
	status: number;
	headers?: Record<string, string>;
	json?: unknown;
	text?: string;
}

/** 'reset' destroys the socket without an answer (a dropped connection). */
export type HandlerResult = SandboxReply | 'reset';

export type Handler = (req: SandboxRequest, service: ServiceContext) => HandlerResult | Promise<HandlerResult>;

export interface Counters {
	requests: number;
	/** TLS handshakes completed on the service's server ('secureConnection' events). */
	handshakes: number;
	tokenRequests: number;
	inFlight: number;
	peakInFlight: number;
	/** Per-emulator counts, e.g. billedAnswers, http429, http401. */
	custom: Record<string, number>;
}

export interface ServiceContext {
	name: string;
	counters: Counters;
	/** Increment a custom counter. */
	count(name: string, by?: number): void;
	now(): number;
}
