import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Clara } from '../../transport';
import { uuidProperty } from '../common';
import { optionsProperty } from '../writes';
import { setLock } from './lock.operation';

/** Card → Unlock: `PATCH /v3/cards/{uuid}/lock` with `false` (see lock.operation.ts). */

export const description: INodeProperties[] = [uuidProperty('card', 'unlock', 'Card'), optionsProperty('card', 'unlock')];

export async function execute(this: IExecuteFunctions, clara: Clara): Promise<INodeExecutionData[]> {
	return setLock(this, clara, false);
}
