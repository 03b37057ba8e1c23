/**
 * Nothing secret in any message, in n8n's engine against the sandbox of every service: a CPF typed or mapped into a
 * field that is not a CPF is masked in the error that quotes it, on every node; a line break or another control
 * character in a credential field that goes into a header, a Basic header or the token request is an error of that
 * field before anything is sent (no token request, so the client secret never travels with a broken request).
 * Every output, error and log line of the file goes through the leak grep, by value and by shape.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { ClaroFaceMatchApi } from '../../credentials/ClaroFaceMatchApi.credentials';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { claraCredentials, claroCredentials, cleverTapCredentials, confermaCredentials } from '../../sandbox/credentials';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

const SERVICES = ['clara', 'claro', 'clevertap', 'conferma'] as const;
let sandbox: Sandbox;
const leaks = new Leaks({ shapes: true });
const CPF = '111.444.777-35';

beforeAll(async () => {
	sandbox = await startSandbox({ services: [...SERVICES] });
	leaks.watch(sandbox.clara.clientSecret, sandbox.claro.secret, sandbox.clevertap.passcode, sandbox.conferma.clientSecret, CPF, CPF.replace(/\D/g, ''));
});
afterAll(async () => {
	leaks.collect(capturedLogs.join('\n'));
	leaks.assertNone();
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	for (const name of SERVICES) sandbox[name].resetCounters();
});

const requests = () => SERVICES.reduce((n, name) => n + sandbox[name].requestLog.length, 0);
const json = (r: RunNodeResult) => r.items.map((i) => i.json);

async function run(nodeType: INodeType, parameters: IDataObject, items: IDataObject[], credentials: Record<string, IDataObject> = {}) {
	const result = await runNode({
		nodeType,
		parameters,
		items,
		continueOnFail: true,
		credentials: {
			claraApi: claraCredentials(sandbox),
			claroFaceMatchApi: claroCredentials(sandbox),
			cleverTapApi: cleverTapCredentials(sandbox),
			confermaPayApi: confermaCredentials(sandbox),
			...credentials,
		},
		credentialTypes: [new ClaraApi(), new ClaroFaceMatchApi(), new CleverTapApi(), new ConfermaPayApi()],
	});
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

describe('a CPF mapped into a field that is not a CPF is masked in the error that quotes it', () => {
	const cases: Array<[string, INodeType, IDataObject, RegExp]> = [
		['Clara User Create, Email', new Clara(), { resource: 'user', operation: 'create', fullName: 'Ana Lima', email: '={{ $json.cpf }}', options: {} }, /^Email "\*\*\*\.444\.777-\*\*" is not an email address/],
		[
			'Conferma Create, Currency Code',
			new ConfermaPay(),
			{ resource: 'deployment', operation: 'create', clientAccountCodeType: 'CLIENTID', clientAccountCodeValue: '1234', amount: 10, currencyCode: '={{ $json.cpf }}', startDate: '2026-06-01', endDate: '2026-06-02', supplierName: 'Hotel', consumerReference: 'R-1', options: {} },
			/^Currency Code "\*\*\*\.444\.777-\*\*" is not an ISO 4217 currency code/,
		],
		['Clara Card Get, Card UUID', new Clara(), { resource: 'card', operation: 'get', uuid: '={{ $json.cpf + "/x" }}' }, /^Card UUID "\*\*\*\.444\.777-\*\*\/x" is not a single id/],
	];
	test.each(cases)('%s', async (_name, node, parameters, said) => {
		for (const cpf of [CPF, CPF.replace(/\D/g, '')]) {
			const res = await run(node, parameters, [{ cpf }]);
			expect(json(res)).toEqual([{ error: expect.stringMatching(said), description: expect.any(String) }]);
			expect(JSON.stringify(json(res))).not.toMatch(/111\.?444\.?777-?35/);
		}
		expect(requests()).toBe(0);
	});
});

describe('a line break or control character in a header-bound credential field is an error of that field; nothing is sent', () => {
	const clara = { resource: 'card', operation: 'getAll', returnAll: false, limit: 1 };
	const claro = { resource: 'facialBiometrics', operation: 'check', cpf: CPF };
	const clevertap = { resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' };
	const conferma = { resource: 'deployment', operation: 'get', deploymentId: '1' };
	const cases: Array<[string, INodeType, IDataObject, () => Record<string, IDataObject>, RegExp]> = [
		['Clara Tax Identifier (CR/LF)', new Clara(), clara, () => ({ claraApi: claraCredentials(sandbox, { taxIdentifier: 'ABC010101AB1\r\nX-Injected: 1' }) }), /^The Clara credential's Tax Identifier contains a line break/],
		['Clara Client ID (LF)', new Clara(), clara, () => ({ claraApi: claraCredentials(sandbox, { clientId: `${sandbox.clara.clientId}\nx` }) }), /^The Clara credential's Client ID contains a line break/],
		['Claro Key (CR/LF)', new ClaroFaceMatch(), claro, () => ({ claroFaceMatchApi: claroCredentials(sandbox, { key: `${sandbox.claro.key}\r\nx` }) }), /^The Claro Face Match credential's Key contains a line break/],
		['CleverTap Account ID (a control character)', new CleverTap(), clevertap, () => ({ cleverTapApi: cleverTapCredentials(sandbox, { accountId: `${sandbox.clevertap.accountId}\u0007x` }) }), /^The CleverTap credential's Account ID contains a control character/],
		['Conferma Platform Key Name (LF)', new ConfermaPay(), conferma, () => ({ confermaPayApi: confermaCredentials(sandbox, { platformKeyName: `${sandbox.conferma.platformKeyName}\nx` }) }), /^The Conferma Pay credential's Platform Key Name contains a line break/],
		['Conferma Client ID (CR/LF)', new ConfermaPay(), conferma, () => ({ confermaPayApi: confermaCredentials(sandbox, { clientId: `${sandbox.conferma.clientId}\r\nx` }) }), /^The Conferma Pay credential's Client ID contains a line break/],
	];
	test.each(cases)('%s', async (_name, node, parameters, credentials, said) => {
		const res = await run(node, parameters, [{}], credentials());
		const shown = res.items.length ? String(json(res)[0].error) : String(res.error?.message);
		expect(shown).toMatch(said);
		expect(`${shown} ${json(res)[0]?.description ?? res.error?.description ?? ''}`).toMatch(/Nothing was sent/);
		expect(requests()).toBe(0);
	});
});
