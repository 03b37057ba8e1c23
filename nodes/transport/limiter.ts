/**
 * Concurrency limits that belong to an account, not to an execution (CleverTap allows 3 concurrent reads per
 * account). A limiter is shared by every execution in the process; in queue mode a Redis-backed one is shared by
 * every worker. `acquire` resolves with a release function once a slot is free.
 */
export interface ConcurrencyLimiter {
	readonly kind: string;
	acquire(key: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>>;
}

export class MemoryLimiter implements ConcurrencyLimiter {
	readonly kind = 'memory';
	private readonly active = new Map<string, number>();
	private readonly waiting = new Map<string, Array<() => void>>();

	async acquire(key: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
		while ((this.active.get(key) ?? 0) >= limit) {
			await new Promise<void>((resolve, reject) => {
				const queue = this.waiting.get(key) ?? [];
				this.waiting.set(key, queue);
				const wake = () => {
					signal?.removeEventListener('abort', onAbort);
					resolve();
				};
				const onAbort = () => {
					const at = queue.indexOf(wake);
					if (at >= 0) queue.splice(at, 1);
					reject(signal?.reason ?? new Error('aborted'));
				};
				if (signal?.aborted) return onAbort();
				signal?.addEventListener('abort', onAbort, { once: true });
				queue.push(wake);
			});
		}
		this.active.set(key, (this.active.get(key) ?? 0) + 1);
		let released = false;
		return async () => {
			if (released) return;
			released = true;
			this.active.set(key, (this.active.get(key) ?? 1) - 1);
			this.waiting.get(key)?.shift()?.();
		};
	}
}

/**
 * Run `fn` over `items` with at most `concurrency` at once, results in input order. When one call throws, the rest
 * stop at once: no further item starts, and `signal` (handed to every call, to pass on to its requests) aborts those
 * in flight and their waits between retries. The first error is thrown only once every call has ended, so nothing
 * of this run is still sending when the caller reports the failure (or when the next run starts).
 */
export async function mapConcurrent<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	const stop = new AbortController();
	let failure: { error: unknown } | undefined;
	let next = 0;
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
		while (next < items.length && !stop.signal.aborted) {
			const index = next++;
			try {
				results[index] = await fn(items[index], index, stop.signal);
			} catch (error) {
				// The first failure is the one to report; what the others throw once stopped is its consequence.
				if (!failure) {
					failure = { error };
					stop.abort(error);
				}
				return;
			}
		}
	});
	await Promise.all(workers);
	if (failure) throw failure.error;
	return results;
}
