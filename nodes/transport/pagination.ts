import type { IDataObject } from 'n8n-workflow';
import { TransportError } from './exchange';
import { mapConcurrent } from './limiter';

/**
 * The one reader of list answers. Vendors document several shapes, sometimes for the same API: a Spring page
 * (`{content, totalPages, number, last}`, Clara v3), a plain JSON array (Clara's v2 groups, locations and users,
 * its digital accounts), an `items` page (`{items, totalPages, pageNumber}`, Conferma). Anything else is an error
 * that says what came: an answer the node cannot read must never become 0 items.
 */
export interface Page {
	items: IDataObject[];
	/** When the answer says how many pages there are. */
	totalPages?: number;
	/** When the answer says this is the last page. */
	last?: boolean;
}

/** What a list answer looked like, for an error message: its kind and keys, never its values. */
export function describeShape(body: unknown): string {
	if (body === null || body === undefined || body === '') return 'an empty body';
	if (Array.isArray(body)) return 'a JSON array';
	if (typeof body === 'object') {
		const keys = Object.keys(body as object);
		return keys.length ? `an object with ${keys.length === 1 ? 'key' : 'keys'} ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}` : 'an empty object';
	}
	return typeof body === 'string' ? `text of ${body.length} characters` : `a ${typeof body}`;
}

const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * One page of a list, whichever documented shape it has. `keys` are the properties that may hold the items, in
 * order (default `content` then `items`); the page counters are read from the same object.
 */
export function readPage(body: unknown, service: string, keys: string[] = ['content', 'items']): Page {
	if (Array.isArray(body)) return { items: body as IDataObject[] };
	if (body && typeof body === 'object') {
		const b = body as IDataObject;
		const key = keys.find((k) => Array.isArray(b[k]));
		if (key) {
			const paging = (b.pagination && typeof b.pagination === 'object' ? b.pagination : b) as IDataObject;
			return { items: b[key] as IDataObject[], totalPages: number(paging.totalPages), last: typeof b.last === 'boolean' ? b.last : undefined };
		}
	}
	throw new TransportError(
		'unexpected',
		`${service} answered a list request with ${describeShape(body)}, which is not a list this node can read (a JSON array, or an object with ${keys.map((k) => `"${k}"`).join(' or ')})`,
	);
}

export interface ListOptions {
	returnAll: boolean;
	/** Items wanted when not returnAll. */
	limit: number;
	/** The API's largest page size. */
	maxPageSize: number;
	/** The API's smallest page size (Conferma refuses fewer than 10); extra items are cut off. */
	minPageSize?: number;
	/** Pages fetched at once after the first one has told how many there are. */
	concurrency?: number;
	/** The service's name, for the error about an unreadable answer. */
	service: string;
	/** Where the items may be (see readPage). */
	keys?: string[];
	/** The field that identifies an item, tried before `uuid` and `id` (Conferma's `deploymentId`). */
	idKey?: string;
}

/**
 * Read a paged list; `fetchPage` gets the zero-based page number, the page size and, for pages read side by side, a
 * signal to pass to its request (aborted when a sibling page failed for good), and returns the raw answer.
 * When the first page says how many there are, the rest are fetched a few at a time (the reason Return All beats a
 * page-after-page loop); otherwise pages are walked until a short one, one marked last, or one that brings nothing
 * new (an API that ignores paging and sends the whole array each time). Items are de-duplicated by uuid/id because
 * a row inserted meanwhile shifts later pages: an item read at the end of one page comes again at the start of the
 * next. So ids are remembered for the page being taken and the two before it, not for the whole list (50,000 ids
 * would be the largest thing Return All holds besides the items themselves).
 */
export async function collectPages(
	fetchPage: (page: number, size: number, signal?: AbortSignal) => Promise<unknown>,
	options: ListOptions,
): Promise<IDataObject[]> {
	const wanted = options.returnAll ? Infinity : Math.max(1, options.limit);
	const size = Math.max(options.minPageSize ?? 1, Math.min(options.maxPageSize, wanted));
	const read = async (page: number, signal?: AbortSignal) => readPage(await fetchPage(page, size, signal), options.service, options.keys);
	let idsTwoBack = new Set<unknown>();
	let idsOneBack = new Set<unknown>();
	const out: IDataObject[] = [];
	/** Adds a page's new items; returns how many were new. */
	const take = (items: IDataObject[]) => {
		const ids = new Set<unknown>();
		let added = 0;
		for (const item of items) {
			if (out.length >= wanted) break;
			const id = item && typeof item === 'object' ? ((options.idKey ? item[options.idKey] : undefined) ?? item.uuid ?? item.id) : undefined;
			if (id !== undefined) {
				if (ids.has(id) || idsOneBack.has(id) || idsTwoBack.has(id)) continue;
				ids.add(id);
			}
			out.push(item);
			added++;
		}
		idsTwoBack = idsOneBack;
		idsOneBack = ids;
		return added;
	};
	const first = await read(0);
	take(first.items);
	const done = (page: Page) => page.items.length < size || page.last === true || out.length >= wanted;
	if (first.totalPages !== undefined) {
		const totalPages = Math.min(first.totalPages, Math.ceil(wanted / size));
		const rest = Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) => i + 1);
		// Pages are taken in order as soon as the ones before them are in, so no page is held to the end beside the
		// items taken from it. A page that fails for good stops the others: `signal` aborts their requests (see
		// mapConcurrent).
		const arrived = new Map<number, IDataObject[]>();
		let nextPage = 1;
		await mapConcurrent(rest, options.concurrency ?? 4, async (page, _i, signal) => {
			arrived.set(page, (await read(page, signal)).items);
			for (let items = arrived.get(nextPage); items; items = arrived.get(++nextPage)) {
				arrived.delete(nextPage);
				take(items);
			}
		});
		return out;
	}
	for (let page = 1, last = first; !done(last); page++) {
		last = await read(page);
		if (take(last.items) === 0) break;
	}
	return out;
}
