/**
 * The verified edition's waits (CleverTap's 429 retries, every retry's back-off) on the n8n-workflow of n8n 2.41.1,
 * which exports `sleep` but no longer `sleepWithAbort` ([code: n8n-workflow 2.41.0 dist, index.js]): in the real
 * app every 429 failed its item with "sleepWithAbort is not a function" until the wait fell back to `sleep`.
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual('n8n-workflow'), sleepWithAbort: undefined }));

import { edition } from '../../nodes/transport/edition-verified';

test('waits with an n8n-workflow that has no sleepWithAbort', async () => {
	await expect(edition.sleep(5)).resolves.toBeUndefined();
});

test('a cancelled execution still stops the wait', async () => {
	const controller = new AbortController();
	controller.abort();
	await expect(edition.sleep(5, controller.signal)).rejects.toMatchObject({ kind: 'aborted' });
});
