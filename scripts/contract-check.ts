/**
 * `npm run contract:check`: do the vendors still answer in the shapes these nodes read?
 *
 * Runs every read operation once — the nodes themselves, inside n8n's engine, with Limit 2 — and reports for each one
 * whether the node could read the answer and whether the fields the nodes rely on are there. It prints counts,
 * field names and the nodes' own (redacted) error messages: never data, never a secret.
 *
 *   npm run contract:check                                   against the built-in sandbox (what CI runs)
 *   npm run contract:check -- --credentials creds.json       against your accounts
 *   … -- --until 2026-01-28                                   date windows (last 7 or 30 days) ending that day
 *
 * `creds.json` holds the credential fields as n8n shows them, per credential type:
 *   { "claraApi": { "environment": "production", "country": "mx", "clientId": "…", … }, "cleverTapApi": { … } }
 * Only the services present are checked. Harmless by construction: reads only; Claro Face Match gets a token and
 * nothing more (each check is billed); Conferma is skipped unless `--allow-new-conferma-token`, because a new
 * Conferma token revokes every other token of the platform (your running workflows' included).
 * Exit code 1 when any check fails.
 */
import 'reflect-metadata';
import { readFileSync } from 'fs';
import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';
import { runNode } from '../test/harness/n8n';
import { built } from '../sandbox/built';

interface Check {
	name: string;
	parameters: IDataObject | ((earlier: Map<string, IDataObject[]>) => IDataObject | string);
	/** Fields every item must have, because a node relies on them (ids, the trigger's dedupe key…). */
	fields?: string[];
	/** Returning a text skips the check with that reason (an operation of another country). */
	skip?: (credentials: IDataObject) => string | undefined;
}

interface Service {
	label: string;
	credentialType: string;
	node: () => INodeType;
	credential: () => ICredentialType;
	/** The credential test runs first; a service whose test fails is not checked further. */
	test: string;
	checks: Check[];
	/** Why this service is skipped against a real account unless allowed. */
	needsFlag?: { flag: string; why: string };
}

const firstOf = (earlier: Map<string, IDataObject[]>, name: string, key: string) => {
	const value = earlier.get(name)?.[0]?.[key];
	return value === undefined || value === null ? `no item from "${name}" to take its ${key} from` : String(value);
};
/** Parameters of a Get that needs an id from an earlier Get Many; a text skips it. */
const getBy = (from: string, key: string, parameters: IDataObject, as = 'uuid') => (earlier: Map<string, IDataObject[]>) => {
	const id = firstOf(earlier, from, key);
	return id.startsWith('no item') ? id : { ...parameters, [as]: id };
};
const onlyIn = (country: string) => (c: IDataObject) => (String(c.country ?? 'mx') === country ? undefined : `only in ${country.toUpperCase()}`);
const list = (resource: string, operation = 'getAll', extra: IDataObject = {}) => ({ resource, operation, returnAll: false, limit: 2, ...extra });

const now = new Date();
const services: Record<string, Service> = {
	clara: {
		label: 'Clara',
		credentialType: 'claraApi',
		node: () => new (built.node<typeof import('../nodes/Clara/Clara.node')>('Clara/Clara').Clara)(),
		credential: () => new (built.credential<typeof import('../credentials/ClaraApi.credentials')>('ClaraApi').ClaraApi)(),
		test: 'claraApiTest',
		checks: [
			{ name: 'Health → Check', parameters: { resource: 'health', operation: 'check' } },
			{ name: 'Transaction → Get Many', parameters: list('transaction'), fields: ['uuid'] },
			{ name: 'Transaction → Get', parameters: getBy('Transaction → Get Many', 'uuid', { resource: 'transaction', operation: 'get' }), fields: ['uuid'] },
			{ name: 'Transaction → Get Documents', parameters: getBy('Transaction → Get Many', 'uuid', { resource: 'transaction', operation: 'getDocuments' }) },
			{ name: 'Transaction → Get Invoices', parameters: getBy('Transaction → Get Many', 'uuid', { resource: 'transaction', operation: 'getInvoices' }), skip: onlyIn('mx') },
			{ name: 'Billing Statement → Get Many', parameters: list('billingStatement'), fields: ['uuid'] },
			{ name: 'Billing Statement → Get', parameters: getBy('Billing Statement → Get Many', 'uuid', { resource: 'billingStatement', operation: 'get' }) },
			{ name: 'Billing Statement → Get Transactions', parameters: getBy('Billing Statement → Get Many', 'uuid', list('billingStatement', 'getTransactions')) },
			{ name: 'Billing Statement → Get Current', parameters: { resource: 'billingStatement', operation: 'getCurrent' } },
			{ name: 'Billing Statement → Get by Period', parameters: { resource: 'billingStatement', operation: 'getByPeriod', month: now.getUTCMonth() + 1, year: now.getUTCFullYear() } },
			{ name: 'Card → Get Many', parameters: list('card'), fields: ['uuid'] },
			{ name: 'Card → Get', parameters: getBy('Card → Get Many', 'uuid', { resource: 'card', operation: 'get' }) },
			{ name: 'User → Get Many', parameters: list('user'), fields: ['uuid'] },
			{ name: 'User → Get', parameters: getBy('User → Get Many', 'uuid', { resource: 'user', operation: 'get' }) },
			{ name: 'Group → Get Many', parameters: list('group'), fields: ['uuid'] },
			{ name: 'Group → Get', parameters: getBy('Group → Get Many', 'uuid', { resource: 'group', operation: 'get' }) },
			{ name: 'Location → Get Many', parameters: list('location'), fields: ['uuid'] },
			{ name: 'Location → Get', parameters: getBy('Location → Get Many', 'uuid', { resource: 'location', operation: 'get' }) },
			{ name: 'Reimbursement → Get Many', parameters: list('reimbursement') },
			{ name: 'Digital Account → Get Transactions', parameters: list('digitalAccount', 'getTransactions'), skip: onlyIn('br') },
		],
	},
	clevertap: {
		label: 'CleverTap',
		credentialType: 'cleverTapApi',
		node: () => new (built.node<typeof import('../nodes/CleverTap/CleverTap.node')>('CleverTap/CleverTap').CleverTap)(),
		credential: () => new (built.credential<typeof import('../credentials/CleverTapApi.credentials')>('CleverTapApi').CleverTapApi)(),
		test: 'cleverTapApiTest',
		checks: [
			{ name: 'Campaign → Get Many', parameters: () => list('campaign', 'getAll', { from: isoDaysAgo(30), to: isoDaysAgo(0) }), fields: ['id'] },
			{ name: 'Campaign → Get Report', parameters: getBy('Campaign → Get Many', 'id', { resource: 'campaign', operation: 'getReport' }, 'campaignId') },
			{ name: 'Message → Get Report', parameters: () => ({ resource: 'message', operation: 'getReport', from: isoDaysAgo(7), to: isoDaysAgo(0) }) },
			// App Launched: the event every app with CleverTap's SDK raises. Top Property Counts is left out: which
			// properties an account has cannot be known, and an unknown one is CleverTap's 400, not a drifted shape.
			{ name: 'Profile → Get Many', parameters: () => list('profile', 'getAll', { eventName: 'App Launched', from: isoDaysAgo(7), to: isoDaysAgo(0) }) },
			{ name: 'Event → Get Many', parameters: () => list('event', 'getAll', { eventName: 'App Launched', from: isoDaysAgo(7), to: isoDaysAgo(0) }) },
			{ name: 'Profile → Count', parameters: () => ({ resource: 'profile', operation: 'count', eventName: 'App Launched', from: isoDaysAgo(7), to: isoDaysAgo(0) }), fields: ['count'] },
			{ name: 'Event → Count', parameters: () => ({ resource: 'event', operation: 'count', eventName: 'App Launched', from: isoDaysAgo(7), to: isoDaysAgo(0) }), fields: ['count'] },
			{ name: 'Report → Get Real-Time Counts', parameters: { resource: 'report', operation: 'getRealTimeCounts' } },
			{ name: 'Report → Get Trends', parameters: () => ({ resource: 'report', operation: 'getTrends', eventName: 'App Launched', from: isoDaysAgo(7), to: isoDaysAgo(0), trendTypes: ['daily'] }) },
		],
	},
	claro: {
		label: 'Claro Face Match',
		credentialType: 'claroFaceMatchApi',
		node: () => new (built.node<typeof import('../nodes/ClaroFaceMatch/ClaroFaceMatch.node')>('ClaroFaceMatch/ClaroFaceMatch').ClaroFaceMatch)(),
		credential: () => new (built.credential<typeof import('../credentials/ClaroFaceMatchApi.credentials')>('ClaroFaceMatchApi').ClaroFaceMatchApi)(),
		test: 'claroFaceMatchApiTest',
		// Every check is billed: the token (what the credential test takes) is all this command asks of Claro.
		checks: [],
	},
	conferma: {
		label: 'Conferma Pay',
		credentialType: 'confermaPayApi',
		node: () => new (built.node<typeof import('../nodes/ConfermaPay/ConfermaPay.node')>('ConfermaPay/ConfermaPay').ConfermaPay)(),
		credential: () => new (built.credential<typeof import('../credentials/ConfermaPayApi.credentials')>('ConfermaPayApi').ConfermaPayApi)(),
		test: 'confermaPayApiTest',
		needsFlag: {
			flag: '--allow-new-conferma-token',
			why: 'this command cannot reuse the token your workflows hold, and a new Conferma token revokes every other token of the platform',
		},
		checks: [
			{ name: 'Deployment → Get Many', parameters: list('deployment'), fields: ['deploymentId'] },
			{ name: 'Deployment → Get', parameters: getBy('Deployment → Get Many', 'deploymentId', { resource: 'deployment', operation: 'get' }, 'deploymentId') },
			{ name: 'Invoice → Get Many', parameters: getBy('Deployment → Get Many', 'deploymentId', list('invoice'), 'deploymentId') },
		],
	},
};

/** The day the checks' date windows end: today, or `until` (the sandbox's data lies in January–March 2026). */
let windowEnd = () => Date.now();

function isoDaysAgo(days: number) {
	return new Date(windowEnd() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Quoted text in a message can be the vendor's words about your data: left out of the report. */
const scrub = (message: string) => message.replace(/"[^"]*"/g, '"…"');

export interface CheckResult {
	service: string;
	check: string;
	outcome: 'ok' | 'failed' | 'skipped';
	detail: string;
}

/** Runs the checks of every service that has credentials; returns one result per check. */
export async function contractCheck(credentials: Record<string, IDataObject>, options: { allow?: string[]; print?: (line: string) => void; until?: string } = {}): Promise<CheckResult[]> {
	const until = options.until ? Date.parse(`${options.until}T12:00:00Z`) : undefined;
	if (until !== undefined && Number.isNaN(until)) throw new Error(`--until must be a date as YYYY-MM-DD, not "${options.until}"`);
	windowEnd = () => until ?? Date.now();
	const results: CheckResult[] = [];
	const print = options.print ?? (() => undefined);
	const say = (r: CheckResult) => {
		results.push(r);
		print(`  ${r.outcome === 'ok' ? 'ok     ' : r.outcome === 'failed' ? 'FAILED ' : 'skipped'}  ${r.check.padEnd(38)} ${r.detail}`);
	};
	for (const service of Object.values(services)) {
		const values = credentials[service.credentialType];
		if (!values) continue;
		print(`\n${service.label}`);
		if (service.needsFlag && !options.allow?.includes(service.needsFlag.flag)) {
			say({ service: service.label, check: 'all checks', outcome: 'skipped', detail: `${service.needsFlag.why}; run with ${service.needsFlag.flag} to check anyway` });
			continue;
		}
		const node = service.node();
		const tester = (node.methods?.credentialTest as Record<string, Function> | undefined)?.[service.test];
		const tested = tester ? await tester.call({}, { id: 'contract-check', name: service.label, type: service.credentialType, data: values }) : { status: 'OK', message: 'no test' };
		say({ service: service.label, check: 'credential test', outcome: tested.status === 'OK' ? 'ok' : 'failed', detail: tested.status === 'OK' ? '' : scrub(String(tested.message)) });
		if (tested.status !== 'OK') continue;
		const earlier = new Map<string, IDataObject[]>();
		for (const check of service.checks) {
			const skip = check.skip?.(values);
			const parameters = skip ?? (typeof check.parameters === 'function' ? check.parameters(earlier) : check.parameters);
			if (typeof parameters === 'string') {
				say({ service: service.label, check: check.name, outcome: 'skipped', detail: parameters });
				continue;
			}
			const run = await runNode({ nodeType: service.node(), credentialTypes: [service.credential()], credentials: { [service.credentialType]: values }, parameters });
			if (run.error) {
				say({ service: service.label, check: check.name, outcome: 'failed', detail: scrub(run.error.message) });
				continue;
			}
			const items = run.items.map((i) => i.json);
			earlier.set(check.name, items);
			const missing = (check.fields ?? []).filter((f) => items.some((item) => item[f] === undefined || item[f] === null));
			const fields = [...new Set(items.flatMap((i) => Object.keys(i)))];
			say({
				service: service.label,
				check: check.name,
				outcome: missing.length ? 'failed' : 'ok',
				detail: missing.length
					? `answers lack ${missing.join(', ')}, which the nodes rely on (fields seen: ${fields.slice(0, 12).join(', ')})`
					: `${items.length} item${items.length === 1 ? '' : 's'}${fields.length ? `; fields: ${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', …' : ''}` : ''}`,
			});
		}
	}
	return results;
}

async function main() {
	const args = process.argv.slice(2);
	const file = args[args.indexOf('--credentials') + 1];
	let credentials: Record<string, IDataObject>;
	let close = async () => undefined as void;
	if (args.includes('--credentials') && file) {
		credentials = JSON.parse(readFileSync(file, 'utf8'));
		console.log(`Checking the services in ${file} (read operations only; nothing is printed but counts, field names and the nodes' messages)`);
	} else {
		const { startSandbox } = await import('../sandbox');
		const { claraCredentials, cleverTapCredentials, claroCredentials, confermaCredentials } = await import('../sandbox/credentials');
		// CleverTap's events on the days written, beside its campaigns (January–March 2026): one window finds both.
		const sandbox = await startSandbox({ clevertap: { fixedDates: true } });
		close = () => sandbox.close();
		credentials = {
			claraApi: claraCredentials(sandbox),
			cleverTapApi: cleverTapCredentials(sandbox),
			claroFaceMatchApi: claroCredentials(sandbox),
			confermaPayApi: confermaCredentials(sandbox),
		};
		console.log('Checking the built-in sandbox (pass --credentials <file> to check your accounts)');
		args.push(services.conferma.needsFlag!.flag);
		// The sandbox's CleverTap events and campaigns are in January–March 2026: a window ending today would find none
		// and check no field.
		if (!args.includes('--until')) args.push('--until', '2026-01-28');
	}
	const untilAt = args.indexOf('--until');
	try {
		const results = await contractCheck(credentials, { allow: args, print: (l) => console.log(l), until: untilAt >= 0 ? args[untilAt + 1] : undefined });
		const failed = results.filter((r) => r.outcome === 'failed');
		console.log(`\n${results.filter((r) => r.outcome === 'ok').length} ok, ${failed.length} failed, ${results.filter((r) => r.outcome === 'skipped').length} skipped`);
		if (failed.length) process.exitCode = 1;
	} finally {
		built.transport().closeAllAgents();
		await close();
	}
}

if (require.main === module) void main();
