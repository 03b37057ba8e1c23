import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';
import { NOT_SENT_CODES, TransportError, type HttpRequest, type HttpResponse } from './exchange';
import { redact, redactDeep } from './redact';
import { LockTimeoutError, StoreUnavailableError } from './token';
import { InvalidInput } from './validate';

/** A non-2xx answer that the caller did not handle. */
export class ApiError extends Error {
	constructor(
		readonly response: HttpResponse,
		/** 'token' when the token endpoint refused, so messages can point at the id/secret. */
		readonly stage: 'token' | 'call' = 'call',
	) {
		super(`HTTP ${response.status}`);
		this.name = 'ApiError';
	}
}

/**
 * A state-changing request (a Create, an Amend, an Upload) was sent and no clear answer came back: a 5xx, a gateway
 * timeout, a timeout or a dropped connection after sending, an unreadable body. The vendor may have acted on it.
 * It is never sent again automatically; the error says so and how to check, because "try again" could create a
 * second card or count events twice.
 */
export class UnknownOutcome extends Error {
	constructor(
		readonly action: string,
		readonly failure: ApiError | TransportError,
		readonly howToCheck?: string,
	) {
		super(`No clear answer to ${action}`);
		this.name = 'UnknownOutcome';
	}
}

/**
 * A state-changing request failed before it went out (no token: the token endpoint refused or was unreachable; the
 * shared token store): it did not take effect, and the error says so, with what stopped it.
 */
export class NothingSent extends Error {
	constructor(
		readonly action: string,
		readonly failure: unknown,
	) {
		super(`${action} was not sent`);
		this.name = 'NothingSent';
	}
}

/** Sending it twice could do it twice. */
export function isStateChanging(req: Pick<HttpRequest, 'method' | 'idempotent'>): boolean {
	return req.idempotent === false || (req.idempotent === undefined && req.method !== 'GET');
}

/** After a state-changing request, may the vendor have acted despite this failure? (Refusals and never-made connections: no.) */
export function mayHaveTakenEffect(error: unknown): error is ApiError | TransportError {
	if (error instanceof ApiError) return error.response.status >= 500;
	if (!(error instanceof TransportError)) return false;
	if (error.kind === 'malformed' || error.kind === 'unexpected') return true;
	if (error.kind === 'timeout') return error.code !== 'UND_ERR_CONNECT_TIMEOUT';
	return error.kind === 'network' && !NOT_SENT_CODES.has(error.code ?? '');
}

/** `error`, or an UnknownOutcome when `req` changes state and the vendor may have acted despite the error. */
export function outcomeOf(req: HttpRequest, error: unknown): unknown {
	if (!isStateChanging(req) || !mayHaveTakenEffect(error)) return error;
	return new UnknownOutcome(req.action ?? `${req.method} ${new URL(req.url).pathname}`, error, req.howToCheck);
}

export interface Explained {
	message: string;
	description?: string;
}

/** What a service knows about its own failures; anything it returns undefined for gets the generic wording. */
export interface ServiceErrors {
	service: string;
	/** Reads the vendor's error body ({code, message}, {error:{errorCode}}, {status:'fail'}…) for a non-2xx answer. */
	describe?(response: HttpResponse, stage: 'token' | 'call'): Explained | undefined;
	/** Hints for failures below HTTP, e.g. "add Clara's CA certificate" for an unknown server CA. */
	transport?(error: TransportError): Explained | undefined;
}

function genericHttp(service: string, status: number, vendorMessage?: string, attempts = 1): Explained {
	const said = vendorMessage ? ` ${service} said: "${vendorMessage}".` : '';
	const retried = attempts > 1 ? `, still after ${attempts - 1} ${attempts === 2 ? 'retry' : 'retries'}` : '';
	switch (status) {
		case 400:
		case 422:
			return { message: `${service} rejected the request as invalid (HTTP ${status})`, description: `Check the node's parameters.${said}` };
		case 401:
			return { message: `${service} rejected the credentials (HTTP 401)`, description: `Check the client id and secret in the credential.${said}` };
		case 403:
			return { message: `${service} refused access (HTTP 403)`, description: `The credential is valid but not allowed to do this; ask the account owner for the permission.${said}` };
		case 404:
			return { message: `${service} found nothing with that id (HTTP 404)`, description: `Check the id; it may belong to another account or environment.${said}` };
		case 429:
			return { message: `${service} is rate limiting these requests (HTTP 429)${retried}`, description: `Run fewer items at once or space the executions out.${said}` };
		default:
			if (status >= 500) {
				return { message: `${service} had a server error (HTTP ${status})${retried}`, description: `Try again later; if it persists, contact ${service}.${said}` };
			}
			return { message: `${service} answered HTTP ${status}`, description: said.trim() || undefined };
	}
}

function genericTransport(service: string, error: TransportError): Explained {
	switch (error.kind) {
		case 'tls-config':
			return { message: error.message, description: `Fix the certificate fields of the ${service} credential.` };
		case 'tls':
			if (/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/.test(error.code ?? '')) {
				return {
					message: `The ${service} server's certificate is not trusted (${error.code})`,
					description: `Paste ${service}'s CA certificate into the credential's CA Certificate field, or check that the base URL points at ${service}.`,
				};
			}
			return { message: `The TLS handshake with ${service} failed (${error.code ?? 'no code'})`, description: 'Check the certificate, key and CA fields of the credential.' };
		case 'timeout':
			return { message: `${error.message} (${service})`, description: 'The request was not retried if it could have had an effect; try again later.' };
		case 'aborted':
			// n8n's spelling: WorkflowExecute records the run as 'canceled' (not 'error') only if the message says "canceled".
			return { message: 'The execution was canceled while a request was in flight' };
		case 'malformed':
			return { message: `${service} answered with a body that is not valid JSON (HTTP ${error.status})`, description: 'Probably a proxy or an outage page; try again later.' };
		case 'unexpected':
			return {
				message: error.message,
				description: `Nothing was returned rather than a partial or empty list. Check that the credential points at ${service}'s API; if it does, ${service}'s answer has changed shape.`,
			};
		case 'blocked':
			return {
				message: error.message,
				description: `Nothing was sent. The n8n administrator's SSRF protection (N8N_SSRF_PROTECTION_ENABLED and its allow/block lists) decides which hosts nodes may reach; ask them to allow ${service}'s host.`,
			};
		case 'insecure':
			return { message: error.message, description: `Use an https:// address in the ${service} credential (Base URL, Token URL): nothing was sent.` };
		case 'rate-limited':
			return { message: `${service}: ${error.message}`, description: 'Run fewer items at once or space the executions out.' };
		default:
			return { message: `Could not reach ${service}: ${error.message}`, description: `Check the base URL / environment of the credential and the network between n8n and ${service}.` };
	}
}

/**
 * The one mapping from any failure to an n8n error. `secrets` are the credential's secret values: they and
 * anything shaped like a token, key or CPF are removed from the message, description and attached body.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	options: { errors: ServiceErrors; itemIndex?: number; secrets: ReadonlyArray<string | undefined> },
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const { errors, itemIndex, secrets } = options;
	if (error instanceof NothingSent) {
		const cause = toNodeError(node, error.failure, options);
		const message = `${cause.message}. Nothing was sent: ${redact(error.action, secrets)} did not go out, so it did not take effect`;
		const description = cause.description ?? undefined;
		return cause instanceof NodeApiError
			? new NodeApiError(node, { ...(cause.errorResponse as JsonObject), message }, { message, description, httpCode: cause.httpCode ?? undefined, itemIndex })
			: new NodeOperationError(node, message, { itemIndex, description });
	}
	if (error instanceof InvalidInput) {
		return new NodeOperationError(node, redact(error.message, secrets), { itemIndex, description: error.description && redact(error.description, secrets) });
	}
	let explained: Explained;
	let body: JsonObject = {};
	let httpCode: string | undefined;
	if (error instanceof UnknownOutcome) {
		const failure = error.failure;
		const what = failure instanceof ApiError ? `HTTP ${failure.response.status}${vendorMessage(failure.response.body) ? `: "${vendorMessage(failure.response.body)}"` : ''}` : failure.message.replace(/\. The request may have reached.*$/, '').replace(/^Could not reach the server: /, '').replace(/\.$/, '');
		httpCode = failure instanceof ApiError ? String(failure.response.status) : failure.status ? String(failure.status) : undefined;
		explained = {
			message: `${errors.service} gave no clear answer to ${error.action} (${what}). It was sent once and not again, so it may have taken effect`,
			description: error.howToCheck ?? `Check in ${errors.service} whether it took effect before running it again.`,
		};
		body = { outcome: 'unknown', failure: failure instanceof ApiError ? `HTTP ${failure.response.status}` : failure.code ?? failure.kind };
	} else if (error instanceof ApiError) {
		const res = error.response;
		httpCode = String(res.status);
		body = (res.body && typeof res.body === 'object' ? res.body : { body: String(res.body ?? '') }) as JsonObject;
		explained =
			errors.describe?.(res, error.stage) ??
			(error.stage === 'token' && res.status < 500
				? {
						message: `${errors.service} did not issue a token (HTTP ${res.status})`,
						description: `Check the client id and secret in the credential.${vendorMessage(res.body) ? ` ${errors.service} said: "${vendorMessage(res.body)}".` : ''}`,
					}
				: genericHttp(errors.service, res.status, vendorMessage(res.body), res.attempts));
	} else if (error instanceof TransportError) {
		httpCode = error.status ? String(error.status) : undefined;
		explained = errors.transport?.(error) ?? genericTransport(errors.service, error);
		// Not `code`: NodeApiError swaps a message for its generic text when it sees ECONNREFUSED & co. there.
		body = { failure: error.code ?? error.kind };
	} else if (error instanceof StoreUnavailableError || error instanceof LockTimeoutError) {
		// Queue mode's Redis: the message already says what happened and what to check.
		explained = { message: error.message };
	} else {
		explained = { message: `${errors.service}: ${String((error as Error)?.message ?? error)}` };
	}
	const message = redact(explained.message, secrets);
	const description = explained.description ? redact(explained.description, secrets) : undefined;
	return new NodeApiError(node, redactDeep({ ...body, message }, secrets) as JsonObject, {
		message,
		description,
		httpCode,
		itemIndex,
	});
}

/** The human part of the common vendor error shapes. */
export function vendorMessage(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return typeof body === 'string' && body.length < 300 ? body : undefined;
	const b = body as Record<string, any>;
	const nested = b.error && typeof b.error === 'object' ? b.error : undefined;
	const text = nested?.detailedMessage ?? nested?.message ?? b.message ?? (typeof b.error === 'string' ? b.error : undefined);
	return typeof text === 'string' ? text : undefined;
}
