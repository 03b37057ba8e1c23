import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties, JsonObject } from 'n8n-workflow';
import { describeShape, integer, TransportError, UnknownOutcome } from '../../../transport';
import type { CleverTap } from '../../transport';
import { perItem, resultOf } from '../common';
import { campaignFields, readCampaign } from './fields';

export const description: INodeProperties[] = campaignFields('create');

const DAY_MS = 86_400_000;
const yyyymmdd = (ms: number) => Number(new Date(ms).toISOString().slice(0, 10).replace(/-/g, ''));
const dayMs = (d: number) => Date.UTC(Math.floor(d / 10000), (Math.floor(d / 100) % 100) - 1, d % 100);

/**
 * The days in which a campaign with the same name may already be scheduled to start: from Look Back days before
 * today through the new campaign's own start day, both included, as Get Campaigns takes them (it lists dashboard and
 * API campaigns by scheduled start, dev:docs/get-campaigns-api). A day more on each side: the node counts days in UTC,
 * CleverTap in the account's time zone.
 */
function reuseWindow(when: string, lookBackDays: number, now = Date.now()): { from: number; to: number } {
	const starts = when === 'now' ? yyyymmdd(now) : Number(when.slice(0, 8));
	return { from: yyyymmdd(now - (lookBackDays + 1) * DAY_MS), to: yyyymmdd(Math.max(now, dayMs(starts)) + DAY_MS) };
}

/** The campaigns Get Campaigns answered, or an error: a guard that cannot read the list must not create. */
function campaignsIn(body: IDataObject): IDataObject[] {
	const targets = body.targets;
	const readable = body.status === 'success' && Array.isArray(targets) && targets.every((t) => t && typeof t === 'object' && typeof (t as IDataObject).name === 'string');
	if (!readable) throw new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}, not a list of campaigns with their names under "targets"`, 'CLEVERTAP_NO_RESULT', 200);
	return targets as IDataObject[];
}

/**
 * POST /1/targets/create.json → {status: "success", id, estimates}: messages real users, so it is sent once. CleverTap
 * takes no idempotency key; "Reuse Campaign With Same Name" looks the name up first (POST /1/targets/list.json) and
 * creates nothing when that answer cannot be read.
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	const byName = new Map<string, Promise<IDataObject>>();
	return perItem(this, ct, async (i) => {
		const campaign = readCampaign(this, i);
		const name = campaign.name as string;
		const { reuseByName, lookBackDays } = this.getNodeParameter('options', i, {}) as { reuseByName?: boolean; lookBackDays?: unknown };
		const action = {
			action: 'the Create Campaign request',
			howToCheck: `Look for a campaign named "${name}" (Campaign → Get Many for the day it is to start, or CleverTap's dashboard) before running it again: a second Create would message the same users twice. With a unique name per campaign, "Reuse Campaign With Same Name" makes a retry safe.`,
		};
		const create = async (): Promise<IDataObject> => {
			const body = await ct.act('/1/targets/create.json', campaign, action, 'campaign');
			// An answer that is not CleverTap's "success" does not say whether the campaign exists.
			if (body.status !== 'success') throw new UnknownOutcome(action.action, new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}`), action.howToCheck);
			return { ...resultOf(body), name, alreadyExisted: false };
		};
		if (!reuseByName) return create();
		const lookBack = integer(lookBackDays, 'Look Back (Days)', { min: 0, max: 30 }) ?? 1;
		const earlier = byName.get(name);
		if (earlier) return { ...(await earlier), alreadyExisted: true };
		const once = (async () => {
			const window = reuseWindow(campaign.when as string, lookBack);
			let campaigns: IDataObject[];
			try {
				campaigns = campaignsIn(await ct.query('/1/targets/list.json', window));
			} catch (error) {
				const cause = ct.toNodeError(this, error, i);
				throw new NodeApiError(this.getNode(), { failure: 'reuse look-up' } as JsonObject, {
					message: `Could not tell whether a campaign named "${name}" exists (${cause.message}), so none was created`,
					description: `"Reuse Campaign With Same Name" looks at the campaigns scheduled from ${window.from} to ${window.to} before creating one, and CleverTap's answer could not be read. Nothing was sent to create it: run the item again, or check CleverTap's dashboard for "${name}".`,
					itemIndex: i,
				});
			}
			const found = campaigns.find((t) => String(t.name).trim() === name);
			return found ? { ...found, alreadyExisted: true } : create();
		})();
		byName.set(name, once);
		return once;
	});
}
