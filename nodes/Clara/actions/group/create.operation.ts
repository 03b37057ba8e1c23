import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { optionalText, requiredText, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { CreateOnce, optionsProperty, runWrites, writeOptions } from '../writes';

/** Group → Create: `POST /v2/groups` with `{name, description?}`. The reuse option looks the name up first. */

const show = showFor('group', 'create');

export const description: INodeProperties[] = [
	{ displayName: 'Name', name: 'name', type: 'string', required: true, default: '', placeholder: 'e.g. Operations', displayOptions: show },
	{ displayName: 'Description', name: 'description', type: 'string', default: '', placeholder: 'e.g. Logistics and supply chain team', displayOptions: show },
	optionsProperty('group', 'create', [
		{
			displayName: 'Reuse Group with Same Name',
			name: 'reuseExisting',
			type: 'boolean',
			default: false,
			description: 'Whether to look for a group with this name first (ignoring case) and return it, with "alreadyExisted": true, instead of creating a second one. Makes re-running the workflow, or n8n\'s Retry On Fail, safe.',
		},
	]),
];

const CALL = { action: 'the Create Group', permission: 'Write users' as const };
const HOW_TO_CHECK = 'Group → Get Many shows whether a group with this name exists now. The option "Reuse Group with Same Name" does that look-up for you.';

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	const once = new CreateOnce();
	return runWrites(this, async (i) => {
		const group: IDataObject = { name: requiredText(this.getNodeParameter('name', i, ''), 'Name') };
		const text = optionalText(this.getNodeParameter('description', i, ''), 'Description');
		if (text) group.description = text;
		const options = writeOptions(this, i);
		const key = String(group.name).toLowerCase();
		try {
			return await once.run(
				key,
				'a group with this name',
				options.reuseExisting,
				async () => {
					const listed = await clara.list('/v2/groups', {}, { returnAll: true, limit: 0 });
					// A group the answer shows without a name could be this one: not "not found".
					if (listed.some((g) => typeof g.name !== 'string')) throw new Error('Clara listed a group without a name, so it is not clear whether this one already exists');
					return listed.find((g) => String(g.name).trim().toLowerCase() === key);
				},
				async () => asObject((await claraWrite(this, clara, { ...CALL, method: 'POST', path: '/v2/groups', json: group, howToCheck: HOW_TO_CHECK, timeoutSec: options.timeout })).body),
			);
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
