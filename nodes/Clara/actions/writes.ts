import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { agentPermissionProperty, InvalidInput, runPerItem, showFor, tried } from '../../transport';
import { LookupFailed, timeoutOption, timeoutSeconds } from '../transport/write';

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
	timeout: number;
	reuseExisting: boolean;
}

/**
 * The Options of an item, checked before anything is sent: an expression can give any value, and a guard against
 * creating twice must not be switched on or off by a value that only looks like a boolean ("false" is truthy).
 */
export function writeOptions(ctx: IExecuteFunctions, itemIndex: number): WriteOptions {
	const given = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const reuse = given.reuseExisting ?? false;
	if (typeof reuse !== 'boolean') {
		throw new InvalidInput('Options', `The Reuse option must be true or false, not ${JSON.stringify(reuse).slice(0, 40)}, so nothing was sent`, 'Turn the option on or off, or make its expression give a boolean.');
	}
	return { timeout: timeoutSeconds(given.timeout), reuseExisting: reuse };
}

/**
 * Create, or with the reuse option return what already exists under the same natural key (a card's user and alias,
 * a user's email, a group's name). Items of one run with the same key wait for each other, so two of them never both
 * create. Clara offers no idempotency key, so this look-up is what makes a re-run, or n8n's Retry On Fail, safe.
 */
export class CreateOnce {
	private readonly pending = new Map<string, Promise<IDataObject>>();

	/** `what` names the look-up in an error ("a card with this alias for this user"); a failed look-up creates nothing. */
	run(key: string, what: string, reuse: boolean, find: () => Promise<IDataObject | undefined>, create: () => Promise<IDataObject>): Promise<IDataObject> {
		if (!reuse) return create();
		const earlier = this.pending.get(key);
		const next = (async () => {
			if (earlier) await earlier.catch(() => undefined);
			const found = await tried(find);
			if ('error' in found) throw new LookupFailed(what, found.error);
			return found.value ? { ...found.value, alreadyExisted: true } : create();
		})();
		this.pending.set(key, next);
		return next;
	}
}

/**
 * The one place where the operations that cannot be undone or that commit the company's money (issuing a card,
 * raising what a card may spend) meet n8n's AI-agent tool mode, where they are off unless the user turns them on
 * (nodes/transport/tool.ts): the router refuses them, and these are their "Allow AI Agent to Run This" options
 * (shown on the Tool copy only).
 */
const GATED: Record<string, { action: string; effect: string }> = {
	'card:cancel': { action: 'cancel a card', effect: 'it cannot be undone' },
	'card:create': { action: 'create a card', effect: "it issues a card that spends on the company's credit line" },
	'card:createMany': { action: 'create cards', effect: "it issues cards that spend on the company's credit line" },
	'card:setThreshold': { action: "change a card's spending limit", effect: 'it can raise how much the card may spend' },
	'user:delete': { action: 'delete a user', effect: 'it cannot be undone' },
	'group:delete': { action: 'delete a group', effect: 'it cannot be undone' },
};

/** What an agent is refused, by `resource:operation`, in words for the refusal. */
export const DESTRUCTIVE_OPERATIONS: Record<string, string> = Object.fromEntries(Object.entries(GATED).map(([key, g]) => [key, g.action]));

export const agentPermissions: INodeProperties[] = Object.entries(GATED).map(([key, { action, effect }]) => {
	const [resource, operation] = key.split(':');
	return agentPermissionProperty(resource, operation, `${action} (${effect})`);
});
