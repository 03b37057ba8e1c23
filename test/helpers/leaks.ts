/**
 * Collects everything a test run showed the user or wrote to a log, and the secrets it used, then asserts that
 * no secret appears anywhere. PEM keys are watched line by line, so a partial leak of a key is caught too.
 */
export class Leaks {
	private readonly secrets = new Set<string>();
	private readonly texts: string[] = [];

	watch(...values: unknown[]) {
		for (const value of values) {
			if (typeof value !== 'string' || value.length < 6) continue;
			if (value.includes('-----BEGIN')) {
				for (const line of value.split('\n')) if (/^[A-Za-z0-9+/=]{24,}$/.test(line.trim())) this.secrets.add(line.trim());
			} else {
				this.secrets.add(value);
			}
		}
	}

	/** Anything: a runNode result (items, error, logs), an error, a string. */
	collect(...things: unknown[]) {
		for (const thing of things) {
			if (thing instanceof Error) {
				this.texts.push(thing.message, String((thing as { description?: string }).description ?? ''), safeJson(thing));
			} else if (typeof thing === 'string') {
				this.texts.push(thing);
			} else {
				this.texts.push(safeJson(thing));
				const error = (thing as { error?: unknown })?.error;
				if (error instanceof Error) this.collect(error);
			}
		}
	}

	/** Returns how much text was checked, so a test can also assert it checked something. */
	assertNone(): number {
		const all = this.texts.join('\n');
		const found = [...this.secrets].filter((s) => all.includes(s));
		if (found.length) throw new Error(`${found.length} secret value(s) leaked, e.g. one starting "${found[0].slice(0, 3)}…"`);
		if (this.secrets.size === 0) throw new Error('no secrets were watched: the leak test checks nothing');
		return all.length;
	}
}

function safeJson(value: unknown) {
	const seen = new WeakSet();
	try {
		return JSON.stringify(value, (_k, v) => {
			if (v && typeof v === 'object') {
				if (seen.has(v)) return undefined;
				seen.add(v);
			}
			return v;
		});
	} catch {
		return String(value);
	}
}
