/**
 * Credentials as a person fills them in n8n's editor, for all four services, inside n8n's engine against the
 * sandbox over real TLS (and Clara's mTLS): every typed or pasted value carries the whitespace a paste brings, and
 * every PEM arrives on one line, as n8n's one-line password field leaves it. Each node still works, each
 * credential test passes, and a PEM that really is broken gets a message in words, not a redacted placeholder.
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, INodeCredentialTestResult, INodeType } from 'n8n-workflow';
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
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
const leaks = new Leaks();

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
	expect(leaks.assertNone()).toBeGreaterThan(0);
});

const PEM_FIELDS = new Set(['publicCertificate', 'privateKey', 'caPublicCertificate', 'caCertificate']);
/** Fields chosen from a list in the editor: nothing is typed there. */
const CHOSEN = new Set(['environment', 'country', 'region']);

/** What the editor stores after a paste: PEMs without line breaks, everything typed with stray whitespace around it. */
function asPasted(data: Record<string, unknown>): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(data)) {
		if (typeof value !== 'string' || CHOSEN.has(key) || value === '') out[key] = value as string;
		else if (PEM_FIELDS.has(key)) out[key] = ` ${value.replace(/[\r\n]/g, '')} `;
		else out[key] = `  ${value}\n`;
	}
	return out;
}

interface Service {
	name: string;
	node: INodeType & { methods: { credentialTest: Record<string, (this: ICredentialTestFunctions, c: ICredentialsDecrypted) => Promise<INodeCredentialTestResult>> } };
	credentialType: ClaraApi | ClaroFaceMatchApi | CleverTapApi | ConfermaPayApi;
	test: string;
	data: () => Record<string, unknown>;
	read: IDataObject;
	items?: IDataObject[];
}

const services: Service[] = [
	{
		name: 'Clara',
		node: new Clara(),
		credentialType: new ClaraApi(),
		test: 'claraApiTest',
		data: () => claraCredentials(sandbox),
		read: { resource: 'transaction', operation: 'getAll', returnAll: false, limit: 2 },
	},
	{
		name: 'Claro Face Match',
		node: new ClaroFaceMatch(),
		credentialType: new ClaroFaceMatchApi(),
		test: 'claroFaceMatchApiTest',
		data: () => claroCredentials(sandbox),
		read: { resource: 'facialBiometrics', operation: 'check', cpf: '={{ $json.cpf }}', options: {} },
		items: [{ cpf: '111.444.777-35' }],
	},
	{
		name: 'CleverTap',
		node: new CleverTap(),
		credentialType: new CleverTapApi(),
		test: 'cleverTapApiTest',
		data: () => cleverTapCredentials(sandbox),
		read: { resource: 'partner', operation: 'checkConnection', partner: 'n8n' },
	},
	{
		name: 'Conferma Pay',
		node: new ConfermaPay(),
		credentialType: new ConfermaPayApi(),
		test: 'confermaPayApiTest',
		data: () => confermaCredentials(sandbox),
		read: { resource: 'deployment', operation: 'getAll', returnAll: false, limit: 2 },
	},
];

function watch(data: IDataObject) {
	leaks.watch(...Object.entries(data).filter(([k]) => !CHOSEN.has(k) && k !== 'baseUrl' && k !== 'tokenUrl' && k !== 'country').map(([, v]) => v));
}

async function credentialTest(service: Service, data: IDataObject) {
	const result = await service.node.methods.credentialTest[service.test].call({} as ICredentialTestFunctions, {
		id: 'c',
		name: service.name,
		type: service.credentialType.name,
		data: data as ICredentialDataDecryptedObject,
	});
	leaks.collect(result);
	return result;
}

describe.each(services)('$name, filled in by pasting', (service) => {
	test('the node works with every field as pasted', async () => {
		const data = asPasted(service.data());
		watch(data);
		const result = await runNode({
			nodeType: service.node,
			credentialTypes: [service.credentialType],
			parameters: service.read,
			credentials: { [service.credentialType.name]: data as ICredentialDataDecryptedObject },
			items: service.items,
		});
		leaks.collect({ items: result.items, logs: result.logs }, ...(result.error ? [result.error] : []));
		expect(result.error).toBeUndefined();
		expect(result.items.length).toBeGreaterThan(0);
	});

	test('its credential test passes with every field as pasted', async () => {
		const data = asPasted(service.data());
		watch(data);
		expect(await credentialTest(service, data)).toEqual({ status: 'OK', message: expect.any(String) });
	});

	test('a CA certificate cut short is said in words, naming the field', async () => {
		const data = asPasted(service.data());
		const ca = service.credentialType.properties.find((p) => p.displayName.endsWith('CA Certificate'))!.name;
		data[ca] = String(data[ca]).slice(0, 300);
		watch(data);
		const result = await credentialTest(service, data);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/CA certificate is not a valid PEM certificate: it stops before its END line \(the paste was cut short\): paste the whole file, from its -----BEGIN CERTIFICATE----- line to its END line/);
		expect(result.message).not.toMatch(/redacted/);
	});
});

test('Clara: a client certificate and key pasted into each other’s fields are named as such', async () => {
	const clara = services[0];
	const data = asPasted(clara.data());
	[data.publicCertificate, data.privateKey] = [data.privateKey, data.publicCertificate];
	watch(data);
	const result = await credentialTest(clara, data);
	expect(result.message).toMatch(/^Step 3 of 3 .*The client certificate is not a valid PEM certificate: it is a private key, not a certificate/);
	expect(result.message).not.toMatch(/redacted/);
});
