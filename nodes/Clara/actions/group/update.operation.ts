import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { InvalidInput, optionalText, pathSegment, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/** Group → Update: `PATCH /v2/groups/{uuid}` with the name and/or description given. Safe to repeat. */

export const description: INodeProperties[] = [
	uuidProperty('group', 'update', 'Group'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showFor('group', 'update'),
		options: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
		],
	},
	optionsProperty('group', 'update'),
];

const CALL = { action: 'the Update Group', permission: 'Write users' as const };

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return runWrites(this, async (i) => {
		const uuid = pathSegment(this.getNodeParameter('uuid', i, ''), 'Group UUID');
		const given = this.getNodeParameter('updateFields', i, {}) as IDataObject;
		const changes: IDataObject = {};
		const name = optionalText(given.name, 'Name');
		if (name) changes.name = name;
		if (given.description !== undefined) changes.description = optionalText(given.description, 'Description') ?? '';
		if (!Object.keys(changes).length) throw new InvalidInput('Update Fields', 'Update Fields is empty: nothing to change', 'Add Name or Description under Update Fields.');
		try {
			const { body } = await claraWrite(this, clara, {
				...CALL,
				method: 'PATCH',
				path: `/v2/groups/${uuid}`,
				json: changes,
				howToCheck: 'Group → Get shows the group\'s current name and description; sending the same update again is harmless.',
				timeoutSec: writeOptions(this, i).timeout,
			});
			return { uuid: decodeURIComponent(uuid), ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
