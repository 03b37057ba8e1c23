import type { IDataObject } from 'n8n-workflow';
import { mapConcurrent } from './limiter';

/** A Spring Data page, as Clara answers list calls. */
export interface SpringPage {
	content: IDataObject[];
	totalPages?: number;
	totalElements?: number;
	number?: number;
	size?: number;
	last?: boolean;
}

export interface ListOptions {
	returnAll: boolean;
	/** Items wanted when not returnAll. */
	limit: number;
	/** The API's largest page size. */
	maxPageSize: number;
	/** Pages fetched at once after the first one has told how many there are. */
	concurrency?: number;
}

/**
 * Read a Spring-paged list. The first page says how many pages there are; the rest are fetched a few at a
 * time (the reason Return All beats a page-after-page loop), and items are de-duplicated by uuid because a row
 * inserted meanwhile shifts later pages by one.
 */
export async function collectSpringPages(
	fetchPage: (page: number, size: number) => Promise<SpringPage>,
	options: ListOptions,
): Promise<IDataObject[]> {
	const wanted = options.returnAll ? Infinity : Math.max(1, options.limit);
	const size = Math.min(options.maxPageSize, wanted);
	const first = await fetchPage(0, size);
	const pages: IDataObject[][] = [first.content ?? []];
	const lastPageIsShort = (first.content?.length ?? 0) < size || first.last === true;
	let totalPages = first.totalPages ?? (lastPageIsShort ? 1 : undefined);
	if (totalPages === undefined) {
		// No totals: walk page by page until a short or empty page.
		for (let page = 1; pages.flat().length < wanted; page++) {
			const next = await fetchPage(page, size);
			pages.push(next.content ?? []);
			if ((next.content?.length ?? 0) < size || next.last === true) break;
		}
	} else {
		totalPages = Math.min(totalPages, Math.ceil(wanted / size));
		const rest = Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) => i + 1);
		const fetched = await mapConcurrent(rest, options.concurrency ?? 4, async (page) => (await fetchPage(page, size)).content ?? []);
		pages.push(...fetched);
	}
	const seen = new Set<unknown>();
	const out: IDataObject[] = [];
	for (const page of pages) {
		for (const item of page) {
			const id = item.uuid ?? item.id;
			if (id !== undefined) {
				if (seen.has(id)) continue;
				seen.add(id);
			}
			out.push(item);
			if (out.length >= wanted) return out;
		}
	}
	return out;
}
