/**
 * The Clara credential test (step by step diagnosis) and the Clara Trigger (each new transaction once).
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraTrigger } from '../../nodes/Clara/ClaraTrigger.node';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { closeAllAgents } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials } from '../../sandbox/credentials';
import { poll } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
const leaks = new Leaks();

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});

function credentials(overrides: IDataObject = {}): IDataObject {
	return claraCredentials(sandbox, overrides);
}

async function credentialTest(overrides: IDataObject = {}) {
	const data = credentials(overrides);
	leaks.watch(data.clientSecret, data.privateKey, data.passphrase);
	const test = new Clara().methods.credentialTest.claraApiTest;
	const result = await test.call({} as ICredentialTestFunctions, { id: '1', name: 'clara', type: 'claraApi', data } as ICredentialsDecrypted);
	leaks.collect(result);
	return result;
}

describe('credential test: says which step failed and what to do', () => {
	test('good credentials pass all three steps', async () => {
		expect(await credentialTest()).toEqual({ status: 'OK', message: expect.stringMatching(/health, token and mutual TLS all work \(MX, sandbox\)/) });
	});
	test.each([
		['host unreachable', { baseUrl: 'https://127.0.0.1:1/{country}' }, /Step 1 of 3.*Could not reach Clara/],
		['unknown server CA', { caPublicCertificate: '' }, /Step 1 of 3.*not trusted.*Clara CA Certificate/],
		['wrong secret', { clientSecret: 'not-the-secret' }, /Step 2 of 3.*client id or secret is wrong/],
		['wrong country', { country: 'br' }, /Step 2 of 3.*wrong for country BR/],
		['no certificate', { publicCertificate: '', privateKey: '' }, /Step 3 of 3.*No client certificate/],
		['foreign certificate', { publicCertificate: 'FOREIGN', privateKey: 'FOREIGN_KEY' }, /Step 3 of 3.*refused the client certificate \(HTTP 406\): it was not issued by Clara/],
		['expired certificate', { publicCertificate: 'EXPIRED', privateKey: 'EXPIRED_KEY' }, /Step 3 of 3.*expired on/],
		['key of another certificate', { privateKey: 'FOREIGN_KEY' }, /Step 3 of 3.*does not belong/],
		['malformed PEM', { publicCertificate: '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----' }, /Step 3 of 3.*not a valid PEM/],
		['wrong passphrase', { publicCertificate: 'ENC', privateKey: 'ENC_KEY', passphrase: 'nope-nope' }, /Step 3 of 3.*passphrase is wrong/],
	])('%s', async (_name, overrides, message) => {
		const certs = sandbox.certs;
		const swap: Record<string, string> = {
			FOREIGN: certs.foreign.cert,
			FOREIGN_KEY: certs.foreign.key,
			EXPIRED: certs.expired.cert,
			EXPIRED_KEY: certs.expired.key,
			ENC: certs.clientEncrypted.cert,
			ENC_KEY: certs.clientEncrypted.key,
		};
		const resolved = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, swap[v as string] ?? v]));
		const result = await credentialTest(resolved);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
	});
	test('an encrypted key with its passphrase passes', async () => {
		const enc = sandbox.certs.clientEncrypted;
		expect((await credentialTest({ publicCertificate: enc.cert, privateKey: enc.key, passphrase: enc.passphrase })).status).toBe('OK');
	});
});

describe('Clara Trigger', () => {
	const options = (staticData: IDataObject) => ({
		nodeType: new ClaraTrigger(),
		parameters: { event: 'newTransaction', lookBackDays: 3, filters: {} },
		credentials: { claraApi: credentials() },
		credentialTypes: [new ClaraApi()],
		staticData,
	});

	test('the first poll records what exists; each new transaction is emitted once, oldest first', async () => {
		const staticData: IDataObject = {};
		expect(await poll(options(staticData))).toBeNull();
		expect(await poll(options(staticData))).toBeNull();
		const a = sandbox.clara.addTransaction({ merchant: { name: 'Coffee Lab', category: 'Restaurants' } });
		const b = sandbox.clara.addTransaction({ merchant: { name: 'Taxi', category: 'Transportation' } });
		const emitted = await poll(options(staticData));
		expect(emitted?.[0].map((i) => i.json.uuid)).toEqual([a.uuid, b.uuid]);
		expect(await poll(options(staticData))).toBeNull();
		// The state is small: only the look-back window's uuids.
		expect(Object.keys((staticData['node:Trigger'] as { seen: object }).seen).length).toBeLessThan(sandbox.clara.data.transactions.length);
	});

	test('a transaction Clara posts late with an earlier operation date inside the window is still caught', async () => {
		const staticData: IDataObject = {};
		await poll(options(staticData));
		const late = sandbox.clara.addTransaction({ operationDate: new Date(Date.now() - 2 * 86_400_000).toISOString() });
		const emitted = await poll(options(staticData));
		expect(emitted?.[0].map((i) => i.json.uuid)).toEqual([late.uuid]);
	});

	test('"fetch test event" in the editor shows the latest transaction and changes nothing', async () => {
		const staticData: IDataObject = {};
		const sample = await poll({ ...options(staticData), mode: 'manual' });
		expect(sample?.[0]).toHaveLength(1);
		expect(staticData['node:Trigger'] ?? {}).toEqual({});
	});

	test('a trigger with a broken credential reports a clear error', async () => {
		const err = await poll({ ...options({}), credentials: { claraApi: credentials({ publicCertificate: '', privateKey: '' }) } }).catch((e) => e);
		expect(err.message).toMatch(/HTTP 511/);
	});
});

test('no secret appears in any credential test message', () => {
	leaks.watch(...sandbox.clara.issuedTokens());
	expect(leaks.assertNone()).toBeGreaterThan(0);
});
