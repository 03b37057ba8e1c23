import type { IDataObject, IExecuteFunctions, IHookFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { amount, callApi, InvalidInput, shown, toNodeError, vendorMessage, type HttpResponse, type ServiceErrors } from '../../transport';
import type { Clara, ClaraCredentials } from './index';

/**
 * Clara's state-changing calls: cards, users, groups and webhook subscribers. One place for what they share: the
 * write permission they need, how long to wait (Clara answers within about 30 s, then finishes asynchronously), the
 * words of an ambiguous outcome, and the messages for Clara's refusals.
 */

/** The API-project permission a write needs (developers.clara.team/authentication). */
export type ClaraPermission = 'Write cards' | 'Write users' | 'Webhooks';

export interface ClaraWrite {
	method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
	/** Below /api (or /api-test), e.g. `/v3/cards`. */
	path: string;
	json?: unknown;
	/** In the user's words, for messages: "the Create Card". */
	action: string;
	/** Exactly how to find out whether it took effect, for when the answer is lost. */
	howToCheck: string;
	/**
	 * Only for the webhook trigger's own subscriber upkeep (enable, disable: absolute states n8n sets on activation):
	 * a broken connection or a 5xx is retried like a read. A user's operation is always sent once, even one that
	 * sets an absolute state (lock, threshold, an update): its message then says repeating it is harmless.
	 */
	repeatable?: boolean;
	permission: ClaraPermission;
	/** Seconds to wait for the answer. */
	timeoutSec?: number;
}

/**
 * Clara's hybrid flow answers within 30 s or switches to asynchronous processing, so the wait is longer than that:
 * cutting it at 30 s would turn most slow-but-successful calls into "may have taken effect".
 */
export const WRITE_TIMEOUT_SEC = 45;
const MAX_TIMEOUT_SEC = 300;

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_TIMEOUT_SEC },
	default: WRITE_TIMEOUT_SEC,
	description: `How long to wait for Clara's answer, 1 to ${MAX_TIMEOUT_SEC} seconds (there is no "no limit"). When it runs out the request is not sent again (Clara may have acted on it): the error says how to check.`,
};

/**
 * The Timeout option, checked before anything is sent: an expression can give 0, a negative number or text, which
 * the editor's bounds do not stop. 0 is refused rather than read as "no limit": a write that never ends holds the
 * execution and still leaves its outcome unknown.
 */
export function timeoutSeconds(value: unknown): number {
	if (value === undefined || value === null) return WRITE_TIMEOUT_SEC;
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	if (!Number.isFinite(n) || n < 1 || n > MAX_TIMEOUT_SEC) {
		throw new InvalidInput(
			'Timeout (Seconds)',
			`Timeout (Seconds) must be a number of seconds from 1 to ${MAX_TIMEOUT_SEC}, not ${shown(value)}, so nothing was sent`,
			`Give a number from 1 to ${MAX_TIMEOUT_SEC} (0 does not mean "no limit"), or remove the option to wait ${WRITE_TIMEOUT_SEC} seconds.`,
		);
	}
	return n;
}

/** The currency of the credential's country: thresholds are in it. */
export const CURRENCY: Record<ClaraCredentials['country'], string> = { mx: 'MXN', br: 'BRL', co: 'COP' };
/** Clara's smallest card threshold per country (clara-api.readme.io, "Cards API: how to use it, and its restrictions"). */
export const MIN_THRESHOLD: Record<ClaraCredentials['country'], number> = { mx: 500, br: 50, co: 100_000 };

/** A card threshold: a positive amount in the country's currency, at least Clara's minimum there. */
export function threshold(value: unknown, field: string, country: ClaraCredentials['country']): number {
	const currency = CURRENCY[country];
	const n = amount(value, field, currency);
	if (n < MIN_THRESHOLD[country]) {
		throw new InvalidInput(field, `${field} ${n} is below Clara's minimum of ${currency} ${MIN_THRESHOLD[country]} for a card`, `Give at least ${MIN_THRESHOLD[country]}.`);
	}
	return n;
}

function detailsOf(body: unknown): string {
	const details = (body as IDataObject | undefined)?.details;
	if (!Array.isArray(details) || !details.length) return '';
	return ` (${details.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('; ')})`;
}

/** Clara's refusals of a write, in words; anything else falls through to Clara's read-side wording. */
export function writeErrors(clara: Clara, call: Pick<ClaraWrite, 'action' | 'permission'>, hints: { conflict?: string } = {}): ServiceErrors {
	const base = clara.errors;
	return {
		...base,
		describe(res: HttpResponse, stage) {
			if (stage === 'token') return base.describe?.(res, stage);
			const said = vendorMessage(res.body);
			const code = typeof (res.body as IDataObject | undefined)?.code === 'string' ? ` ${(res.body as IDataObject).code}` : '';
			switch (res.status) {
				case 400:
					return {
						message: `Clara rejected ${call.action} (HTTP 400): ${said ?? 'invalid request'}${detailsOf(res.body)}`,
						description: 'Fix the fields Clara names and run it again: nothing was changed.',
					};
				case 403:
					return {
						message: `Clara refused ${call.action} (HTTP 403): the API project lacks the ${call.permission} permission`,
						description: `Ask your Clara account owner to grant the API project "${call.permission}"${clara.credentials.taxIdentifier ? `, and check the credential's Tax Identifier (${clara.credentials.taxIdentifier}) is one of this account's entities` : ''}. Nothing was changed.${said ? ` Clara said: "${said}".` : ''}`,
					};
				case 404:
					return { message: `Clara found nothing with that uuid (HTTP 404), so ${call.action} did nothing`, description: 'Check the uuid: it may belong to another entity (Tax Identifier) or environment.' };
				case 409:
					return { message: `Clara refused ${call.action} (HTTP 409): ${said ?? 'it conflicts with what exists'}`, description: hints.conflict ?? 'Nothing was changed.' };
				case 422:
					return { message: `Clara refused ${call.action} (HTTP 422${code}): ${said ?? 'a business rule forbids it'}`, description: 'Nothing was changed.' };
				default:
					return base.describe?.(res, stage);
			}
		},
	};
}

/** Send one write; returns Clara's answer: its status and body (`{}` when it has none, e.g. a 204). */
export async function claraWrite(ctx: IExecuteFunctions | IHookFunctions, clara: Clara, call: ClaraWrite): Promise<{ status: number; body: unknown }> {
	const ms = timeoutSeconds(call.timeoutSec) * 1000;
	const client = { ...clara.client, send: { ...clara.client.send, timeouts: { headersMs: ms, bodyMs: ms } } };
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
	const res = await callApi(
		client,
		{ method: call.method, url: clara.apiUrl(call.path), json: call.json, idempotent: call.repeatable ?? false, action: call.action, howToCheck: call.howToCheck },
		signal,
	);
	return { status: res.status, body: res.body === '' || res.body === undefined ? {} : res.body };
}

/** An answer body as an object (what one item outputs). */
export const asObject = (body: unknown): IDataObject => (body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : { answer: body as IDataObject });

/**
 * The look-up a "Reuse … with Same …" option makes before creating failed or its answer could not be read. The
 * guard then fails closed: nothing is created, because creating anyway is exactly the duplicate it exists to stop.
 */
export class LookupFailed extends Error {
	constructor(
		/** What was looked for, e.g. "a card with this alias for this user". */
		readonly what: string,
		readonly cause: unknown,
	) {
		super(`Could not look for ${what}`);
		this.name = 'LookupFailed';
	}
}

/** The n8n error for a failed write, in Clara's words for writes. */
export function writeError(ctx: IExecuteFunctions | IHookFunctions, clara: Clara, call: Pick<ClaraWrite, 'action' | 'permission'>, error: unknown, itemIndex?: number, hints?: { conflict?: string }) {
	if (error instanceof LookupFailed) {
		const reason = error.cause instanceof InvalidInput ? error.cause : toNodeError(ctx.getNode(), error.cause, { errors: clara.errors, secrets: clara.secrets });
		return new NodeOperationError(ctx.getNode(), `Could not tell whether ${error.what} already exists, so ${call.action} was not sent: ${reason.message}`, {
			itemIndex,
			description: `Nothing was created. Run it again when Clara answers the look-up, or create it without the Reuse option if you are sure it does not exist.${'description' in reason && reason.description ? ` ${String(reason.description)}` : ''}`,
		});
	}
	return toNodeError(ctx.getNode(), error, { errors: writeErrors(clara, call, hints), itemIndex, secrets: clara.secrets });
}
