/**
 * The Claro Face Match node inside n8n's engine, against the emulator over real TLS. Counts come from the
 * emulator: `checks` (every check request it received), `billedAnswers` (200s), `notFoundAnswers` (422s).
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, INodeCredentialTestResult } from 'n8n-workflow';
import { ClaroFaceMatchApi } from '../../credentials/ClaroFaceMatchApi.credentials';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { closeAllAgents, MemoryTokenStore, tokens } from '../../nodes/transport';
import { startSandbox, type Sandbox } from '../../sandbox';
import { capturedLogs, runNode, type RunNodeResult } from '../harness/n8n';
import { Leaks } from '../helpers/leaks';

let sandbox: Sandbox;
const leaks = new Leaks();
const node = new ClaroFaceMatch();
const urlsSeen: string[] = [];

const KNOWN = '111.444.777-35';
const KNOWN2 = '123.456.789-09';
const UNKNOWN = '222.333.666-38';
/** Every CPF any test sends, valid or not: none may appear whole in a URL, an output, an error or a log line. */
const ALL_CPFS = [KNOWN, KNOWN2, UNKNOWN, '111.444.777-36', '111.444.777-53', '986.764.890-09'];
const digits = (cpf: string) => cpf.replace(/\D/g, '');

function credentials(overrides: IDataObject = {}) {
	return { environment: 'production', key: sandbox.claro.key, secret: sandbox.claro.secret, baseUrl: sandbox.claro.url, caCertificate: sandbox.certs.ca.cert, ...overrides };
}

const check = (options: IDataObject = {}) => ({ resource: 'facialBiometrics', operation: 'check', cpf: '={{ $json.cpf }}', options });
const cpfs = (...list: unknown[]) => list.map((cpf) => ({ cpf }));

async function run(
	items: IDataObject[],
	options: { parameters?: IDataObject; continueOnFail?: boolean; onError?: 'continueErrorOutput'; creds?: IDataObject } = {},
): Promise<RunNodeResult> {
	const creds = options.creds ?? credentials();
	leaks.watch(creds.secret);
	const result = await runNode({
		nodeType: node,
		credentialTypes: [new ClaroFaceMatchApi()],
		parameters: options.parameters ?? check(),
		credentials: { claroFaceMatchApi: creds },
		items,
		continueOnFail: options.continueOnFail,
		onError: options.onError,
	});
	// Not `result.run`: it holds the Items node's output, i.e. the CPFs the test fed in.
	leaks.collect({ items: result.items, outputs: result.outputs, logs: result.logs }, ...(result.error ? [result.error] : []));
	return result;
}

const custom = () => sandbox.claro.counters.custom;
const json = (result: RunNodeResult) => result.items.map((i) => i.json);
const paired = (result: RunNodeResult) => result.items.map((i) => i.pairedItem);

beforeAll(async () => {
	sandbox = await startSandbox();
	for (const cpf of ALL_CPFS) leaks.watch(cpf, digits(cpf));
});
afterAll(async () => {
	await closeAllAgents();
	await sandbox.close();
});
beforeEach(() => {
	tokens.store = new MemoryTokenStore();
	sandbox.claro.faults.clear();
});
afterEach(() => {
	urlsSeen.push(...sandbox.claro.requestLog.map((r) => r.url));
	sandbox.claro.resetCounters();
});

describe('check', () => {
	test('a known CPF: found, versions, biohashs, transaction id, the CPF masked; sent only in X-QueryString', async () => {
		const res = await run(cpfs(KNOWN));
		expect(res.error).toBeUndefined();
		const person = sandbox.claro.people.get('11144477735')!;
		expect(json(res)).toEqual([
			{ found: true, cpf: '***.444.777-**', versions: person.versions, biohashs: person.biohashs, transactionId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
		]);
		expect(paired(res)).toEqual([{ item: 0 }]);
		const checks = sandbox.claro.requestLog.filter((r) => r.url.startsWith('/identity/'));
		expect(checks).toHaveLength(1);
		expect(checks[0].url).toBe('/identity/v1/facialbiometrics');
		expect(checks[0].headers['x-querystring']).toBe('identificationType=CPF&IdentificationId=11144477735');
		// The token in both headers of the seed's samples (Authorization: curl/PHP/Python; x-client-auth: Java).
		expect(checks[0].headers.authorization).toMatch(/^Bearer \S+$/);
		expect(checks[0].headers['x-client-auth']).toBe(checks[0].headers.authorization);
		expect(custom()).toMatchObject({ checks: 1, billedAnswers: 1 });
	});

	test('an unknown CPF (422) is found: false, not a failure, and not billed', async () => {
		const res = await run(cpfs(UNKNOWN));
		expect(res.error).toBeUndefined();
		expect(json(res)).toEqual([{ found: false, cpf: '***.333.666-**', versions: [], biohashs: [], transactionId: expect.any(String) }]);
		expect(custom()).toMatchObject({ checks: 1, notFoundAnswers: 1 });
		expect(custom().billedAnswers ?? 0).toBe(0);
	});

	test('"Not Found Is an Error" turns the 422 into an item error that names the CPF only masked', async () => {
		const res = await run(cpfs(UNKNOWN), { parameters: check({ notFoundIsError: true }) });
		expect(res.error?.message).toBe("CPF ***.333.666-** is not in Claro's base (HTTP 422)");
		expect(res.error?.description).toMatch(/Turn off "Not Found Is an Error"/);
	});

	test('a biohash supplied by the workflow is compared with the returned ones', async () => {
		const [hash] = sandbox.claro.people.get('11144477735')!.biohashs;
		const items = [
			{ cpf: KNOWN, hash },
			{ cpf: KNOWN, hash: 'f'.repeat(64) },
			{ cpf: UNKNOWN, hash },
		];
		const res = await run(items, { parameters: check({ biohash: '={{ $json.hash }}' }) });
		expect(res.error).toBeUndefined();
		expect(json(res).map((j) => [j.found, j.matches])).toEqual([
			[true, true],
			[true, false],
			[false, false],
		]);
		expect(custom().checks).toBe(2);
	});
});

describe('invalid CPFs cost nothing', () => {
	const invalid = ['111.444.777-3', '111.444.777-36', '000.000.000-00', '111.444.ABC-35', ''];

	test('each gets an error saying what is wrong; no token and no check is requested', async () => {
		const res = await run(cpfs(...invalid), { continueOnFail: true });
		expect(res.error).toBeUndefined();
		expect(json(res).map((j) => j.error)).toEqual([
			'Invalid CPF (***.444.777-**): has 10 digits, needs 11',
			'Invalid CPF (***.444.777-**): check digits do not match',
			'Invalid CPF (***.000.000-**): all digits are the same',
			'Invalid CPF (***): contains letters',
			'Invalid CPF (***): is empty',
		]);
		expect(json(res)[0].description).toMatch(/Nothing was sent to Claro/);
		expect(paired(res)).toEqual(invalid.map((_, item) => ({ item })));
		expect(sandbox.claro.counters.requests).toBe(0);
	});

	test("with 'Continue (using error output)' an invalid CPF takes the error branch and the others the main one", async () => {
		// The signup example's invalid-CPF branch relies on this: n8n routes by the item's `error`, not its json.
		// n8n itself copies the input item's fields onto an error-output item (the user's own data, CPF included), so
		// this invalid CPF is one the file-wide leak check does not watch; the node's own text stays masked.
		const res = await run(cpfs(KNOWN, '123.456.789-00', UNKNOWN), { onError: 'continueErrorOutput' });
		expect(res.error).toBeUndefined();
		expect(res.outputs[0].map((i) => [i.pairedItem, i.json.found])).toEqual([[{ item: 0 }, true], [{ item: 2 }, false]]);
		expect(res.outputs[1].map((i) => i.json.error)).toEqual([expect.stringMatching(/^Invalid CPF \(\*\*\*\.456\.789-\*\*\): check digits do not match\. Nothing was sent to Claro/)]);
		expect(res.outputs[1][0].json.cpf).toBe('123.456.789-00');
	});

	test('without continueOnFail, one invalid CPF among valid ones fails the run before anything is paid for', async () => {
		const res = await run(cpfs(KNOWN, KNOWN2, '111.444.777-53'));
		expect(res.error?.message).toBe('Invalid CPF (***.444.777-**): check digits do not match');
		expect(sandbox.claro.counters.requests).toBe(0);
	});

	test('with continueOnFail, valid, unknown and invalid CPFs: one output per input, each paired to its input', async () => {
		const res = await run(cpfs(KNOWN, '123', UNKNOWN, KNOWN2, '111.444.777-36', 12345678909), { continueOnFail: true, parameters: check({ notFoundIsError: true }) });
		expect(res.error).toBeUndefined();
		expect(paired(res)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		const out = json(res);
		expect(out[0]).toMatchObject({ found: true, cpf: '***.444.777-**' });
		expect(out[1].error).toBe('Invalid CPF (***): has 3 digits, needs 11');
		expect(out[2].error).toBe("CPF ***.333.666-** is not in Claro's base (HTTP 422)");
		expect(out[3]).toMatchObject({ found: true, cpf: '***.456.789-**' });
		expect(out[4].error).toMatch(/check digits do not match/);
		// A CPF given as a JSON number is the same person as item 3: checked once.
		expect(out[5]).toMatchObject({ found: true, cpf: '***.456.789-**' });
		expect(custom().checks).toBe(3);
	});
	test('an expression that fails for one item fails only that item', async () => {
		const res = await run([{ cpf: KNOWN }, { cpf: 12345678909 }], { continueOnFail: true, parameters: { ...check(), cpf: '={{ $json.cpf.trim() }}' } });
		expect(res.error).toBeUndefined();
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(json(res)[0]).toMatchObject({ found: true });
		expect(json(res)[1].error).toEqual(expect.any(String));
		expect(custom().checks).toBe(1);
	});
});

describe('billing and tokens', () => {
	test('the same CPF several times in one execution is checked once; every item gets its own output', async () => {
		const items = cpfs(KNOWN, digits(KNOWN), UNKNOWN, KNOWN2, ' 111 444 777 35 ', digits(UNKNOWN), KNOWN);
		const res = await run(items);
		expect(res.error).toBeUndefined();
		expect(paired(res)).toEqual(items.map((_, item) => ({ item })));
		expect(json(res).map((j) => j.found)).toEqual([true, true, false, true, true, false, true]);
		expect(custom()).toMatchObject({ checks: 3, billedAnswers: 2, notFoundAnswers: 1 });
		// Copies, not one shared object: a later node editing one item must not change the others.
		expect(res.items[0].json.biohashs).not.toBe(res.items[1].json.biohashs);
		expect(res.items[0].json.biohashs).toEqual(res.items[1].json.biohashs);
		// Across executions the answer is asked for again: it may have changed, and the memo holds no CPF for longer.
		await run(cpfs(KNOWN));
		expect(custom().checks).toBe(4);
	});

	test('one token for a multi-item execution and for several executions at once; 8 checks in flight per execution', async () => {
		// A little latency so that requests overlap on loopback and the in-flight peak means something.
		sandbox.claro.faults.latencyMs = 20;
		const known = [...sandbox.claro.people.keys()].slice(0, 25);
		await run(cpfs(...known));
		expect(sandbox.claro.counters.peakInFlight).toBe(8);
		await Promise.all([run(cpfs(...known)), run(cpfs(...known)), run(cpfs(...known))]);
		expect(sandbox.claro.counters.tokenRequests).toBe(1);
		expect(custom()).toMatchObject({ checks: 100, billedAnswers: 100 });
		expect(sandbox.claro.counters.peakInFlight).toBeGreaterThan(8);
		expect(sandbox.claro.counters.peakInFlight).toBeLessThanOrEqual(24);
	});

	test('a token is refreshed after it expires, before Claro has to refuse it', async () => {
		// Long enough that a stalled event loop (CI installs n8n beside these suites) cannot age a fresh token past
		// its refresh margin within one run; short enough to wait out.
		sandbox.claro.tokenLifetimeSec = 3;
		try {
			await run(cpfs(KNOWN));
			await new Promise((r) => setTimeout(r, 3_200));
			const res = await run(cpfs(KNOWN2));
			expect(res.error).toBeUndefined();
		} finally {
			sandbox.claro.tokenLifetimeSec = 3599;
		}
		expect(sandbox.claro.counters.tokenRequests).toBe(2);
		expect(custom().http401 ?? 0).toBe(0);
	});

	test('a token Claro stops accepting early (401) is replaced once for all items in flight', async () => {
		await run(cpfs(KNOWN));
		sandbox.claro.resetCounters();
		sandbox.claro.revokeTokens();
		const known = [...sandbox.claro.people.keys()].slice(0, 20);
		const res = await run(cpfs(...known));
		expect(res.error).toBeUndefined();
		expect(res.items).toHaveLength(20);
		expect(sandbox.claro.counters.tokenRequests).toBe(1);
		expect(custom().billedAnswers).toBe(20);
	});
});

describe('failures', () => {
	test('a 429 burst is retried with backoff and recovered', async () => {
		sandbox.claro.burst429(2, 0);
		const res = await run(cpfs(KNOWN));
		expect(res.error).toBeUndefined();
		expect(json(res)[0].found).toBe(true);
		expect(custom()).toMatchObject({ http429: 2, checks: 3, billedAnswers: 1 });
	});

	test('503 and a dropped connection on the check are retried', async () => {
		sandbox.claro.faults.fail(1, 503, { pathPrefix: '/identity' });
		sandbox.claro.faults.reset(1, '/identity');
		const res = await run(cpfs(KNOWN));
		expect(res.error).toBeUndefined();
		expect(custom()).toMatchObject({ http503: 1, billedAnswers: 1 });
	});

	test('429 that does not stop: Claro\'s envelope and what to do, after a bounded number of attempts', async () => {
		sandbox.claro.burst429(50, 0);
		const res = await run(cpfs(KNOWN));
		sandbox.claro.burst429(0);
		expect(res.error?.message).toBe('Claro answered HTTP 429 API-SPIKEARREST-429: Too Many Requests — Spike arrest violation: too many requests in a short period');
		expect(res.error?.description).toMatch(/run fewer items at once/);
		expect(res.error?.description).toMatch(/Claro transaction id: [0-9a-f-]{36}/);
		expect(custom().checks).toBe(5);
	});

	test("Claro's error envelope becomes the message (errorCode, message, detailedMessage)", async () => {
		const body = {
			apiVersion: '1.0.1',
			transactionId: 'tx-403',
			error: { httpCode: '403', errorCode: 'API-QUOTA-403', message: 'Forbidden', detailedMessage: 'Plano sem respostas disponíveis', link: 'https://x.example/403' },
		};
		sandbox.claro.faults.fail(1, 403, { pathPrefix: '/identity', body });
		const res = await run(cpfs(KNOWN));
		expect(res.error?.message).toBe('Claro answered HTTP 403 API-QUOTA-403: Forbidden — Plano sem respostas disponíveis');
		expect(res.error?.description).toMatch(/not allowed to use Face Match.*Claro transaction id: tx-403\. See https:\/\/x\.example\/403/);
	});

	test('a CPF echoed by Claro in an error body is masked in what the user sees', async () => {
		const body = { transactionId: 'tx-500', error: { httpCode: '500', errorCode: 'API-BACKEND-500', message: 'Erro', detailedMessage: 'Falha ao consultar 11144477735' } };
		sandbox.claro.faults.fail(10, 500, { pathPrefix: '/identity', body });
		const res = await run(cpfs(KNOWN));
		expect(res.error?.message).toBe('Claro answered HTTP 500 API-BACKEND-500: Erro — Falha ao consultar ***.444.777-**');
	});

	test('a wrong secret, a wrong key, a wrong environment', async () => {
		const secret = await run(cpfs(KNOWN), { creds: credentials({ secret: 'wrong-secret-1234' }) });
		expect(secret.error?.message).toMatch(/^Claro did not issue a token \(HTTP 401\): the key or secret is wrong/);
		expect(secret.error?.description).toMatch(/Client credentials are invalid/);
		const key = await run(cpfs(KNOWN), { creds: credentials({ key: 'someone-else' }) });
		expect(key.error?.description).toMatch(/ClientId is Invalid/);
		const elsewhere = await run(cpfs(KNOWN), { creds: credentials({ baseUrl: `${sandbox.claro.url}/gateway` }) });
		expect(elsewhere.error?.message).toMatch(/No Claro token endpoint at https:\/\/127\.0\.0\.1:\d+\/gateway\/oauth2\/v1\/token \(HTTP 404\)/);
		expect(custom().checks ?? 0).toBe(0);
	});

	test('a server certificate from a private CA without the CA filled in', async () => {
		const res = await run(cpfs(KNOWN), { creds: credentials({ caCertificate: '' }) });
		expect(res.error?.message).toMatch(/server's certificate is not trusted/);
	});
});

describe('never over plain HTTP', () => {
	let plain: Server;
	let plainUrl = '';
	let connections = 0;
	beforeAll(async () => {
		plain = createServer((_req, res) => res.end('{}'));
		plain.on('connection', () => connections++);
		await new Promise<void>((ok) => plain.listen(0, '127.0.0.1', ok));
		plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise((ok) => plain.close(ok)));

	test('an http:// Base URL Override fails every item, naming the field, and no connection is made', async () => {
		const res = await run(cpfs(KNOWN, KNOWN2), { creds: credentials({ baseUrl: plainUrl }), continueOnFail: true });
		expect(json(res)).toEqual([0, 1].map(() => ({ error: `Base URL Override "${plainUrl}" is not an https:// address`, description: expect.stringMatching(/^Use https:\/\/: over http the credential's secrets would travel unencrypted, so nothing is sent/) })));
		expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }]);
		const stopped = await run(cpfs(KNOWN), { creds: credentials({ baseUrl: plainUrl }) });
		expect(stopped.error?.message).toBe(`Base URL Override "${plainUrl}" is not an https:// address`);
		expect(connections).toBe(0);
	});

	test('the credential test says so too, and sends nothing', async () => {
		const res = await node.methods.credentialTest.claroFaceMatchApiTest.call({} as never, { id: 'c', name: 'Claro', type: 'claroFaceMatchApi', data: credentials({ baseUrl: plainUrl }) as never });
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/^Base URL Override ".*" is not an https:\/\/ address\. Use https:\/\//);
		expect(connections).toBe(0);
	});
});

describe('credential test', () => {
	const testCredential = (data: IDataObject): Promise<INodeCredentialTestResult> =>
		node.methods.credentialTest.claroFaceMatchApiTest.call({} as never, { id: 'c', name: 'Claro', type: 'claroFaceMatchApi', data: data as never });

	test('good key and secret: OK, and no check is made (checks are billed)', async () => {
		const res = await testCredential(credentials());
		expect(res).toEqual({ status: 'OK', message: expect.stringMatching(/^Connection successful/) });
		expect(sandbox.claro.counters.tokenRequests).toBe(1);
		expect(custom().checks ?? 0).toBe(0);
	});

	test('a wrong secret or key is reported as such', async () => {
		const secret = await testCredential(credentials({ secret: 'not-the-secret' }));
		expect(secret.status).toBe('Error');
		expect(secret.message).toMatch(/^The key or secret is wrong: .*Client credentials are invalid/);
		const key = await testCredential(credentials({ key: 'not-the-key' }));
		expect(key.message).toMatch(/^The key or secret is wrong: .*ClientId is Invalid/);
		leaks.collect(secret.message, key.message);
	});

	test('an unreachable host, an untrusted host and a host that is not Claro are reported as the host', async () => {
		const closed = await testCredential(credentials({ baseUrl: 'https://127.0.0.1:1' }));
		expect(closed.message).toMatch(/^The host is wrong or unreachable \(https:\/\/127\.0\.0\.1:1\)/);
		const untrusted = await testCredential(credentials({ caCertificate: '' }));
		expect(untrusted.message).toMatch(/^The host is wrong or unreachable .*not trusted/);
		const notClaro = await testCredential(credentials({ baseUrl: `${sandbox.claro.url}/not-claro` }));
		expect(notClaro.message).toMatch(/^The host answered but is not Claro's API gateway/);
		const badCa = await testCredential(credentials({ caCertificate: 'not a certificate' }));
		expect(badCa.message).toMatch(/^The CA Certificate field is wrong: .*not a valid PEM certificate/);
		const empty = await testCredential(credentials({ secret: '' }));
		expect(empty.message).toMatch(/Fill both Key and Secret/);
	});
});

test('no full CPF in any URL Claro received', () => {
	expect(urlsSeen.length).toBeGreaterThan(100);
	for (const url of urlsSeen) {
		expect(url).not.toMatch(/\d{11}|\d{3}\.\d{3}\.\d{3}-\d{2}/);
	}
});

test('no full CPF, secret or token in any output, error or log line of this file', () => {
	leaks.watch(...sandbox.claro.issuedTokens());
	leaks.collect(capturedLogs.join('\n'));
	// The retries above were logged by the node: its log lines were really looked at.
	expect(capturedLogs.some((l) => /retry 1 of GET \/identity\/v1\/facialbiometrics after HTTP 429/.test(l))).toBe(true);
	expect(leaks.assertNone()).toBeGreaterThan(1000);
});
