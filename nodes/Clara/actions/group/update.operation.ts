import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { ApiError, InvalidInput, optionalText, pathSegment, showFor } from '../../../transport';
import type { Clara } from '../../transport';
import { asObject, claraWrite, writeError } from '../../transport/write';
import { uuidProperty } from '../common';
import { optionsProperty, runWrites, writeOptions } from '../writes';

/**
 * Group → Update. Clara's groups guide gives `PATCH /v2/groups/{uuid}`; its reference sidebar lists the update as a
 * PUT, and a PUT would blank every field not sent. So the node reads the group first and sends the whole of it
 * (`{name, description}` with the changes applied) by PATCH, which is right under either meaning; if Clara refuses
 * PATCH with 405 (it did nothing), the same whole body goes by PUT. Safe to repeat.
 */

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
		const { timeout } = writeOptions(this, i);
		try {
			const current = await clara.get(`/v2/groups/${uuid}`);
			const whole: IDataObject = { name: current.name, ...(typeof current.description === 'string' ? { description: current.description } : {}), ...changes };
			if (typeof whole.name !== 'string' || !whole.name) throw new InvalidInput('Group UUID', 'Clara showed this group without a name, so the update was not sent (it could blank the name)', 'Give the Name under Update Fields, or check the group with Group → Get.');
			const send = (method: 'PATCH' | 'PUT') =>
				claraWrite(this, clara, {
					...CALL,
					method,
					path: `/v2/groups/${uuid}`,
					json: whole,
					howToCheck: 'Group → Get shows the group\'s current name and description; sending the same update again is harmless.',
					timeoutSec: timeout,
				});
			const { body } = await send('PATCH').catch((error: unknown) => {
				if (error instanceof ApiError && error.response.status === 405) return send('PUT');
				throw error;
			});
			return { uuid: decodeURIComponent(uuid), ...whole, ...asObject(body) };
		} catch (error) {
			throw writeError(this, clara, CALL, error, i);
		}
	});
}
