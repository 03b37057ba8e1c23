import type { Sandbox } from '../../sandbox';

// ---------------------------------------------------------------------------------------------------------------
// The workflows. Ours for A is the smallest a user would build; the DIY ones are what the same user builds with
// n8n's own nodes: a token request first, then one HTTP Request per item carrying it.

export const SSL = { id: 'bnHttpSslMtls01', name: 'Clara client certificate (bench)' };
export const SSL_CA = { id: 'bnHttpSslCa0001', name: 'Sandbox CA (bench)' };

const webhook = (path: string, responseMode: 'lastNode' | 'responseNode', id: string) => ({
	id: `${id}-0001`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: id,
	parameters: { httpMethod: 'POST', path, responseMode, ...(responseMode === 'lastNode' ? { responseData: 'noData' } : {}), options: {} },
});
const httpRequest = (name: string, x: number, parameters: Record<string, unknown>, credential?: { id: string; name: string }) => ({
	id: `${name.replace(/\W/g, '').toLowerCase()}-node`,
	name,
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [x, 0],
	parameters: { ...parameters, ...(credential ? { provideSslCertificates: true } : {}), options: parameters.options ?? {} },
	...(credential ? { credentials: { httpSslAuth: credential } } : {}),
});
const chain = (...names: string[]) =>
	Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
const splitOut = (field: string, x: number) => ({
	id: 'split-out-node',
	name: 'One Item per Uuid',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [x, 0],
	parameters: { fieldToSplitOut: field, options: {} },
});

export function benchWorkflows(sandbox: Sandbox) {
	const clara = `${sandbox.clara.url}/mx`;
	const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
	const claraNode = {
		id: 'bnClaraNode0001',
		name: 'Bench: Clara lookups (node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-clara-node', 'lastNode', 'b0000000-0000-4000-8000-000000000001'),
			splitOut('body.uuids', 220),
			{
				id: 'clara-node',
				name: 'Clara',
				type: 'n8n-nodes-fintech-identity.clara',
				typeVersion: 1,
				position: [440, 0],
				parameters: { resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' },
				credentials: { claraApi: { id: 'sbxClaraApi00001', name: 'Clara (sandbox)' } },
			},
		],
		connections: chain('Webhook', 'One Item per Uuid', 'Clara'),
	};
	const claraDiy = {
		id: 'bnClaraDiy00001',
		name: 'Bench: Clara lookups (HTTP Request node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-clara-diy', 'lastNode', 'b0000000-0000-4000-8000-000000000002'),
			httpRequest('Get Token', 220, {
				method: 'POST',
				url: `${clara}/oauth/token`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: basic(sandbox.clara.clientId, sandbox.clara.clientSecret) }] },
				sendBody: true,
				contentType: 'form-urlencoded',
				bodyParameters: { parameters: [{ name: 'grant_type', value: 'client_credentials' }] },
			}, SSL),
			{
				id: 'uuids-node',
				name: 'Uuids',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [440, 0],
				parameters: { mode: 'raw', jsonOutput: "={{ { uuids: $('Webhook').first().json.body.uuids } }}", options: {} },
			},
			splitOut('uuids', 660),
			httpRequest('Lookup', 880, {
				method: 'GET',
				url: `=${clara}/api/v3/transactions/{{ $json.uuid }}`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: "=Bearer {{ $('Get Token').first().json.access_token }}" }] },
			}, SSL),
		],
		connections: chain('Webhook', 'Get Token', 'Uuids', 'One Item per Uuid', 'Lookup'),
	};
	// The signup example's flow (Signup → Face Match → Found? → CleverTap event → respond) with HTTP Request nodes.
	const ct = sandbox.clevertap;
	const claro = sandbox.claro;
	const respond = (name: string, body: string, x: number, y: number) => ({
		id: `${name.replace(/\W/g, '').toLowerCase()}-node`,
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.4,
		position: [x, y],
		parameters: { respondWith: 'json', responseBody: body, options: {} },
	});
	// The example's Signup node and its two answers; the DIY flow strips the CPF's punctuation itself.
	const signupNode = (cpf: string) => ({
		id: 'signup-node',
		name: 'Signup',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [220, 0],
		parameters: {
			assignments: {
				assignments: [
					{ id: 'a1', name: 'name', value: '={{ $json.body.name }}', type: 'string' },
					{ id: 'a2', name: 'email', value: '={{ $json.body.email }}', type: 'string' },
					{ id: 'a3', name: 'cpf', value: cpf, type: 'string' },
				],
			},
			options: {},
		},
	});
	const VERIFIED = "={{ { \"status\": \"verified\", \"email\": $('Signup').item.json.email } }}";
	const NOT_FOUND = "={{ { \"status\": \"not_found\", \"next\": \"manual review\", \"email\": $('Signup').item.json.email } }}";
	const signupDiy = {
		id: 'bnSignupDiy0001',
		name: 'Bench: signup → Face Match (HTTP Request node)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-signup-diy', 'responseNode', 'b0000000-0000-4000-8000-000000000003'),
			signupNode("={{ $json.body.cpf.replace(/\\D/g, '') }}"),
			httpRequest('Claro Token', 440, {
				method: 'POST',
				url: `${claro.url}/oauth2/v1/token`,
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'x-client-auth', value: basic(claro.key, claro.secret) }] },
				sendBody: true,
				contentType: 'form-urlencoded',
				bodyParameters: { parameters: [{ name: 'grant_type', value: 'client_credentials' }] },
			}, SSL_CA),
			httpRequest('Face Match', 660, {
				method: 'GET',
				url: `${claro.url}/identity/v1/facialbiometrics`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'Authorization', value: '=Bearer {{ $json.access_token }}' },
						{ name: 'X-QueryString', value: "=identificationType=CPF&IdentificationId={{ $('Signup').item.json.cpf }}" },
					],
				},
				// 422 is Claro's "not in the base": an answer, so the flow branches on the status instead of failing.
				options: { response: { response: { neverError: true, fullResponse: true } } },
			}, SSL_CA),
			{
				id: 'found-node',
				name: 'Found?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [880, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
						conditions: [{ id: 'c1', leftValue: '={{ $json.statusCode }}', rightValue: 200, operator: { type: 'number', operation: 'equals' } }],
						combinator: 'and',
					},
					options: {},
				},
			},
			httpRequest('Event to CleverTap', 1100, {
				method: 'POST',
				url: `${ct.url}/${ct.region}/1/upload`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'X-CleverTap-Account-Id', value: ct.accountId },
						{ name: 'X-CleverTap-Passcode', value: ct.passcode },
					],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					"={{ JSON.stringify({ d: [{ identity: $('Signup').item.json.email, type: 'event', evtName: 'Face Match Verified', evtData: { 'Face Versions': $json.body.data.versions.length, 'Claro Transaction': $json.body.transactionId } }] }) }}",
			}, SSL_CA),
			respond('Respond Verified', VERIFIED, 1320, -100),
			respond('Respond Not Found', NOT_FOUND, 1100, 100),
		],
		connections: {
			...chain('Webhook', 'Signup', 'Claro Token', 'Face Match', 'Found?'),
			'Found?': { main: [[{ node: 'Event to CleverTap', type: 'main', index: 0 }], [{ node: 'Respond Not Found', type: 'main', index: 0 }]] },
			'Event to CleverTap': { main: [[{ node: 'Respond Verified', type: 'main', index: 0 }]] },
		},
	};
	// The example's flow with its two nodes of ours as No Operation nodes (which pass the item on and cost n8n the
	// least a node can): what n8n's own nodes and engine cost a signup in this flow, whatever does the work. The
	// caller says whether the CPF is known (`found`), which Found? reads back from the webhook, one expression as in
	// the example.
	const signupAlone = {
		id: 'bnSignupFloor01',
		name: "Bench: signup flow, n8n's nodes alone (ours as No Operation)",
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			webhook('bench-signup-floor', 'responseNode', 'b0000000-0000-4000-8000-000000000004'),
			signupNode('={{ $json.body.cpf }}'),
			{ id: 'facematch-noop', name: 'Face Match (No Operation)', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
			{
				id: 'found-node',
				name: 'Found?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [660, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [{ id: 'c1', leftValue: "={{ $('Webhook').item.json.body.found }}", rightValue: true, operator: { type: 'boolean', operation: 'true', singleValue: true } }],
						combinator: 'and',
					},
					options: {},
				},
			},
			{ id: 'clevertap-noop', name: 'CleverTap (No Operation)', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [880, -100], parameters: {} },
			respond('Respond Verified', VERIFIED, 1100, -100),
			respond('Respond Not Found', NOT_FOUND, 880, 100),
		],
		connections: {
			...chain('Webhook', 'Signup', 'Face Match (No Operation)', 'Found?'),
			'Found?': { main: [[{ node: 'CleverTap (No Operation)', type: 'main', index: 0 }], [{ node: 'Respond Not Found', type: 'main', index: 0 }]] },
			'CleverTap (No Operation)': { main: [[{ node: 'Respond Verified', type: 'main', index: 0 }]] },
		},
	};
	return [claraNode, claraDiy, signupDiy, signupAlone];
}
