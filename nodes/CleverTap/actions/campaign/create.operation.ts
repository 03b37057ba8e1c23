import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { describeShape, integer, TransportError, UnknownOutcome } from '../../../transport';
import type { CleverTap } from '../../transport';
import { perItem, resultOf } from '../common';
import { campaignFields, readCampaign } from './fields';

export const description: INodeProperties[] = campaignFields('create');

/** Create Campaign takes at most 3 requests a second per account: each one keeps its slot this long after its answer. */
const CREATE_SPACING_MS = 1000;

const today = (offsetDays = 0) => Number(new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''));

/**
 * POST /1/targets/create.json → {status: "success", id, estimates}: messages real users, so it is sent once. CleverTap
 * takes no idempotency key; "Reuse Campaign With Same Name" looks the name up first (POST /1/targets/list.json).
 */
export async function execute(this: IExecuteFunctions, ct: CleverTap) {
	const byName = new Map<string, Promise<IDataObject>>();
	return perItem(this, ct, async (i) => {
		const campaign = readCampaign(this, i);
		const name = campaign.name as string;
		const { reuseByName, lookBackDays } = this.getNodeParameter('options', i, {}) as { reuseByName?: boolean; lookBackDays?: unknown };
		const action = {
			action: 'the Create Campaign request',
			howToCheck: `Look for a campaign named "${name}" (Campaign → Get Many for today, or CleverTap's dashboard) before running it again: a second Create would message the same users twice. With a unique name per campaign, "Reuse Campaign With Same Name" makes a retry safe.`,
		};
		const create = async (): Promise<IDataObject> => {
			const body = await ct.act('/1/targets/create.json', campaign, action, { holdAfterMs: CREATE_SPACING_MS });
			// An answer that is not CleverTap's "success" does not say whether the campaign exists.
			if (body.status !== 'success') throw new UnknownOutcome(action.action, new TransportError('unexpected', `CleverTap answered with ${describeShape(body)}`), action.howToCheck);
			return { ...resultOf(body), name, alreadyExisted: false };
		};
		if (!reuseByName) return create();
		const lookBack = integer(lookBackDays, 'Look Back (Days)', { min: 0, max: 30 }) ?? 1;
		const earlier = byName.get(name);
		if (earlier) return { ...(await earlier), alreadyExisted: true };
		const once = (async () => {
			const list = await ct.query('/1/targets/list.json', { from: today(lookBack), to: today() });
			const found = (Array.isArray(list.targets) ? (list.targets as IDataObject[]) : []).find((t) => t?.name === name);
			return found ? { ...found, alreadyExisted: true } : create();
		})();
		byName.set(name, once);
		return once;
	});
}
