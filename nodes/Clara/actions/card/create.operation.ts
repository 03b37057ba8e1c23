import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { pathSegment, requiredText, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { claraWrite, threshold, writeError } from '../../transport/write';
import { CreateOnce, optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Card → Create: `POST /v3/cards` with `{type, alias, userUUID, threshold, periodicityType}`, Clara's documented
 * numeric codes (type 1 physical / 2 virtual, periodicity 1 monthly / 2 daily). Clara answers with the card, or,
 * when it needs more than 30 s, accepts it and finishes later (the output then has no uuid yet).
 */


/** The card fields Create and Create Many share. */
export const cardFields = (operation: string): INodeProperties[] => [
	{
		displayName: 'User UUID',
		name: 'userUuid',
		type: 'string',
		required: true,
		default: '',
		description: 'The cardholder: the uuid of an active Clara user (User → Get Many gives it)',
		displayOptions: showFor('card', operation),
	},
	{
		displayName: 'Alias',
		name: 'alias',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Travel card – Ana',
		description: 'The card\'s name in Clara. With the Reuse option it is also what identifies the card on a re-run.',
		displayOptions: showFor('card', operation),
	},
	{
		displayName: 'Card Type',
		name: 'cardType',
		type: 'options',
		options: [
			{ name: 'Virtual', value: 'virtual' },
			{ name: 'Physical (Sent by Mail)', value: 'physical' },
		],
		default: 'virtual',
		displayOptions: showFor('card', operation),
	},
	{
		displayName: 'Threshold',
		name: 'threshold',
		type: 'number',
		required: true,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description: 'The card\'s spending limit per period, in the credential country\'s currency. Clara\'s minimum: MXN 500, BRL 50, COP 100,000.',
		displayOptions: showFor('card', operation),
	},
	{
		displayName: 'Limit Resets',
		name: 'periodicity',
		type: 'options',
		options: [
			{ name: 'Monthly', value: 'monthly' },
			{ name: 'Daily', value: 'daily' },
		],
		default: 'monthly',
		description: 'How often the threshold starts again',
		displayOptions: showFor('card', operation),
	},
];

export const description: INodeProperties[] = [
	...cardFields('create'),
	optionsProperty('card', 'create', [
		{
			displayName: 'Reuse Card with Same Alias',
			name: 'reuseExisting',
			type: 'boolean',
			default: false,
			description:
				'Whether to look for a card of this user with this alias first (not cancelled) and return it, with "alreadyExisted": true, instead of creating a second card. Makes re-running the workflow, or n8n\'s Retry On Fail, safe.',
		},
	]),
];

/**
 * One card request as Clara takes it, checked before anything is sent. Create and Create Many both send the numeric
 * `type` the card-creation guide defines (clara-api.readme.io/docs/cards-how-to-use-and-restrictions), not the word
 * "virtual" of the bulk example on the reference page: one encoding, the one the field is defined by.
 */
export function cardRequest(ctx: IExecuteFunctions, clara: Clara, i: number): IDataObject {
	const userUuid = requiredText(ctx.getNodeParameter('userUuid', i, ''), 'User UUID');
	pathSegment(userUuid, 'User UUID');
	return {
		type: ctx.getNodeParameter('cardType', i, 'virtual') === 'physical' ? 1 : 2,
		alias: requiredText(ctx.getNodeParameter('alias', i, ''), 'Alias'),
		userUUID: userUuid,
		threshold: threshold(ctx.getNodeParameter('threshold', i, ''), 'Threshold', clara.credentials.country),
		periodicityType: ctx.getNodeParameter('periodicity', i, 'monthly') === 'daily' ? 2 : 1,
	};
}

const CALL = { action: 'the Create Card', permission: 'Write cards' as const };
const HOW_TO_CHECK =
	'Look for the card before creating it again: Card → Get Many with Filters → User UUID shows this user\'s cards and their aliases. The option "Reuse Card with Same Alias" does that look-up for you.';

/**
 * The card this user already has under this alias (not cancelled), if any. Only a card that Clara shows as this
 * user's counts: the filter alone is not trusted (a card of another user with the same alias is not "the same card"),
 * and a same-alias card whose owner the answer does not show stops the create instead of letting it through.
 */
async function findSameCard(clara: Clara, card: IDataObject): Promise<IDataObject | undefined> {
	const listed = await clara.list('/v3/cards', { userUuid: card.userUUID }, { returnAll: true, limit: 0 });
	const live = listed.filter((c) => c.alias === card.alias && c.status !== 'CANCELLED' && c.claraStatus !== 'CANCELLED');
	for (const c of live) {
		const owner = (c.user as IDataObject | undefined)?.uuid;
		if (owner === card.userUUID) return c;
		if (typeof owner !== 'string') throw new Error(`Clara listed a card with this alias without saying whose it is (no user.uuid), so it is not clear whether it is this user's`);
	}
	return undefined;
}

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	const once = new CreateOnce();
	return runWrites(this, async (i) => {
		const card = cardRequest(this, clara, i);
		const options = writeOptions(this, i);
		try {
			return await once.run(
				`${String(card.userUUID)}\u0000${String(card.alias)}`,
				'a card with this alias for this user',
				options.reuseExisting,
				() => findSameCard(clara, card),
				async () => {
					const { body } = await claraWrite(this, clara, { ...CALL, method: 'POST', path: '/v3/cards', json: card, howToCheck: HOW_TO_CHECK, timeoutSec: options.timeout });
					const answer = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as IDataObject;
					return answer.uuid ? answer : { ...answer, pending: true, note: 'Clara accepted the card and is still creating it; it appears in Card → Get Many within seconds.' };
				},
			);
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
