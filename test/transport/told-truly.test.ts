/**
 * What the nodes say is what happened, across services, in n8n's engine against the sandbox: a write that failed
 * before it went out says nothing was sent (never "it may have taken effect"); an option with a fixed set of values
 * that comes from an expression must be one of them or nothing is sent; a Return All that failed stops sending.
 * Requests are counted at the sandbox; every output, error and log line is grepped for secrets afterwards.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, confermaCredentials } from '../../sandbox/credentials';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox<'clara' | 'conferma'>;
const leaks = new Leaks();

beforeAll(async () => {
	sandbox = await startSandbox({ services: ['clara', 'conferma'] });
	leaks.watch(sandbox.clara.clientSecret, sandbox.conferma.clientSecret, sandbox.certs.client.key);
});
afterAll(async () => {
	leaks.watch(...sandbox.conferma.issuedTokens());
	leaks.collect(capturedLogs.join('\n'));
	leaks.assertNone();
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	for (const name of ['clara', 'conferma'] as const) {
		sandbox[name].faults.clear();
		sandbox[name].resetCounters();
	}
});

const json = (r: RunNodeResult) => r.items.map((i) => i.json);

async function run(nodeType: INodeType, parameters: IDataObject, items: IDataObject[] = [{}]): Promise<RunNodeResult> {
	const result = await runNode({
		nodeType,
		parameters,
		items,
		continueOnFail: true,
		credentials: { claraApi: claraCredentials(sandbox), confermaPayApi: confermaCredentials(sandbox) },
		credentialTypes: [new ClaraApi(), new ConfermaPayApi()],
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

const confermaCreate = {
	resource: 'deployment',
	operation: 'create',
	clientAccountCodeType: 'CLIENTID',
	clientAccountCodeValue: '1234',
	amount: 120,
	currencyCode: 'GBP',
	startDate: '2026-06-01',
	endDate: '2026-06-05',
	supplierName: 'Truthful Hotel',
	consumerReference: 'TRUE-1',
	options: {},
};

describe('a write that failed before it went out says nothing was sent', () => {
	test.each([
		['answers 503 (after its retries)', () => sandbox.conferma.faults.fail(10, 503, { pathPrefix: '/token' }), /Conferma had a server error \(HTTP 503\)/],
		['drops every connection', () => sandbox.conferma.faults.reset(10, '/token'), /Could not reach Conferma/],
	])('Conferma Create, the token endpoint %s: nothing was sent, 0 POSTs to deployments', async (_name, arm, cause) => {
		arm();
		const res = await run(new ConfermaPay(), confermaCreate);
		expect(json(res)).toEqual([{ error: expect.stringMatching(cause), description: expect.any(String) }]);
		const said = `${json(res)[0].error} ${json(res)[0].description}`;
		expect(said).toMatch(/Nothing was sent: the Create Deployment did not go out, so it did not take effect/);
		expect(said).not.toMatch(/may have taken effect|sent once and not again/);
		expect(sandbox.conferma.requestLog.filter((r) => r.url.startsWith('/token')).length).toBeGreaterThan(0);
		expect(sandbox.conferma.requestLog.filter((r) => r.method === 'POST' && r.url.startsWith('/deployments'))).toHaveLength(0);
	});

	test('a read failing at the token step says what failed, without claiming anything about a write', async () => {
		sandbox.conferma.faults.fail(10, 503, { pathPrefix: '/token' });
		const res = await run(new ConfermaPay(), { resource: 'deployment', operation: 'get', deploymentId: '1' });
		expect(String(json(res)[0].error)).toMatch(/^Conferma had a server error \(HTTP 503\)/);
		expect(String(json(res)[0].error)).not.toMatch(/Nothing was sent|may have taken effect/);
	});
});
