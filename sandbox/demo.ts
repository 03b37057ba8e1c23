/**
 * `npm run demo`: runs real workflows with this package's nodes inside n8n's own engine (n8n-core) against the
 * local sandbox, and prints what came out. No vendor account, no n8n install.
 */
import 'reflect-metadata';
import type { IDataObject, INodeType, ICredentialType } from 'n8n-workflow';
import { startSandbox, type Sandbox } from './index';
import { runNode } from '../test/harness/n8n';
import { built } from './built';
import { claraCredentials, confermaCredentials } from './credentials';
import { cardAuthorisation } from './conferma';

// `npm run demo` builds first: the demo runs what n8n would load.
const { closeAllAgents } = built.transport();

type Section = (sandbox: Sandbox) => Promise<void>;

// Colour only for a person at a terminal: a file, a pipe or a dumb terminal gets plain text (https://no-color.org).
const colour = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (code: number) => (s: string) => (colour() ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint(1);
const dim = paint(2);

/** `text` in lines of at most `width` characters, broken between words (a word longer than a line stays whole). */
export function wrap(text: string, width = process.stdout.columns || 100, indent = '  '): string {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		const room = width - indent.length - (lines.length ? 2 : 0);
		if (line && line.length + 1 + word.length > room) {
			lines.push(line);
			line = word;
		} else line = line ? `${line} ${word}` : word;
	}
	lines.push(line);
	// Continuation lines sit two columns further in, so a message reads as one.
	return lines.map((l, i) => (i === 0 ? indent : `${indent}  `) + l).join('\n');
}

/** One message, in full. */
const say = (text: string) => console.log(wrap(text));

export function table(rows: IDataObject[], columns: string[]) {
	const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
	const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
	const line = (values: string[]) => ('  ' + values.map((v, i) => v.padEnd(widths[i])).join('  ')).trimEnd();
	console.log(line(columns));
	console.log(dim(line(widths.map((w) => '-'.repeat(w)))));
	for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}

export async function step(title: string, run: () => Promise<void>) {
	console.log(`\n${bold(wrap(title, undefined, ''))}`);
	try {
		await run();
	} catch (error) {
		say(`failed: ${(error as Error).message}`);
		process.exitCode = 1;
	}
}

export async function execute(nodeType: INodeType, credentialType: ICredentialType, credentials: IDataObject, parameters: IDataObject, options: { items?: IDataObject[]; continueOnFail?: boolean } = {}) {
	const result = await runNode({
		nodeType,
		credentialTypes: [credentialType],
		credentials: { [credentialType.name]: credentials },
		parameters,
		...options,
	});
	if (result.error) throw result.error;
	return result.items.map((i) => i.json);
}

/** A stay that has not started yet, whenever the demo runs. */
const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export const clara: Section = async (sandbox) => {
	const { Clara } = built.node<typeof import('../nodes/Clara/Clara.node')>('Clara/Clara');
	const { ClaraApi } = built.credential<typeof import('../credentials/ClaraApi.credentials')>('ClaraApi');
	const creds = claraCredentials(sandbox);

	const run = (parameters: IDataObject, items?: IDataObject[]) => execute(new Clara(), new ClaraApi(), creds, parameters, { items });

	await step('Clara — nightly transactions sync (Transaction → Get Many, Return All, OAuth 2.0 + mutual TLS)', async () => {
		sandbox.clara.resetCounters();
		const all = await run({ resource: 'transaction', operation: 'getAll', returnAll: true });
		const c = sandbox.clara.counters;
		say(`${all.length} transactions read in ${c.requests - c.tokenRequests} page requests, ${c.tokenRequests} token request, ${c.handshakes} TLS handshakes`);
		const byMerchant = new Map<string, { merchant: string; purchases: number; total: number; currency: string }>();
		for (const t of all) {
			const m = ((t.merchant as IDataObject)?.name as string) ?? '?';
			const amount = t.amountValue as IDataObject;
			const row = byMerchant.get(m) ?? { merchant: m, purchases: 0, total: 0, currency: String(amount?.currency ?? '') };
			row.purchases++;
			row.total += Number(amount?.value ?? 0);
			byMerchant.set(m, row);
		}
		const top = [...byMerchant.values()].sort((a, b) => b.total - a.total).slice(0, 5).map((r) => ({ ...r, total: r.total.toFixed(2) }));
		console.log('  top merchants:');
		table(top, ['merchant', 'purchases', 'total', 'currency']);
	});

	await step('Clara — 200 transactions looked up by uuid in one execution', async () => {
		sandbox.clara.resetCounters();
		const uuids = (sandbox.clara.data.transactions as IDataObject[]).slice(0, 200).map((t) => ({ uuid: t.uuid }));
		const got = await run({ resource: 'transaction', operation: 'get', uuid: '={{ $json.uuid }}' }, uuids);
		const c = sandbox.clara.counters;
		say(`${got.length} items → ${c.requests} requests over ${c.handshakes} pooled mTLS connections (n8n's own helpers would open ${got.length})`);
	});

	await step('Clara — a credential without the client certificate', async () => {
		const res = await runNode({
			nodeType: new Clara(),
			credentialTypes: [new ClaraApi()],
			credentials: { claraApi: { ...creds, publicCertificate: '', privateKey: '' } },
			parameters: { resource: 'card', operation: 'getAll', limit: 3 },
		});
		say(`error shown to the user: ${res.error?.message}`);
		console.log(dim(wrap(String((res.error as { description?: string })?.description ?? ''))));
	});
};

export const claro: Section = async (sandbox) => {
	const { ClaroFaceMatch } = built.node<typeof import('../nodes/ClaroFaceMatch/ClaroFaceMatch.node')>('ClaroFaceMatch/ClaroFaceMatch');
	const { ClaroFaceMatchApi } = built.credential<typeof import('../credentials/ClaroFaceMatchApi.credentials')>('ClaroFaceMatchApi');
	const creds = { environment: 'production', key: sandbox.claro.key, secret: sandbox.claro.secret, baseUrl: sandbox.claro.url, caCertificate: sandbox.certs.ca.cert };
	await step('Claro Face Match — a batch of signups from a webhook (one is a repeat, one CPF is mistyped)', async () => {
		sandbox.claro.resetCounters();
		const signups = [
			{ name: 'Ana', cpf: '111.444.777-35' },
			{ name: 'Bruno', cpf: '222.333.666-38' },
			{ name: 'Carla', cpf: '123.456.789-09' },
			{ name: 'Ana again', cpf: '11144477735' },
			{ name: 'Diego', cpf: '123.456.789-00' },
		];
		const out = await execute(new ClaroFaceMatch(), new ClaroFaceMatchApi(), creds, { resource: 'facialBiometrics', operation: 'check', cpf: '={{ $json.cpf }}', options: {} }, { items: signups, continueOnFail: true });
		table(
			out.map((o, i) => ({ signup: signups[i].name, cpf: o.cpf ?? '', found: o.found ?? '', biohashes: Array.isArray(o.biohashs) ? o.biohashs.length : '', error: o.error ? 'below' : '' })),
			['signup', 'cpf', 'found', 'biohashes', 'error'],
		);
		out.forEach((o, i) => o.error && say(`${signups[i].name}: ${String(o.error)}`));
		const c = sandbox.claro.counters.custom;
		say(`${signups.length} signups → ${c.checks ?? 0} checks sent to Claro (${c.billedAnswers ?? 0} billed), 1 token; the mistyped CPF cost nothing`);
	});
};

export const clevertap: Section = async (sandbox) => {
	const { CleverTap } = built.node<typeof import('../nodes/CleverTap/CleverTap.node')>('CleverTap/CleverTap');
	const { CleverTapApi } = built.credential<typeof import('../credentials/CleverTapApi.credentials')>('CleverTapApi');
	const ct = sandbox.clevertap;
	const creds = { accountId: ct.accountId, passcode: ct.passcode, region: ct.region, baseUrl: `${ct.url}/{region}`, caCertificate: sandbox.certs.ca.cert };
	await step('CleverTap — onboarding events pushed for 1,200 signups (uploads of ≤ 1000 records, rejections mapped back)', async () => {
		ct.resetCounters();
		// The sandbox refuses records of identities in this set, as CleverTap refuses malformed ones.
		const injected = ['user-7', 'user-1042'];
		for (const identity of injected) ct.rejectIdentities.add(identity);
		const users = Array.from({ length: 1200 }, (_, i) => ({ identity: `user-${i}`, plan: i % 3 ? 'free' : 'pro' }));
		const out = await execute(
			new CleverTap(),
			new CleverTapApi(),
			creds,
			{ resource: 'event', operation: 'upload', identifyBy: 'identity', identifier: '={{ $json.identity }}', eventName: 'Onboarded', eventData: '={{ { plan: $json.plan } }}' },
			{ items: users, continueOnFail: true },
		);
		const errors = out.filter((o) => o.error);
		const c = ct.counters.custom;
		say(`${users.length} items → ${c.uploadCalls ?? 0} upload calls, ${out.length - errors.length} accepted, ${errors.length} refused`);
		if (errors.length) say(`The refusals below are injected by the sandbox (it refuses ${injected.join(' and ')} on purpose, to show a refusal mapped back to its item); they are not an outage:`);
		for (const e of errors) say(`item ${out.indexOf(e)} refused (injected): ${String(e.error)}`);
	});
	await step('CleverTap — 5 workflows reading profiles at once, under the account limit of 3 concurrent requests', async () => {
		ct.resetCounters();
		ct.workMs = 10;
		const ids = [...ct.profiles.keys()].slice(0, 20).map((id) => ({ id }));
		await Promise.all(
			Array.from({ length: 5 }, () =>
				execute(new CleverTap(), new CleverTapApi(), creds, { resource: 'profile', operation: 'get', findBy: 'identity', value: '={{ $json.id }}' }, { items: ids }),
			),
		);
		say(`${ct.counters.custom.reads ?? 0} reads, at most ${ct.peak.read} in flight at CleverTap, ${ct.counters.custom.http429 ?? 0} answers of 429`);
		ct.workMs = 0;
	});
};


export const conferma: Section = async (sandbox) => {
	const { ConfermaPay } = built.node<typeof import('../nodes/ConfermaPay/ConfermaPay.node')>('ConfermaPay/ConfermaPay');
	const { ConfermaPayTrigger } = built.node<typeof import('../nodes/ConfermaPay/ConfermaPayTrigger.node')>('ConfermaPay/ConfermaPayTrigger');
	const { ConfermaPayApi } = built.credential<typeof import('../credentials/ConfermaPayApi.credentials')>('ConfermaPayApi');
	const c = sandbox.conferma;
	const run = (parameters: IDataObject, items?: IDataObject[]) => execute(new ConfermaPay(), new ConfermaPayApi(), confermaCredentials(sandbox), parameters, { items, continueOnFail: true });
	await step('Conferma Pay — virtual cards for three hotel bookings (Create, reusing a deployment whose booking already has one)', async () => {
		c.resetCounters();
		const bookings = [{ ref: 'BOOKING-00002', amount: 180 }, { ref: 'HOTEL-7781', amount: 420.5 }, { ref: 'HOTEL-7782', amount: 0 }];
		const out = await run(
			{
				resource: 'deployment',
				operation: 'create',
				clientAccountCodeType: 'CLIENTID',
				clientAccountCodeValue: '1234',
				amount: '={{ $json.amount }}',
				currencyCode: 'GBP',
				startDate: daysFromNow(7),
				endDate: daysFromNow(11),
				supplierName: 'Sandbox Hotel London',
				consumerReference: '={{ $json.ref }}',
				additionalFields: { spendType: 'Hotel' },
				options: { reuseExisting: true },
			},
			bookings,
		);
		table(
			out.map((o, i) => ({ booking: bookings[i].ref, deployment: o.deploymentId ?? '', card: (o.cardDetails as IDataObject | undefined)?.number ?? '', reused: o.alreadyExisted ?? '', error: o.error ? 'below' : '' })),
			['booking', 'deployment', 'card', 'reused', 'error'],
		);
		out.forEach((o, i) => o.error && say(`${bookings[i].ref}: ${String(o.error)}`));
		say(`${out.filter((o) => o.deploymentId && !o.alreadyExisted).length} card created, 1 reused, 1 refused before sending, with the field named; ${c.counters.tokenRequests} token request`);
	});
	await step('Conferma Pay — 20 workflows reading deployments at once (a new Conferma token revokes all others)', async () => {
		c.resetCounters();
		const ids = [...c.deployments.keys()].slice(0, 25).map((id) => ({ id }));
		const runs = await Promise.all(Array.from({ length: 20 }, () => run({ resource: 'deployment', operation: 'get', deploymentId: '={{ $json.id }}' }, ids)));
		const failed = runs.flat().filter((o) => o.error).length;
		say(`${runs.flat().length} items, ${failed} failed; ${c.counters.tokenRequests} new token requests (the one above is still valid and shared), ${c.counters.custom.http401 ?? 0} answers of 401`);
	});
	await step('Conferma Pay Trigger — a card is used at a hotel (event 98) and another event arrives', async () => {
		const { callWebhook } = await import('../test/harness/n8n');
		for (const notification of [cardAuthorisation(100001), cardAuthorisation(100001, { notificationEventType: { id: 12, name: 'Other' } })]) {
			const { result } = await callWebhook({ nodeType: new ConfermaPayTrigger(), parameters: { events: ['98'], otherEventIds: '', options: {} }, request: { body: notification } });
			const started = result.workflowData?.[0]?.length ? 'started the workflow' : `ignored (${(result.webhookResponse as IDataObject)?.ignored})`;
			say(`event ${notification.notificationEventType.id} (${notification.notificationEventType.name}): ${started}`);
		}
	});
};

/** Each service adds its section here. */
export const sections: Section[] = [clara, claro, clevertap, conferma];

async function main() {
	console.log(bold(wrap('Starting the sandbox: local emulators over HTTPS/mTLS on 127.0.0.1 (no vendor account needed)', undefined, '')));
	const sandbox = await startSandbox();
	try {
		for (const section of sections) await section(sandbox);
	} finally {
		await closeAllAgents();
		await sandbox.close();
	}
	console.log(`\n${bold('Done.')} ${wrap('The same nodes run in the real n8n app: see README → "Install in n8n".', undefined, '').trim()}`);
	// n8n-core keeps timers alive after a run; the demo is over.
	process.exit(process.exitCode ?? 0);
}

if (require.main === module) void main();
