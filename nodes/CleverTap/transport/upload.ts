import type { IDataObject } from 'n8n-workflow';

/** At most this many records per upload call (CleverTap's documented maximum). */
export const MAX_UPLOAD_RECORDS = 1000;

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

const who = (r: IDataObject) => `${String(r.type)}|${String(r.identity ?? r.objectId)}|${String(r.evtName ?? '')}`;

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
