/**
 * What every CleverTap node test file shares: one sandbox whose account lives in region in1 (the credential points at
 * the one server with `/{region}` in its base URL), a runner of the node inside n8n's engine, and a leak check of
 * everything the runs showed or logged.
 */
import type { IDataObject } from 'n8n-workflow';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import type { CleverTapSandbox } from '../../sandbox/clevertap';
import { asTool } from '../harness/agent';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

export interface CleverTapTest {
	sandbox: Sandbox;
	ct: CleverTapSandbox;
	node: CleverTap;
	leaks: Leaks;
	credentials(overrides?: IDataObject): IDataObject;
	run(parameters: IDataObject, items?: IDataObject[], options?: RunOptions): Promise<RunNodeResult>;
}

export interface RunOptions {
	continueOnFail?: boolean;
	creds?: IDataObject;
	signal?: AbortSignal;
	/** The registered node type, e.g. the AI-tool variant `n8n-nodes-fintech-identity.cleverTapTool`. */
	type?: string;
}

export const json = (result: RunNodeResult) => result.items.map((i) => i.json);
export const paired = (result: RunNodeResult) => result.items.map((i) => i.pairedItem);
export const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z' };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Call at the top of a test file: starts the sandbox before the tests and checks for leaks after them. */
export function useCleverTap(): CleverTapTest {
	const t = { node: new CleverTap(), leaks: new Leaks() } as CleverTapTest;
	t.credentials = (overrides = {}) => ({ accountId: t.ct.accountId, passcode: t.ct.passcode, region: 'in1', baseUrl: `${t.ct.url}/{region}`, caCertificate: t.sandbox.certs.ca.cert, ...overrides });
	t.run = async (parameters, items = [{}], options = {}) => {
		const result = await runNode({
			// The tool variant as n8n builds it (its own description: the options shown only to tools are there).
			nodeType: options.type?.endsWith('Tool') ? asTool(t.node) : t.node,
			type: options.type,
			credentialTypes: [new CleverTapApi()],
			parameters,
			credentials: { cleverTapApi: options.creds ?? t.credentials() },
			items,
			continueOnFail: options.continueOnFail,
			signal: options.signal,
		});
		t.leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
		return result;
	};
	beforeAll(async () => {
		t.sandbox = await startSandbox({ services: ['clevertap'], clevertap: { region: 'in1', fixedDates: true } });
		t.ct = t.sandbox.clevertap;
		t.leaks.watch(t.ct.passcode, t.ct.expiredPasscode);
	});
	afterAll(async () => {
		t.leaks.collect(capturedLogs.join('\n'));
		// The passcode is in no output, error or log line of the file, and in no URL CleverTap received.
		t.leaks.assertNone();
		await closeAllAgents();
		await t.sandbox.close();
	});
	beforeEach(() => {
		t.ct.faults.clear();
		t.ct.workMs = 0;
		t.ct.pendingPolls = 1;
		t.ct.emptyPages = 0;
		t.ct.countPolls = 2;
		t.ct.limits = { read: 3, write: 3, upload: 15 };
		t.ct.createsPerSecond = 1;
		t.ct.campaignList = 'ok';
		t.ct.rejectIdentities.clear();
		t.ct.discardedEvents.clear();
	});
	afterEach(() => {
		for (const r of t.ct.requestLog) t.leaks.collect(r.url);
		t.ct.resetCounters();
	});
	return t;
}
