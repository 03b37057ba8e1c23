import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { integer, optionalText, toNodeError } from '../transport';
import { cardLastDigits, optionsFilter, TRANSACTION_STATUSES } from './actions/common';
import { claraApiTest } from './credentialTest';
import { claraFor, type Clara } from './transport';

interface TriggerState {
	/** uuid → operation date of every transaction already seen inside the look-back window. */
	seen?: Record<string, string>;
	/** Set by the first poll after activation, which records what exists without emitting it. */
	primed?: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Emits each new Clara transaction once. Clara has no webhooks for transactions, so each poll lists the
 * transactions whose operation date falls in a short look-back window and emits the uuids not seen before;
 * the window (not "since the last poll") catches purchases that Clara posts late with an earlier operation date.
 */
export class ClaraTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clara Trigger',
		name: 'claraTrigger',
		icon: { light: 'file:clara.svg', dark: 'file:clara.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'New transaction',
		description: 'Starts the workflow when a new Clara card transaction appears',
		defaults: { name: 'Clara Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'claraApi', required: true, testedBy: 'claraApiTest' }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				options: [{ name: 'New Transaction', value: 'newTransaction' }],
				default: 'newTransaction',
			},
			{
				displayName: 'Look-Back Days',
				name: 'lookBackDays',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 31, numberPrecision: 0 },
				default: 3,
				description: 'How many days of operation dates each poll re-reads (1 to 31), to catch transactions Clara posts late',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: [
					{ ...optionsFilter('Status', 'status', TRANSACTION_STATUSES), default: 'AUTHORIZED' },
					{ displayName: 'Card Last Digits', name: 'cardLastDigits', type: 'string', default: '' },
				],
			},
		],
	};

	/** The same diagnostic test as the Clara node: a credential opened from the trigger is tested the same way. */
	methods = { credentialTest: { claraApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const state = this.getWorkflowStaticData('node') as TriggerState;
		let lookBackDays: number;
		const filters: IDataObject = {};
		let clara: Clara;
		try {
			// Checked on every poll, loudly: a window of 0, -1 or 2.5 days would make a trigger that never fires.
			lookBackDays = integer(this.getNodeParameter('lookBackDays', 3), 'Look-Back Days', { min: 1, max: 31, required: true })!;
			for (const [name, value] of Object.entries(this.getNodeParameter('filters', {}) as IDataObject)) {
				const text = optionalText(value, name === 'status' ? 'Status' : 'Card Last Digits');
				if (text !== undefined) filters[name] = text;
			}
			cardLastDigits(filters);
			clara = await claraFor(this);
		} catch (error) {
			throw toNodeError(this.getNode(), error, { errors: { service: 'Clara' }, secrets: [] });
		}
		const since = new Date(Date.now() - lookBackDays * DAY_MS).toISOString().slice(0, 10);
		let transactions: IDataObject[];
		try {
			transactions = await clara.list(
				'/v3/transactions',
				{ ...filters, operationDateRangeStart: since, sort: 'operationDate,DESC' },
				{ returnAll: true, limit: 0 },
			);
		} catch (error) {
			throw clara.toNodeError(this, error);
		}

		if (this.getMode() === 'manual') {
			// "Fetch test event" in the editor: show the latest one, change nothing.
			return transactions.length ? [this.helpers.returnJsonArray(transactions.slice(0, 1))] : null;
		}

		const seen = state.seen ?? {};
		const fresh = transactions.filter((t) => typeof t.uuid === 'string' && !(t.uuid in seen));
		for (const t of transactions) seen[t.uuid as string] = String(t.operationDate ?? since);
		// Forget what has left the window, so the static data stays small.
		for (const [uuid, date] of Object.entries(seen)) if (date.slice(0, 10) < since) delete seen[uuid];
		state.seen = seen;

		if (!state.primed) {
			state.primed = true;
			return null;
		}
		// Oldest first, the order in which they happened.
		return fresh.length ? [this.helpers.returnJsonArray(fresh.reverse())] : null;
	}
}
