/**
 * Bad input to the CleverTap node and its credential, as a careless or hostile user gives it: every case gets one
 * error per input item (paired), naming the field and what to do, and nothing reaches CleverTap — not even a
 * connection to a plain-HTTP listener the base URL points at.
 */
import { lookup } from 'dns';
import { createServer, type LookupFunction, type Server } from 'net';
import type { IDataObject, IExecuteFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { cleverTapFor } from '../../nodes/CleverTap/transport';
import type { EgressFilter } from '../../nodes/transport';
import { json, paired, range, useCleverTap } from './setup';

const t = useCleverTap();

let plain: Server;
let plainPort = 0;
let connections = 0;
let received = '';
beforeAll(async () => {
	plain = createServer((socket) => {
		connections++;
		socket.on('data', (d) => (received += d.toString('latin1')));
		socket.end();
	});
	await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
	plainPort = (plain.address() as { port: number }).port;
});
afterAll(async () => {
	await new Promise((r) => plain.close(r));
});

/** One operation of each kind: a read, a cursor read, a computed read, an upload, an action, a campaign. */
const OPERATIONS: IDataObject[] = [
	{ resource: 'profile', operation: 'get', findBy: 'identity', value: 'user-0001' },
	{ resource: 'event', operation: 'getAll', eventName: 'Charged', ...range, returnAll: true },
	{ resource: 'event', operation: 'count', eventName: 'Charged', ...range },
	{ resource: 'report', operation: 'getRealTimeCounts' },
	{ resource: 'profile', operation: 'upload', identifyBy: 'identity', identifier: 'u-1', profileData: '{}' },
	{ resource: 'profile', operation: 'delete', deleteBy: 'identity', identifier: 'user-0002' },
	{ resource: 'profile', operation: 'unsubscribe', channel: 'email', value: 'a@example.com' },
	{ resource: 'campaign', operation: 'create', name: 'X', targetMode: 'push', when: 'now', content: '{"title": "a", "body": "b"}' },
	{ resource: 'campaign', operation: 'stop', campaignId: '1700000000' },
];

const testCredential = async (data: IDataObject): Promise<INodeCredentialTestResult> => {
	const result = await t.node.methods.credentialTest.cleverTapApiTest.call({} as never, { id: 'c', name: 'CleverTap', type: 'cleverTapApi', data: data as never });
	t.leaks.collect(result.message);
	return result;
};

describe('the credential', () => {
	test('a plain-http base URL: every operation fails each item naming Base URL Override; the listener gets no connection, no passcode', async () => {
		const creds = t.credentials({ baseUrl: `http://127.0.0.1:${plainPort}/{region}` });
		for (const parameters of OPERATIONS) {
			const res = await t.run(parameters, [{}, {}], { creds, continueOnFail: true });
			expect([parameters.operation, json(res)]).toEqual([
				parameters.operation,
				[0, 1].map(() => ({ error: expect.stringMatching(/^The CleverTap credential's Base URL Override "http:\/\/127\.0\.0\.1:\d+\/\{region\}" is not an https:\/\/ address$/), description: expect.stringMatching(/unencrypted.*Nothing was sent\.$/) })),
			]);
			expect(paired(res)).toEqual([{ item: 0 }, { item: 1 }]);
		}
		const test = await testCredential(t.credentials({ baseUrl: `HTTP://127.0.0.1:${plainPort}` }));
		expect(test).toEqual({ status: 'Error', message: expect.stringMatching(/^The CleverTap credential's Base URL Override "HTTP:\/\/127\.0\.0\.1:\d+" is not an https:\/\/ address\. Use https:\/\//) });
		expect(connections).toBe(0);
		expect(received).not.toContain(t.ct.passcode);
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('a base URL with a user and password in it, or not a URL at all, is refused too', async () => {
		for (const [baseUrl, message] of [
			[`https://me:secret@127.0.0.1:${plainPort}/{region}`, "The CleverTap credential's Base URL Override must not contain a user name or password"],
			['127.0.0.1/{region}', 'The CleverTap credential\'s Base URL Override "127.0.0.1/{region}" is not a URL'],
		]) {
			const res = await t.run(OPERATIONS[0], [{}], { creds: t.credentials({ baseUrl }), continueOnFail: true });
			expect(json(res)[0].error).toBe(message);
		}
		expect(connections).toBe(0);
	});

	test('a passcode or account id with a line break in it is a problem of that field, not "could not reach the server"', async () => {
		for (const [field, overrides] of [
			['Passcode', { passcode: `${t.ct.passcode}\r\nX-Injected: 1` }],
			['Passcode', { passcode: `abc\ndef` }],
			['Account ID', { accountId: `${t.ct.accountId}\nX: 1` }],
		] as const) {
			const res = await t.run(OPERATIONS[0], [{}, {}], { creds: t.credentials(overrides), continueOnFail: true });
			expect(json(res)).toEqual([0, 1].map(() => ({ error: `The CleverTap credential's ${field} contains a line break`, description: expect.stringMatching(new RegExp(`^Paste ${field} as one line`)) })));
			const test = await testCredential(t.credentials(overrides));
			expect(test.message).toMatch(new RegExp(`^The CleverTap credential's ${field} contains a line break\\. Paste ${field} as one line`));
		}
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('pasted whitespace around the passcode and account id is forgiven', async () => {
		const res = await t.run(OPERATIONS[0], [{}], { creds: t.credentials({ passcode: `  ${t.ct.passcode}\n`, accountId: `\t${t.ct.accountId} ` }) });
		expect(res.error).toBeUndefined();
		expect(json(res)[0].identity).toBe('user-0001');
	});
});

describe("n8n's egress policy", () => {
	const blocking: EgressFilter = {
		validateUrl: async () => ({ ok: false, error: new Error('The IP address 127.0.0.1 is blocked') }),
		createSecureLookup: () => lookup as unknown as LookupFunction,
	};

	test('where n8n hands out a filter that refuses the host, the node sends nothing and says who decided; so does the credential test', async () => {
		const ctx = {
			getCredentials: async () => t.credentials(),
			getExecutionCancelSignal: () => undefined,
			logger: { debug: () => undefined },
			helpers: { getSecureEgressFilter: () => blocking },
		} as unknown as IExecuteFunctions;
		const ct = await cleverTapFor(ctx);
		const error = await ct.query('/1/targets/list.json', { from: 20260101, to: 20260131 }).catch((e) => e);
		expect(error.kind).toBe('blocked');
		expect(ct.toNodeError({ getNode: () => ({ id: 'n', name: 'CleverTap', type: 'cleverTap', typeVersion: 1, position: [0, 0], parameters: {} }) }, error).message).toMatch(/^n8n's outbound network policy does not allow https:\/\/127\.0\.0\.1:\d+: The IP address 127\.0\.0\.1 is blocked$/);
		const result = await t.node.methods.credentialTest.cleverTapApiTest.call({ helpers: { getSecureEgressFilter: () => blocking } } as never, { id: 'c', name: 'CleverTap', type: 'cleverTapApi', data: t.credentials() as never });
		expect(result.message).toMatch(/^n8n's outbound network policy does not let this host be reached: /);
		expect(t.ct.requestLog).toHaveLength(0);
		expect(t.ct.counters.handshakes).toBe(0);
	});
});

describe('parameters', () => {
	test('limits, batch sizes and waits: negative, zero, fractional, not numbers, over the maximum — refused, naming the field', async () => {
		const getMany = { resource: 'profile', operation: 'getAll', eventName: 'Charged', ...range, returnAll: false };
		const cases: Array<[IDataObject, string]> = [
			[{ limit: 0 }, 'Limit must be a whole number of at least 1, not "0"'],
			[{ limit: -3 }, 'Limit must be a whole number of at least 1, not "-3"'],
			[{ limit: 2.5 }, 'Limit must be a whole number of at least 1, not "2.5"'],
			[{ limit: '={{ "ten" }}' }, 'Limit must be a whole number of at least 1, not "ten"'],
			[{ limit: 5, options: { batchSize: 0 } }, 'Batch Size must be a whole number from 1 to 5000, not "0"'],
			[{ limit: 5, options: { batchSize: 5001 } }, 'Batch Size must be a whole number from 1 to 5000, not "5001"'],
			[{ limit: 5, options: { batchSize: 10.5 } }, 'Batch Size must be a whole number from 1 to 5000, not "10.5"'],
			[{ limit: 5, options: { maxWaitSeconds: 0 } }, 'Wait Up To (Seconds) must be a whole number from 1 to 3600, not "0"'],
			[{ limit: 5, options: { maxWaitSeconds: -1 } }, 'Wait Up To (Seconds) must be a whole number from 1 to 3600, not "-1"'],
		];
		for (const [extra, message] of cases) {
			const res = await t.run({ ...getMany, ...extra }, [{}], { continueOnFail: true });
			expect(json(res)[0].error).toBe(message);
		}
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('dates: rolled-over days, months 13, text, empty, a reversed range — for every operation with a date range', async () => {
		const ops: IDataObject[] = [
			{ resource: 'profile', operation: 'getAll', eventName: 'Charged', returnAll: true },
			{ resource: 'profile', operation: 'count', eventName: 'Charged' },
			{ resource: 'campaign', operation: 'getAll', returnAll: true },
			{ resource: 'message', operation: 'getReport', returnAll: true },
			{ resource: 'report', operation: 'getTrends', eventName: 'Charged', trendTypes: ['daily'] },
			{ resource: 'report', operation: 'getTopCounts', eventName: 'Charged', groups: { group: [{ propertyType: 'event_properties', name: 'Amount' }] } },
		];
		const items = [
			{ from: '2026-02-29', to: '2026-03-01' },
			{ from: '2026-01-01', to: '2026-13-01' },
			{ from: '20260431', to: '20260501' },
			{ from: '', to: '2026-03-01' },
			{ from: 'last week', to: '2026-03-01' },
			{ from: '2026-03-02', to: '2026-03-01' },
		];
		for (const parameters of ops) {
			const res = await t.run({ ...parameters, from: '={{ $json.from }}', to: '={{ $json.to }}' }, items, { continueOnFail: true });
			expect([parameters.operation, json(res).map((j) => j.error)]).toEqual([
				parameters.operation,
				[
					'From Date "2026-02-29" is not a real calendar date',
					'To Date "2026-13-01" is not a real calendar date',
					'From Date "2026-04-31" is not a real calendar date',
					'From Date is empty',
					'From Date must be a date like YYYY-MM-DD (2026-01-31), not "last week"',
					'To Date (20260301) is before From Date (20260302)',
				],
			]);
			expect(paired(res)).toEqual(items.map((_, item) => ({ item })));
		}
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('event names and identities: empty, only spaces, a whole object from an expression', async () => {
		const count = await t.run({ resource: 'event', operation: 'count', eventName: '={{ $json.e }}', ...range }, [{ e: '' }, { e: '   ' }, { e: { a: 1 } }], { continueOnFail: true });
		expect(json(count).map((j) => j.error)).toEqual(['Event Name is empty', 'Event Name is empty', 'Event Name must be text, not object "{"a":1}"']);
		const get = await t.run({ resource: 'profile', operation: 'get', findBy: 'email', value: '={{ $json.v }}' }, [{ v: null }, { v: ['a@b.c'] }], { continueOnFail: true });
		expect(json(get).map((j) => j.error)).toEqual(['Value is empty', 'Value must be text, not a list "["a@b.c"]"']);
		expect(t.ct.requestLog).toHaveLength(0);
	});

	test('an identity that looks like a path or a query is sent as a value, encoded: it cannot read another endpoint', async () => {
		const res = await t.run({ resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.v }}' }, [{ v: '../1/targets/list.json?x=1&email=user-0001@example.com' }], { continueOnFail: true });
		expect(json(res)[0].error).toBe('CleverTap answered "fail": Profile not found (code 404)');
		expect(t.ct.requestLog.map((r) => r.url)).toEqual(['/in1/1/profile.json?identity=..%2F1%2Ftargets%2Flist.json%3Fx%3D1%26email%3Duser-0001%40example.com']);
	});
});
