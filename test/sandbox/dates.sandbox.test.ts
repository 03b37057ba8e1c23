/**
 * The sandbox's data is dated relative to today, so the date ranges a person tries first find something: CleverTap's
 * events of the last 7 days, Conferma's deployments created in the last 7 days (Clara's transactions already end an
 * hour ago). Read through the nodes, inside n8n's engine, as a person would.
 */
import type { INodeParameters } from 'n8n-workflow';
import { startSandbox, type Sandbox } from '../../sandbox';
import { cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import { closeAllAgents } from '../../nodes/transport';
import { runNode } from '../harness/n8n';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';

let sandbox: Sandbox<'clevertap' | 'conferma'>;
beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clevertap', 'conferma'] });
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

async function items(node: CleverTap | ConfermaPay, credential: CleverTapApi | ConfermaPayApi, credentials: Record<string, unknown>, parameters: INodeParameters) {
	const result = await runNode({ nodeType: node, credentialTypes: [credential], credentials: { [credential.name]: credentials }, parameters });
	if (result.error) throw result.error;
	return result.items.map((i) => i.json);
}

test.each(['App Launched', 'Charged', 'Product Viewed'])('CleverTap: Get Many events named %s in the last 7 days returns events of those days', async (eventName) => {
	const events = await items(new CleverTap(), new CleverTapApi(), cleverTapCredentials(sandbox), {
		resource: 'event',
		operation: 'getAll',
		eventName,
		from: daysAgo(7),
		to: daysAgo(0),
		returnAll: true,
	});
	expect(events.length).toBeGreaterThan(0);
	const days = events.map((e) => String(e.ts).slice(0, 8));
	const [from, to] = [daysAgo(7), daysAgo(0)].map((d) => d.replace(/-/g, ''));
	expect(days.filter((d) => d < from || d > to)).toEqual([]);
});

test('Conferma Pay: Get Many deployments created in the last 7 days returns deployments, paid from days ahead', async () => {
	const deployments = await items(new ConfermaPay(), new ConfermaPayApi(), confermaCredentials(sandbox), {
		resource: 'deployment',
		operation: 'getAll',
		returnAll: true,
		filters: { fromDate: daysAgo(7) },
	});
	expect(deployments.length).toBe(sandbox.conferma.deployments.size);
	expect(deployments.every((d) => String(d.createdAt) < new Date().toISOString())).toBe(true);
	expect(deployments.every((d) => (d.paymentRange as { startDate: string }).startDate > daysAgo(0))).toBe(true);
});

test('tests that pin dates still get the data on the days written', async () => {
	const pinned = await startSandbox({ services: ['clevertap', 'conferma'], clevertap: { fixedDates: true }, conferma: { fixedDates: true } });
	try {
		expect(pinned.clevertap.events.at(-1)!.ts).toBeLessThan(20260329_000000);
		expect(pinned.clevertap.events[0].ts).toBeGreaterThanOrEqual(20260101_000000);
		expect([...pinned.conferma.deployments.values()][0].createdAt).toBe('2026-01-01T00:00:00.000Z');
	} finally {
		await pinned.close();
	}
});
