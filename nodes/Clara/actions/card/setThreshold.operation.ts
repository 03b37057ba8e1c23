import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, threshold, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Card → Set Threshold: `PATCH /v3/cards/{uuid}/threshold` with `{threshold}`. The amount is checked first (a
 * positive amount with at most the currency's decimals, at least Clara's minimum for the credential's country).
 * Setting a threshold is safe to repeat.
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
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'Card UUID');
		const amount = threshold(this.getNodeParameter('threshold', i, ''), 'Threshold', clara.credentials.country);
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'PATCH',
				path: `/v3/cards/${uuid}/threshold`,
				json: { threshold: amount },
				howToCheck: 'Card → Get shows the card\'s threshold; setting the same threshold again is harmless.',
				timeoutSec: writeOptions(this, i).timeout,
			});
			return { uuid: decodeURIComponent(uuid), threshold: amount, ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
