import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { agentPermissionProperty, runPerItem, showFor } from '../../transport';
import { timeoutOption } from '../transport/write';

/** What the write operations of Card, User and Group share. */

/** Writes in flight at once: each changes a real account (a card is credit), so few; they share token and connections. */
export const WRITE_CONCURRENCY = 4;

/** Every input item gives one output or one error, four at a time. */
export function runWrites(ctx: IExecuteFunctions, handler: (itemIndex: number) => Promise<IDataObject | IDataObject[]>): Promise<INodeExecutionData[]> {
	return runPerItem(ctx, handler, { concurrency: WRITE_CONCURRENCY });
}

/** The Options collection of a write: the timeout, and for a Create its "look it up first" switch. */
export function optionsProperty(resource: string, operation: string, extra: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...extra, timeoutOption],
		displayOptions: showFor(resource, operation),
	};
}

export interface WriteOptions {
	timeout?: number;
	reuseExisting?: boolean;
}

export const writeOptions = (ctx: IExecuteFunctions, itemIndex: number) => ctx.getNodeParameter('options', itemIndex, {}) as WriteOptions;

/**
 * Create, or with the reuse option return what already exists under the same natural key (a card's user and alias,
 * a user's email, a group's name). Items of one run with the same key wait for each other, so two of them never both
 * create. Clara offers no idempotency key, so this look-up is what makes a re-run, or n8n's Retry On Fail, safe.
 */
export class CreateOnce {
	private readonly pending = new Map<string, Promise<IDataObject>>();

	run(key: string | undefined, reuse: boolean, find: () => Promise<IDataObject | undefined>, create: () => Promise<IDataObject>): Promise<IDataObject> {
		if (!reuse || key === undefined) return create();
		const earlier = this.pending.get(key);
		const next = (async () => {
			if (earlier) await earlier.catch(() => undefined);
			const existing = await find();
			return existing ? { ...existing, alreadyExisted: true } : create();
		})();
		this.pending.set(key, next);
		return next;
	}
}

/**
 * The one place where destructive operations (Card → Cancel, User → Delete, Group → Delete) meet n8n's AI-agent tool
 * mode, where they are off unless the user turns them on (nodes/transport/tool.ts): the router refuses them, and
 * these are their "Allow AI Agent to Run This" options (shown on the Tool copy only).
 */
export const DESTRUCTIVE_OPERATIONS: Record<string, string> = {
	'card:cancel': 'cancel a card',
	'user:delete': 'delete a user',
	'group:delete': 'delete a group',
};

export const agentPermissions: INodeProperties[] = Object.entries(DESTRUCTIVE_OPERATIONS).map(([key, action]) => {
	const [resource, operation] = key.split(':');
	return agentPermissionProperty(resource, operation, `${action} (it cannot be undone)`);
});
