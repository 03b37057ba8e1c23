/** Clara in one process: 1,000 lookups (S1) and Return All over 50,000 transactions (S2). */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { Agent, request } from 'undici';
import type { Sandbox } from '../sandbox';
import { built } from '../sandbox/built';
import { claraCredentials } from '../sandbox/credentials';
import { runNode } from '../test/harness/n8n';
import { loadHttpRequestNode } from './http-request-node';
import { profiled, splitCpu } from './engine-profile';
import { interleaved, measure, paired, PROFILE, QUICK, round, type Measured, type ScenarioResult } from './common';

/**
 * The sandbox's Clara credential, with the certificate fields also under their names before the rename
 * (certificate, caCertificate): `npm run bench:before-after` runs these scenarios against older builds too.
 */
const benchClaraCredentials = (sandbox: Parameters<typeof claraCredentials>[0]) => {
	const c = claraCredentials(sandbox);
	return { ...c, certificate: c.publicCertificate, caCertificate: c.caPublicCertificate };
};

// The built package, as n8n loads it (`npm run bench` builds first).
const { closeAllAgents, mapConcurrent, send, tokens, MemoryTokenStore, DEFAULT_CONNECTIONS } = built.transport();
const { Clara } = built.node<typeof import('../nodes/Clara/Clara.node')>('Clara/Clara');
const { ClaraApi } = built.credential<typeof import('../credentials/ClaraApi.credentials')>('ClaraApi');

/** The client certificate Clara's credential holds, and the sandbox's CA. */
const clientTls = (sandbox: Sandbox) => ({ ca: sandbox.certs.ca.cert, cert: sandbox.certs.client.cert, key: sandbox.certs.client.key });

/** The practical limit: undici keep-alive with the same TLS identity and concurrency, token taken once. */
async function rawClient(sandbox: Sandbox, connections: number) {
	const agent = new Agent({ connections, keepAliveTimeout: 4_000, connect: clientTls(sandbox) });
	const basic = Buffer.from(`${sandbox.clara.clientId}:${sandbox.clara.clientSecret}`).toString('base64');
	const tokenRes = await request(`${sandbox.clara.url}/mx/oauth/token`, {
		method: 'POST',
		dispatcher: agent,
		headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
		body: 'grant_type=client_credentials',
	});
	const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
	const get = async (path: string) => {
		const res = await request(`${sandbox.clara.url}/mx/api${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } });
		return res.body.json() as Promise<IDataObject>;
	};
	return { agent, get, token };
}

function counters(sandbox: Sandbox) {
	const c = sandbox.clara.counters;
	return { requests: c.requests, handshakes: c.handshakes, tokenRequests: c.tokenRequests };
}

async function fresh(sandbox: Sandbox) {
	await closeAllAgents();
	tokens.store = new MemoryTokenStore();
	sandbox.clara.resetCounters();
}

export async function scenarioClaraLookups(sandbox: Sandbox): Promise<ScenarioResult> {
	const n = QUICK ? 100 : 1000;
	const uuids = sandbox.clara.data.transactions.slice(0, n).map((t) => ({ uuid: t.uuid }));
	const ways: Array<{ way: string; run: () => Promise<Measured> }> = [];
	const way = (name: string, fn: () => Promise<Record<string, number>>) =>
		ways.push({
			way: name,
			run: async () => {
				await fresh(sandbox);
				return measure(fn);
			},
		});

	way('node', async () => {
		const res = await runNode({
			nodeType: new Clara(),
			credentialTypes: [new ClaraApi()],
			credentials: { claraApi: benchClaraCredentials(sandbox) },
			parameters: { resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' },
			items: uuids,
		});
		if (res.error || res.items.length !== n) throw new Error(`node run failed: ${res.error?.message}`);
		return counters(sandbox);
	});

	way('raw undici loop', async () => {
		const raw = await rawClient(sandbox, DEFAULT_CONNECTIONS);
		await mapConcurrent(uuids, DEFAULT_CONNECTIONS, (u) => raw.get(`/v3/transactions/${u.uuid}`));
		await raw.agent.close();
		return counters(sandbox);
	});

	// The transport's send() alone, outside n8n, with the raw loop's token: how much of the gap is ours.
	way('transport alone (send, no n8n)', async () => {
		const { agent, token } = await rawClient(sandbox, 1);
		await agent.close();
		const tls = clientTls(sandbox);
		await mapConcurrent(uuids, DEFAULT_CONNECTIONS, (u) => send({ method: 'GET', url: `${sandbox.clara.url}/mx/api/v3/transactions/${u.uuid}`, headers: { authorization: `Bearer ${token}` } }, { tls, connections: DEFAULT_CONNECTIONS }));
		await closeAllAgents();
		return counters(sandbox);
	});

	// The same lookups through an expression the node cannot read by itself (`{{ $json.uuid.trim() }}`), so n8n's
	// expression engine evaluates it for every item: what that engine costs, which the raw loop never pays. The node
	// reads the plain `{{ $json.uuid }}` of the first row straight from the item.
	way('node, UUID through an expression n8n evaluates', async () => {
		const res = await runNode({
			nodeType: new Clara(),
			credentialTypes: [new ClaraApi()],
			credentials: { claraApi: benchClaraCredentials(sandbox) },
			parameters: { resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid.trim() }}' },
			items: uuids,
		});
		if (res.error || res.items.length !== n) throw new Error(`node run failed: ${res.error?.message}`);
		return counters(sandbox);
	});

	// `--no-diy`: leave the do-it-yourself way out (16 s a round), e.g. while profiling the engine.
	const httpRequest = process.argv.includes('--no-diy') ? undefined : loadHttpRequestNode();
	if (httpRequest) {
		way('HTTP Request node (DIY)', async () => {
			// The do-it-yourself workflow: a token per execution, then n8n's HTTP Request node with an
			// "SSL Certificates" credential for each item.
			const { agent, token } = await rawClient(sandbox, 1);
			await agent.close();
			const res = await runNode({
				nodeType: httpRequest as INodeType,
				credentials: { httpSslAuth: clientTls(sandbox) },
				parameters: {
					method: 'GET',
					url: `=${sandbox.clara.url}/mx/api/v3/transactions/{{ $json.uuid }}`,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${token}` }] },
					provideSslCertificates: true,
					options: {},
				},
				items: uuids,
			});
			if (res.error || res.items.length !== n) throw new Error(`HTTP Request run failed: ${res.error?.message}`);
			return counters(sandbox);
		});
	}
	const rows = await interleaved(ways, QUICK ? 1 : 5);
	const [node, raw, transport, evaluated, diy] = rows;
	const profiles = PROFILE ? await profileWays(ways.slice(0, 3), n) : [];
	// Within each round, the raw loop's time over the way's: the median is the figure, low–high its spread.
	const nodeVsRaw = paired(raw.runsMs, node.runsMs);
	const transportVsRaw = paired(raw.runsMs, transport.runsMs);
	const ratios: Record<string, number> = {
		'node speed vs raw loop': nodeVsRaw.median,
		'transport alone vs raw loop': transportVsRaw.median,
		'node speed vs raw loop, UUID through an expression n8n evaluates': paired(raw.runsMs, evaluated.runsMs).median,
	};
	const goals = [
		{ goal: `transport alone ≥ 0.98× the raw loop (${transportVsRaw.median}×, rounds ${transportVsRaw.low}–${transportVsRaw.high}×)`, met: transportVsRaw.median >= 0.98 },
		{ goal: `node ≥ 0.97× the raw loop (${nodeVsRaw.median}×, rounds ${nodeVsRaw.low}–${nodeVsRaw.high}×)`, met: nodeVsRaw.median >= 0.97 },
	];
	if (diy) {
		ratios['node speed vs HTTP Request node'] = round(diy.ms / node.ms);
		goals.push({ goal: 'node ≥ 3× the HTTP Request node', met: diy.ms / node.ms >= 3 });
	}
	return {
		scenario: `1. Clara: ${n} transactions by uuid over mTLS`,
		rows,
		ratios,
		goals,
		checks: [
			{ check: 'node: 1 token request', ok: node.counts.tokenRequests === 1 },
			{ check: `node: handshakes ≤ pool size (${DEFAULT_CONNECTIONS})`, ok: node.counts.handshakes <= DEFAULT_CONNECTIONS },
			{ check: `node: ${n} lookups + 1 token = ${n + 1} requests`, ok: node.counts.requests === n + 1 },
			{ check: `node, expression n8n evaluates: ${n} lookups + 1 token = ${n + 1} requests`, ok: evaluated.counts.requests === n + 1 },
			{ check: `transport alone: ${n} lookups + 1 token = ${n + 1} requests`, ok: transport.counts.requests === n + 1 },
		],
		notes: [...(diy || process.argv.includes('--no-diy') ? [] : ['HTTP Request node not found: run scripts/n8n/install.sh (the real-n8n install) to include it']), ...profiles],
	};
}

/**
 * Each way once more under the CPU profiler: where its CPU goes, per request (µs; the sandbox shares the thread, so
 * its share is in every way alike). `--hot` adds the hottest functions of ours and undici's.
 */
async function profileWays(ways: Array<{ way: string; run: () => Promise<Measured> }>, requests: number) {
	const lines: string[] = [];
	for (const w of ways) {
		const { profile } = await profiled(w.run);
		const split = splitCpu(profile);
		const per = (ms: number) => `${Math.round((ms * 1000) / requests)} µs`;
		lines.push(`CPU per request (one profiled run), ${w.way}: ${per(split.totalMs)} — ${Object.entries(split.buckets).filter(([b]) => b !== 'idle').sort((a, b) => b[1] - a[1]).map(([b, ms]) => `${b} ${per(ms)}`).join(', ')}`);
		if (process.argv.includes('--hot')) lines.push(...split.hot.map((h) => `    ${per(h.ms).padStart(7)}  ${h.fn}`));
	}
	return lines;
}

export async function scenarioClaraReturnAll(sandbox: Sandbox): Promise<ScenarioResult> {
	const total = sandbox.clara.data.transactions.length;
	const dataBytes = Buffer.byteLength(JSON.stringify(sandbox.clara.data.transactions));
	const rows = await interleaved([
		{
			way: 'node (Return All)',
			run: async () => {
				await fresh(sandbox);
				return measure(async () => {
					const res = await runNode({
						nodeType: new Clara(),
						credentialTypes: [new ClaraApi()],
						credentials: { claraApi: benchClaraCredentials(sandbox) },
						parameters: { resource: 'transaction', operation: 'getAll', returnAll: true },
					});
					if (res.error || res.items.length !== total) throw new Error(`node Return All failed: ${res.error?.message} (${res.items.length}/${total})`);
					return { ...counters(sandbox), items: res.items.length };
				});
			},
		},
		{
			way: 'raw page-by-page loop',
			run: async () => {
				await fresh(sandbox);
				return measure(async () => {
					const raw = await rawClient(sandbox, 1);
					const all: IDataObject[] = [];
					for (let page = 0; ; page++) {
						const body = await raw.get(`/v3/transactions?page=${page}&size=100`);
						all.push(...(body.content as IDataObject[]));
						if (body.last || (body.content as IDataObject[]).length < 100) break;
					}
					await raw.agent.close();
					return { ...counters(sandbox), items: all.length };
				});
			},
		},
	]);
	const [node, raw] = rows;
	const memRatio = round((node.peakHeapMB! * 1048576) / dataBytes);
	// Peak heap within each round, the node's over the raw loop's (which holds the items and one page at a time).
	const heap = paired(node.runsHeapMB, raw.runsHeapMB);
	return {
		scenario: `2. Clara: Return All over ${total} transactions (${Math.ceil(total / 100)} pages)`,
		rows,
		ratios: { 'node throughput vs raw loop': paired(raw.runsMs, node.runsMs).median, 'node peak heap / raw loop peak heap': heap.median, 'node peak heap / raw data size': memRatio },
		goals: [
			{ goal: 'node ≥ 0.8× the raw loop', met: raw.ms / node.ms >= 0.8 },
			{ goal: `node peak heap ≤ 1.1× the raw loop's (${heap.median}×, rounds ${heap.low}–${heap.high}×)`, met: heap.median <= 1.1 },
		],
		checks: [
			{ check: `node: all ${total} items`, ok: node.counts.items === total },
			{ check: 'node: each page once + 1 token', ok: node.counts.requests === Math.ceil(total / 100) + 1 },
		],
		notes: [`raw JSON size of the data: ${Math.round(dataBytes / 1048576)} MB`],
	};
}
