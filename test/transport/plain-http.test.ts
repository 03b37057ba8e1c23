/**
 * No secret ever travels in clear: with every URL field of every credential pointed at a plain-HTTP listener on
 * loopback, each node's items and each credential test are refused before a socket opens, naming the field, and the
 * listener sees no connection at all (so no client secret, passcode, key:secret or token).
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { ClaroFaceMatchApi } from '../../credentials/ClaroFaceMatchApi.credentials';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import { runNode } from '../harness/n8n';

let sandbox: Sandbox;
let listener: Server;
let plain = '';
let connections = 0;
beforeAll(async () => {
	sandbox = await startSandbox();
	listener = createServer((_req, res) => res.end('{}'));
	listener.on('connection', () => connections++);
	await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
	plain = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
	await new Promise((r) => listener.close(r));
});

interface Case {
	credentialType: string;
	node: () => INodeType;
	credential: () => ICredentialType;
	test: string;
	parameters: IDataObject;
	/** The credential pointed at the listener, one URL field at a time. */
	variants: () => Array<[field: string, data: IDataObject]>;
}

const cases: Record<string, Case> = {
	Clara: {
		credentialType: 'claraApi',
		node: () => new Clara(),
		credential: () => new ClaraApi(),
		test: 'claraApiTest',
		parameters: { resource: 'card', operation: 'getAll', returnAll: false, limit: 1 },
		variants: () => [['Base URL Override', claraCredentials(sandbox, { baseUrl: `${plain}/{country}` })]],
	},
	'Claro Face Match': {
		credentialType: 'claroFaceMatchApi',
		node: () => new ClaroFaceMatch(),
		credential: () => new ClaroFaceMatchApi(),
		test: 'claroFaceMatchApiTest',
		parameters: { resource: 'facialBiometrics', operation: 'check', cpf: '111.444.777-35', options: {} },
		variants: () => [['Base URL', claroCredentials(sandbox, { baseUrl: plain })]],
	},
	CleverTap: {
		credentialType: 'cleverTapApi',
		node: () => new CleverTap(),
		credential: () => new CleverTapApi(),
		test: 'cleverTapApiTest',
		parameters: { resource: 'campaign', operation: 'getAll', from: '2026-01-01', to: '2026-01-31' },
		variants: () => [['Base URL', cleverTapCredentials(sandbox, { baseUrl: `${plain}/{region}` })]],
	},
	'Conferma Pay': {
		credentialType: 'confermaPayApi',
		node: () => new ConfermaPay(),
		credential: () => new ConfermaPayApi(),
		test: 'confermaPayApiTest',
		parameters: { resource: 'deployment', operation: 'getAll', returnAll: false, limit: 1 },
		variants: () => [
			['Base URL', confermaCredentials(sandbox, { baseUrl: plain })],
			['Token URL', confermaCredentials(sandbox, { tokenUrl: `${plain}/token` })],
		],
	},
};

describe.each(Object.entries(cases))('%s', (_service, c) => {
	test('an http:// URL field: every item refused naming it, the credential test says so, nothing reaches the listener', async () => {
		for (const [field, data] of c.variants()) {
			connections = 0;
			const run = await runNode({ nodeType: c.node(), credentialTypes: [c.credential()], credentials: { [c.credentialType]: data }, parameters: c.parameters, items: [{}, {}], continueOnFail: true });
			expect(run.items).toHaveLength(2);
			for (const [i, item] of run.items.entries()) {
				expect(item.pairedItem).toEqual({ item: i });
				expect(String(item.json.error)).toMatch(new RegExp(`${field}.*https://`, 'i'));
			}
			const tester = (c.node().methods?.credentialTest as Record<string, Function>)[c.test];
			const tested = await tester.call({}, { id: 'x', name: 'x', type: c.credentialType, data });
			expect(tested.status).toBe('Error');
			expect(tested.message).toMatch(/https:\/\//);
			expect(connections).toBe(0);
		}
	});
});
