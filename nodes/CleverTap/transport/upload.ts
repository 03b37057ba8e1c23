import type { IDataObject } from 'n8n-workflow';

/** At most this many records per upload call (CleverTap's documented maximum). */
export const MAX_UPLOAD_RECORDS = 1000;

/**
 * CleverTap's per-record codes (developer.clevertap.com/docs/api-errors): what each means, and what to change.
 * The message a user gets names the code, its meaning and CleverTap's own words.
 */
const UPLOAD_CODES: Record<number, { meaning: string; fix: string }> = {
	509: { meaning: 'event name missing', fix: 'Fill Event Name.' },
	512: { meaning: 'invalid event structure', fix: 'Event Data must be an object of properties, e.g. {"Amount": 10}.' },
	513: { meaning: 'a restricted system event', fix: 'Use an event name of your own: CleverTap raises system events such as App Launched or Notification Viewed itself.' },
	514: { meaning: 'gender invalid', fix: 'Fix Gender in Profile Data (M or F).' },
	515: { meaning: 'email invalid', fix: 'Fix Email in Profile Data: it is not an email address.' },
	516: { meaning: 'phone number invalid', fix: 'Write Phone in Profile Data with + and the country code, e.g. +14155551234.' },
	517: { meaning: 'employment status invalid', fix: 'Fix Employed in Profile Data (Y or N).' },
	518: { meaning: 'education status invalid', fix: 'Fix Education in Profile Data (School, College or Graduate).' },
	519: { meaning: 'marital status invalid', fix: 'Fix Married in Profile Data (Y or N).' },
	520: { meaning: 'age invalid', fix: 'Fix Age in Profile Data: a whole number.' },
	522: { meaning: 'too many event properties', fix: 'Send fewer properties in Event Data (CleverTap allows at most 256 per event).' },
	523: { meaning: 'identity missing', fix: 'Fill Identifier with the identity or object ID of the user.' },
	524: { meaning: 'neither an event nor a profile', fix: 'The record was not a profile or an event; report this, it is not something the node should send.' },
	525: { meaning: 'timestamp not in UNIX epoch format', fix: 'Give Timestamp as a date, or as UNIX time in seconds (not milliseconds).' },
	526: { meaning: 'object ID invalid', fix: 'Use an object ID CleverTap gave (the CleverTap ID of the profile), or identify by Identity.' },
	528: { meaning: 'a discarded event', fix: 'This event name is discarded in your CleverTap account (Settings > Events); use another or restore it there.' },
	555: { meaning: 'a server error on this record', fix: 'CleverTap did not store it: send this item again later.' },
};

/** The code's meaning and what to do, for a message; undefined for a code CleverTap does not document. */
export function uploadCode(code: unknown): { meaning: string; fix: string } | undefined {
	return UPLOAD_CODES[Number(code)];
}

export interface Rejection {
	code?: unknown;
	error: string;
}

export interface Attribution {
	/** Batch position → why CleverTap refused that record. */
	rejected: Map<number, Rejection>;
	/** Refusals that match no record of the batch: the caller cannot tell which record they mean. */
	unmatched: Rejection[];
}

/** JSON with sorted keys, so an echoed record matches the sent one whatever the key order. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value && typeof value === 'object') {
		return `{${Object.keys(value)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical((value as IDataObject)[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

const who = (r: IDataObject) => `${String(r.type)}|${String(r.identity ?? r.objectId ?? r.value)}|${String(r.evtName ?? '')}`;

/**
 * Which records of a batch CleverTap refused. The documented `unprocessed` entry is `{status, code, error}`; public
 * client code shows it also echoes the refused `record`, and no index. So an entry is matched by its `index` if it
 * ever has one, else by the record it echoes (the same JSON; identical records are taken in order), else by type +
 * identity/objectId + event name in case CleverTap normalised the echo. An entry that matches nothing is kept apart
 * rather than dropped.
 */
export function attributeRejections(batch: IDataObject[], unprocessed: unknown[]): Attribution {
	const rejected = new Map<number, Rejection>();
	const unmatched: Rejection[] = [];
	const free = (i: number) => i >= 0 && i < batch.length && !rejected.has(i);
	const exact = batch.map(canonical);
	const loose = batch.map(who);
	for (const raw of unprocessed) {
		const entry = (raw && typeof raw === 'object' ? raw : {}) as IDataObject;
		const rejection: Rejection = { code: entry.code, error: typeof entry.error === 'string' && entry.error ? entry.error : 'refused without a reason' };
		const record = entry.record && typeof entry.record === 'object' ? (entry.record as IDataObject) : undefined;
		let at = typeof entry.index === 'number' && free(entry.index) ? entry.index : -1;
		if (at < 0 && record) {
			const wanted = canonical(record);
			at = exact.findIndex((c, i) => c === wanted && free(i));
			if (at < 0) at = loose.findIndex((k, i) => k === who(record) && free(i));
		}
		if (at >= 0) rejected.set(at, rejection);
		else unmatched.push(rejection);
	}
	return { rejected, unmatched };
}
