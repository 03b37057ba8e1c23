import type { INodeType } from 'n8n-workflow';
import type { Sandbox } from '../sandbox';
import { built } from '../sandbox/built';
import { runNode } from '../test/harness/n8n';
import { loadHttpRequestNode } from './http-request-node';
import { interleaved, measure, QUICK, type Measured, type ScenarioResult } from './common';

const { closeAllAgents, tokens, MemoryTokenStore } = built.transport();
const { ClaroFaceMatch } = built.node<typeof import('../nodes/ClaroFaceMatch/ClaroFaceMatch.node')>('ClaroFaceMatch/ClaroFaceMatch');
const { ClaroFaceMatchApi } = built.credential<typeof import('../credentials/ClaroFaceMatchApi.credentials')>('ClaroFaceMatchApi');

/** 3. Claro Face Match: 1,000 CPFs with 30% repeats — billed answers and time, node vs the HTTP Request way. */
export async function scenarioClaroRepeats(sandbox: Sandbox): Promise<ScenarioResult> {
	const n = QUICK ? 100 : 1000;
	const distinct = [...sandbox.claro.people.keys()].slice(0, Math.round(n * 0.7));
	// Deterministic: every tenth and so on, so both ways see the same list.
	const cpfs = Array.from({ length: n }, (_, i) => (i < distinct.length ? distinct[i] : distinct[(i * 7) % distinct.length]));
	const items = cpfs.map((cpf) => ({ cpf }));
	const counts = () => {
		const c = sandbox.claro.counters;
		return { checks: c.custom.checks ?? 0, billedAnswers: c.custom.billedAnswers ?? 0, tokenRequests: c.tokenRequests, handshakes: c.handshakes };
	};
	const reset = async () => {
		await closeAllAgents();
		tokens.store = new MemoryTokenStore();
		sandbox.claro.resetCounters();
	};
	const ways: Array<{ way: string; run: () => Promise<Measured> }> = [
		{
			way: 'node',
			run: async () => {
				await reset();
				return measure(async () => {
					const res = await runNode({
						nodeType: new ClaroFaceMatch(),
						credentialTypes: [new ClaroFaceMatchApi()],
						credentials: { claroFaceMatchApi: { environment: 'production', key: sandbox.claro.key, secret: sandbox.claro.secret, baseUrl: sandbox.claro.url, caCertificate: sandbox.certs.ca.cert } },
						parameters: { resource: 'facialBiometrics', operation: 'check', cpf: '={{ $json.cpf }}', options: {} },
						items,
					});
					if (res.error || res.items.length !== n) throw new Error(`node run failed: ${res.error?.message}`);
					return counts();
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
					// A token per execution (its own request), then one HTTP Request per item with the CPF header.
					const tokenRes = await fetchToken(sandbox);
					const res = await runNode({
						nodeType: httpRequest as INodeType,
						parameters: {
							method: 'GET',
							url: `${sandbox.claro.url}/identity/v1/facialbiometrics`,
							sendHeaders: true,
							headerParameters: {
								parameters: [
									{ name: 'Authorization', value: `Bearer ${tokenRes}` },
									{ name: 'X-QueryString', value: '=identificationType=CPF&IdentificationId={{ $json.cpf }}' },
								],
							},
							options: { allowUnauthorizedCerts: true },
						},
						items,
					});
					if (res.error) throw new Error(`HTTP Request run failed: ${res.error.message}`);
					return counts();
				});
			},
		});
	}
	const rows = await interleaved(ways);
	const [node, diy] = rows;
	const ratios: Record<string, number> = {};
	const goals: ScenarioResult['goals'] = [];
	if (diy) {
		ratios['billed answers, HTTP Request / node'] = Math.round((diy.counts.billedAnswers / node.counts.billedAnswers) * 100) / 100;
		ratios['node speed vs HTTP Request node'] = Math.round((diy.ms / node.ms) * 100) / 100;
	}
	return {
		scenario: `3. Claro Face Match: ${n} CPFs, 30% repeats`,
		rows,
		ratios,
		goals,
		checks: [
			{ check: `node: each distinct CPF checked once (${distinct.length})`, ok: node.counts.checks === distinct.length },
			{ check: 'node: 1 token request', ok: node.counts.tokenRequests === 1 },
		],
		notes: diy ? ['the HTTP Request way trusts any certificate here (allowUnauthorizedCerts) only because the sandbox CA is private'] : ['HTTP Request node not found: run scripts/n8n/install.sh'],
	};
}

async function fetchToken(sandbox: Sandbox): Promise<string> {
	const { send } = built.transport();
	const res = await send(
		{
			method: 'POST',
			url: `${sandbox.claro.url}/oauth2/v1/token`,
			headers: { 'x-client-auth': `Basic ${Buffer.from(`${sandbox.claro.key}:${sandbox.claro.secret}`).toString('base64')}` },
			form: { grant_type: 'client_credentials' },
		},
		{ tls: { ca: sandbox.certs.ca.cert } },
	);
	return (res.body as { access_token: string }).access_token;
}
