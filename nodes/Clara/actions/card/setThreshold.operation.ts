import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { claraWrite, CURRENCY, threshold, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';
import { confirmCard } from './lock.operation';

/**
 * Card → Set Threshold: `PATCH /v3/cards/{uuid}/threshold` with `{threshold}`. The amount is checked first (a
 * positive amount with at most the currency's decimals, at least Clara's minimum for the credential's country).
 * Clara's reference does not show the body's field name, and an ignored field would still be answered "UPDATED",
 * so the card is read back: the item carries the threshold Clara shows, and is an error when it is not the one asked.
 */

export const description: INodeProperties[] = [
	uuidProperty('card', 'setThreshold', 'Card'),
	{
		displayName: 'Threshold',
		name: 'threshold',
		type: 'number',
		required: true,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description: 'The new spending limit per period, in the credential country\'s currency. Clara\'s minimum: MXN 500, BRL 50, COP 100,000.',
		displayOptions: showFor('card', 'setThreshold'),
	},
	optionsProperty('card', 'setThreshold'),
];

const CALL = { action: 'the Set Card Threshold', permission: 'Write cards' as const };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	const currency = CURRENCY[clara.credentials.country];
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'Card UUID');
		const amount = threshold(this.getNodeParameter('threshold', i, ''), 'Threshold', clara.credentials.country);
		const { timeout } = writeOptions(this, i);
		let answer: { status: number; body: unknown };
		try {
			answer = await claraWrite(this, clara, {
				...CALL,
				method: 'PATCH',
				path: `/v3/cards/${uuid}/threshold`,
				json: { threshold: amount },
				howToCheck: 'Card → Get shows the card\'s threshold; setting the same threshold again is harmless.',
				timeoutSec: timeout,
			});
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
		const fix = `Set the threshold in Clara's web app, or check Card → Get in a few seconds; sending the same threshold again is harmless.`;
		return confirmCard(this, clara, i, uuid, answer, { action: CALL.action, fix }, (card) => {
			const now = typeof card.threshold === 'number' ? card.threshold : typeof card.threshold === 'string' ? Number(card.threshold) : NaN;
			return Math.abs(now - amount) < 0.005 ? undefined : `threshold ${Number.isFinite(now) ? `${currency} ${now}` : JSON.stringify(card.threshold ?? null)}, not the ${currency} ${amount} asked for`;
		});
	});
}
