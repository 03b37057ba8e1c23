import type { Sandbox } from '../sandbox';
import { built } from '../sandbox/built';
import { runNode } from '../test/harness/n8n';
import { Agent, request } from 'undici';
import { interleaved, measure, QUICK, type ScenarioResult } from './common';

const { closeAllAgents, mapConcurrent } = built.transport();
const { CleverTap } = built.node<typeof import('../nodes/CleverTap/CleverTap.node')>('CleverTap/CleverTap');
const { CleverTapApi } = built.credential<typeof import('../credentials/CleverTapApi.credentials')>('CleverTapApi');

/**
 * 4. CleverTap reads from 5 concurrent executions under the account's 3-concurrent-request limit: the best
 * anyone can do is 3 requests per server time; how close the node gets, and how many 429s it provoked.
 */
export async function scenarioCleverTapLimit(sandbox: Sandbox): Promise<ScenarioResult> {
	const ct = sandbox.clevertap;
	const perExecution = QUICK ? 20 : 100;
	const executions = 5;
	const workMs = 20;
	await closeAllAgents();
	ct.resetCounters();
	ct.faults.latencyMs = 0;
	ct.faults.handshakeDelayMs = 0;
	// The server's time per request, inside the account's concurrency window (what the limit is about).
	ct.workMs = workMs;
	const identities = [...ct.profiles.keys()].slice(0, perExecution).map((id) => ({ id }));
	const credentials = { accountId: ct.accountId, passcode: ct.passcode, region: ct.region, baseUrl: `${ct.url}/{region}`, caCertificate: sandbox.certs.ca.cert };
	// Every run's counts, for the checks (the rows keep the median run's).
	const nodeRuns: Array<Record<string, number>> = [];
	const node = async () => {
		ct.resetCounters();
		return measure(async () => {
			const runs = await Promise.all(
				Array.from({ length: executions }, () =>
					runNode({
						nodeType: new CleverTap(),
						credentialTypes: [new CleverTapApi()],
						credentials: { cleverTapApi: credentials },
						parameters: { resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' },
						items: identities,
					}),
				),
			);
			const failed = runs.filter((r) => r.error || r.items.length !== perExecution);
			if (failed.length) throw new Error(`CleverTap run failed: ${failed[0].error?.message}`);
			const counts = { reads: ct.counters.custom.reads ?? 0, http429: ct.counters.custom.http429 ?? 0, peakInFlight: ct.peak.read };
			nodeRuns.push(counts);
			return counts;
		});
	};
	// Reference: a raw undici loop that keeps exactly 3 requests in flight — the best a client that respects the
	// limit can do on this machine (the gap between one answer and the next request is the rest). Its pool lives as
	// long as the node's does (the node's agents are process-wide), so neither pays handshakes after the first run.
	const all = Array.from({ length: executions }, () => identities).flat();
	const agent = new Agent({ connections: 3, connect: { ca: sandbox.certs.ca.cert } });
	const rawLoop = async () => {
		ct.resetCounters();
		return measure(async () => {
			await mapConcurrent(all, 3, async (item) => {
				const res = await request(`${ct.url}/${ct.region}/1/profile.json?identity=${encodeURIComponent(item.id)}`, {
					dispatcher: agent,
					headers: { 'x-clevertap-account-id': ct.accountId, 'x-clevertap-passcode': ct.passcode },
				});
				await res.body.json();
			});
			return { reads: ct.counters.custom.reads ?? 0, http429: ct.counters.custom.http429 ?? 0, peakInFlight: ct.peak.read };
		});
	};
	const [row, raw] = await interleaved([
		{ way: 'node (5 executions at once)', run: node },
		{ way: 'raw loop, exactly 3 in flight', run: rawLoop },
	]);
	await agent.close();
	const limitPerSec = 3 / (workMs / 1000);
	const achieved = (row.counts.reads / row.ms) * 1000;
	const ratio = Math.round((achieved / limitPerSec) * 100) / 100;
	return {
		scenario: `4. CleverTap: ${executions} executions × ${perExecution} reads under the 3-concurrent-request limit (${workMs} ms per request)`,
		rows: [row, raw],
		ratios: {
			'achieved throughput / limit (3 per 20 ms)': ratio,
			'raw loop throughput / limit': Math.round(((raw.counts.reads / raw.ms) * 1000 / limitPerSec) * 100) / 100,
			'node vs raw loop': Math.round((raw.ms / row.ms) * 100) / 100,
		},
		goals: [
			{ goal: 'node ≥ 0.97× the raw loop holding exactly 3 in flight', met: raw.ms / row.ms >= 0.97 },
			{ goal: '0 responses of 429', met: row.counts.http429 === 0 },
		],
		checks: [
			{ check: 'never more than 3 reads in flight at the sandbox', ok: nodeRuns.every((c) => c.peakInFlight <= 3) },
			{ check: 'no 429 provoked', ok: nodeRuns.every((c) => c.http429 === 0) },
			{ check: `all ${executions * perExecution} reads done, in every run`, ok: nodeRuns.every((c) => c.reads === executions * perExecution) },
		],
		notes: [`limit = ${limitPerSec} reads/s; achieved ${Math.round(achieved)} reads/s`],
	};
}
