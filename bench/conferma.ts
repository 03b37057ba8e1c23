import type { INodeType } from 'n8n-workflow';
import type { Sandbox } from '../sandbox';
import { built } from '../sandbox/built';
import { confermaCredentials } from '../sandbox/credentials';
import { runNode, type RunNodeResult } from '../test/harness/n8n';
import { loadHttpRequestNode } from './http-request-node';
import { interleaved, measure, QUICK, type Measured, type ScenarioResult } from './common';

const { closeAllAgents, tokens, MemoryTokenStore, send } = built.transport();
const { ConfermaPay } = built.node<typeof import('../nodes/ConfermaPay/ConfermaPay.node')>('ConfermaPay/ConfermaPay');
const { ConfermaPayApi } = built.credential<typeof import('../credentials/ConfermaPayApi.credentials')>('ConfermaPayApi');

/**
 * 5. Conferma: 20 executions at once, each getting deployments by id. The node shares one token per platform; the
 * HTTP Request way takes a token per execution (what a workflow with a token request in front does), and every new
 * Conferma token revokes the others, so the executions knock each other out.
 */
export async function scenarioConfermaConcurrent(sandbox: Sandbox): Promise<ScenarioResult> {
	const executions = 20;
	const perExecution = QUICK ? 10 : 25;
	const items = [...sandbox.conferma.deployments.keys()].slice(0, perExecution).map((id) => ({ id }));
	const total = executions * perExecution;
	const failedItems = (runs: RunNodeResult[]) => runs.reduce((n, r) => n + (r.error ? perExecution : r.items.filter((i) => i.json.error !== undefined).length), 0);
	const counts = (failed: number) => {
		const c = sandbox.conferma.counters;
		return { tokenRequests: c.tokenRequests, http401: c.custom.http401 ?? 0, requests: c.requests, failedItems: failed };
	};
	const reset = async () => {
		await closeAllAgents();
		tokens.store = new MemoryTokenStore();
		sandbox.conferma.resetCounters();
	};
	const ways: Array<{ way: string; run: () => Promise<Measured> }> = [
		{
			way: `node (${executions} executions at once)`,
			run: async () => {
				await reset();
				return measure(async () => {
					const runs = await Promise.all(
						Array.from({ length: executions }, () =>
							runNode({
								nodeType: new ConfermaPay(),
								credentialTypes: [new ConfermaPayApi()],
								credentials: { confermaPayApi: confermaCredentials(sandbox) },
								parameters: { resource: 'deployment', operation: 'get', deploymentId: '={{ $json.id }}' },
								items,
								continueOnFail: true,
							}),
						),
					);
					return counts(failedItems(runs));
				});
			},
		},
	];
	const httpRequest = loadHttpRequestNode();
	if (httpRequest) {
		ways.push({
			way: 'HTTP Request node (DIY)',
			run: async () => {
				await reset();
				return measure(async () => {
					const runs = await Promise.all(
						Array.from({ length: executions }, async () => {
							const token = await takeToken(sandbox);
							return runNode({
								nodeType: httpRequest as INodeType,
								parameters: {
									method: 'GET',
									url: `=${sandbox.conferma.url}/deployments/v1/deployments/{{ $json.id }}`,
									sendHeaders: true,
									headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${token}` }] },
									options: { allowUnauthorizedCerts: true },
								},
								items,
								continueOnFail: true,
							});
						}),
					);
					return counts(failedItems(runs));
				});
			},
		});
	}
	const rows = await interleaved(ways);
	const [node, diy] = rows;
	const ratios: Record<string, number> = {};
	// Shares rather than a ratio: the node loses none, and a ratio over zero says nothing.
	ratios['share of items lost, node'] = Math.round((node.counts.failedItems / total) * 100) / 100;
	if (diy) ratios['share of items lost, HTTP Request way'] = Math.round((diy.counts.failedItems / total) * 100) / 100;
	return {
		scenario: `5. Conferma: ${executions} concurrent executions × ${perExecution} deployments (${total} reads)`,
		rows,
		ratios,
		goals: [
			{ goal: 'node: 1 token request', met: node.counts.tokenRequests === 1 },
			{ goal: 'node: 0 responses of 401', met: node.counts.http401 === 0 },
		],
		checks: [
			{ check: 'node: exactly 1 token request', ok: node.counts.tokenRequests === 1 },
			{ check: 'node: 0 responses of 401', ok: node.counts.http401 === 0 },
			{ check: `node: all ${total} items succeeded`, ok: node.counts.failedItems === 0 },
			...(diy ? [{ check: 'HTTP Request way: a token per execution, so the executions revoke each other (401s seen)', ok: diy.counts.tokenRequests === executions && diy.counts.http401 > 0 }] : []),
		],
		notes: diy
			? ['the HTTP Request way trusts any certificate here (allowUnauthorizedCerts) only because the sandbox CA is private']
			: ['HTTP Request node not found: run scripts/n8n/install.sh'],
	};
}

async function takeToken(sandbox: Sandbox): Promise<string> {
	const c = sandbox.conferma;
	const res = await send(
		{
			method: 'POST',
			url: `${c.url}/token`,
			headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
			form: { grant_type: 'client_credentials', scope: c.platformKeyName },
		},
		{ tls: { ca: sandbox.certs.ca.cert } },
	);
	return (res.body as { access_token: string }).access_token;
}
