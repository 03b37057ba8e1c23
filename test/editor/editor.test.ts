/**
 * `npm run test:editor`: n8n's editor as a person first uses it, in a real browser (Debian's Chromium driven by
 * playwright-core), on each n8n version of EDITOR_N8N_VERSIONS (the newest supported and 2.8.4 by default), with
 * the packed package installed and the sandbox behind every credential:
 *   log in → create each of the four credentials by typing and pasting (clipboard, Ctrl+V) the sandbox's PEM
 *   files, and its test passes in the dialog → open each example and click "Execute workflow": it runs from Try
 *   It and shows the expected items → search the nodes panel for each service → open each node's parameters.
 * Every step asserts on what the page shows (no raw option values or internal names as labels, no error banner)
 * and saves a screenshot into test-results/editor/<version>/, which CI keeps. On the newest version (the first of
 * EDITOR_N8N_VERSIONS) the package arrives as a person installs it: Settings → Community Nodes → Install, from a
 * registry (scripts/n8n/registry.ts says how n8n reaches it), and the suite ends by uninstalling it there; on the
 * others it is installed into the nodes folder beforehand (install-package.sh). EDITOR_README_SCREENSHOTS=1 also
 * copies three of them into docs/screenshots/ for the README (`npm run screenshots`).
 */
import type { ChildProcess } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import type { ICredentialType, INodeProperties, INodePropertyOptions, INodeType } from 'n8n-workflow';
import type { Page } from 'playwright-core';
import { parse as unflatten } from 'flatted';
import { startSandbox, type Sandbox } from '../../sandbox';
import { sweepNow } from '../helpers/sweep';
import * as app from '../../scripts/n8n/app';
import { pathWith, startRegistry, type Registry } from '../../scripts/n8n/registry';
import { errorBanners, openBrowser, paste, SCREENSHOTS, type Browser } from './browser';
import { looksRaw, rawOnScreen, rawTokens } from './labels';

jest.setTimeout(300_000);

const VERSIONS = (process.env.EDITOR_N8N_VERSIONS ?? '2.41.1 2.8.4').split(/[\s,]+/).filter(Boolean);
const README_SHOTS = process.env.EDITOR_README_SCREENSHOTS === '1' ? resolve(__dirname, '..', '..', 'docs', 'screenshots') : undefined;

// What the editor loads is the built package in dist/ (packed and installed); these are the same classes.
/* eslint-disable @typescript-eslint/no-require-imports */
const load = <T>(path: string, name: string): T => new (require(resolve(__dirname, '..', '..', 'dist', path)))[name]();
const NODES: Record<string, INodeType> = {
	clara: load('nodes/Clara/Clara.node.js', 'Clara'),
	claraTrigger: load('nodes/Clara/ClaraTrigger.node.js', 'ClaraTrigger'),
	claroFaceMatch: load('nodes/ClaroFaceMatch/ClaroFaceMatch.node.js', 'ClaroFaceMatch'),
	cleverTap: load('nodes/CleverTap/CleverTap.node.js', 'CleverTap'),
	confermaPay: load('nodes/ConfermaPay/ConfermaPay.node.js', 'ConfermaPay'),
	confermaPayTrigger: load('nodes/ConfermaPay/ConfermaPayTrigger.node.js', 'ConfermaPayTrigger'),
};
const CREDENTIALS: Record<string, ICredentialType> = {
	claraApi: load('credentials/ClaraApi.credentials.js', 'ClaraApi'),
	claroFaceMatchApi: load('credentials/ClaroFaceMatchApi.credentials.js', 'ClaroFaceMatchApi'),
	cleverTapApi: load('credentials/CleverTapApi.credentials.js', 'CleverTapApi'),
	confermaPayApi: load('credentials/ConfermaPayApi.credentials.js', 'ConfermaPayApi'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every raw token of every description. A dialog or parameter panel of ours shows none of them. */
const RAW = new Set([...Object.values(NODES), ...Object.values(CREDENTIALS)].flatMap((d) => [...rawTokens('description' in d ? d.description : d)]));
/** The ones that read as code ("getAll", "operationDate,ASC", "getAll: transaction"): on no screen at all, data included. */
const CODE = new Set([...RAW].filter((t) => looksRaw(t) || t.includes(': ')));

/** What the page shows as text, line by line, plus the value of every input (a select shows its label there). */
async function screenTexts(page: Page, scope = 'body'): Promise<string[]> {
	const root = page.locator(scope).first();
	const lines = (await root.innerText()).split('\n');
	const values = await root.locator('input:visible').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
	return [...lines, ...values].map((t) => t.trim()).filter(Boolean);
}

/**
 * No error banner, and no raw token: of any kind inside our own dialogs and parameter panels (`ours`), of the
 * code-like kind anywhere else (a canvas or an output panel also shows the user's data, where "test" is a word).
 */
async function expectReadable(page: Page, scope = 'body', ours = false) {
	expect(rawOnScreen(await screenTexts(page, scope), ours ? RAW : CODE)).toEqual([]);
	expect(await errorBanners(page)).toEqual([]);
}

/** A count as the canvas writes it on a connection. */
const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;

describe.each(VERSIONS)('n8n %s editor in Chromium', (version) => {
	let sandbox: Sandbox;
	let scratch: string;
	let n8n: ChildProcess & { output: string[] };
	let base: string;
	let rest: app.Rest;
	let browser: Browser;
	let page: Page;
	let home: string;
	let registry: Registry | undefined;
	/** Through the UI on the newest version only: the npm wrapper must come first on n8n's PATH, which a Node 24 from
	 * npm (no npm of its own) allows; 2.8.4 runs on the machine's Node, whose folder holds the machine's npm. */
	const viaUi = version === VERSIONS[0] && !version.startsWith('2.8.');
	const uiTest = viaUi ? test : test.skip;
	const pemFiles: Record<string, string> = {};
	/** How each multi-line paste arrived, per field (written next to the screenshots). */
	const pastes: Array<Record<string, unknown>> = [];

	beforeAll(async () => {
		const bin = app.n8nBinary(version);
		scratch = mkdtempSync(join(tmpdir(), `test-editor-${version}-`));
		home = join(scratch, 'home');
		if (viaUi) registry = await startRegistry(app.packPackage(scratch), scratch);
		else app.installPackage(home, app.packPackage(scratch));
		sandbox = await startSandbox();
		// The files a person pastes from, as `npm run sandbox` writes them.
		for (const [file, text] of [['ca.crt', sandbox.certs.ca.cert], ['client.crt', sandbox.certs.client.cert], ['client.key', sandbox.certs.client.key]]) {
			pemFiles[file] = join(scratch, file);
			writeFileSync(pemFiles[file], text, { mode: 0o600 });
		}
		const [port, brokerPort] = await app.freePorts(2);
		// 2.41 looks up an MCP registry online at start; 2.8 has no such module and refuses the setting.
		// The onboarding assistant's OpenAI Chat Model talks to the sandbox's scripted model: n8n must trust the sandbox CA.
		const env = app.n8nEnv(home, port, brokerPort, {
			...app.trustSandbox(sandbox, scratch),
			...(version.startsWith('2.8.') ? {} : { N8N_DISABLED_MODULES: 'mcp-registry' }),
			...(registry ? { PATH: pathWith(registry) } : {}),
		});
		await app.importSandboxSetup(bin, env, sandbox, scratch);
		// One node of each type as the nodes panel adds it (default parameters), to open each one's parameters.
		const everyNode = join(scratch, 'every-node.json');
		writeFileSync(everyNode, JSON.stringify(everyNodeWorkflow()));
		await app.n8nCli(bin, env, ['import:workflow', `--input=${everyNode}`]);
		n8n = app.startN8n(bin, env);
		base = `http://127.0.0.1:${port}`;
		await app.waitFor('n8n answering', async () => (await fetch(`${base}/rest/settings`)).ok, 240_000, n8n);
		rest = new app.Rest(base);
		// The owner's account (a person's first visit sets it up); REST routes come up a little after /rest/settings.
		await app.waitFor('the owner account', async () => (await rest.login(), true), 60_000, n8n);
		browser = await openBrowser(base, version);
		page = browser.page;
	}, 900_000);

	afterAll(async () => {
		if (pastes.length) writeFileSync(join(SCREENSHOTS, version, 'pastes.json'), JSON.stringify(pastes, null, 1));
		await browser?.close();
		// This version's n8n folder, log and output, before they are deleted below (the sweep stops n8n first).
		await sweepNow();
		if (n8n) await app.stopChild(n8n);
		await sandbox?.close();
		await registry?.close();
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	});

	test('log in: the owner signs in and sees the imported examples', async () => {
		await page.goto(`${base}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(app.Rest.owner.email);
		await page.locator('input[name="password"]').fill(app.Rest.owner.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL(/\/home\//);
		for (const name of ['Signup → Claro Face Match → CleverTap onboarding event', 'Clara: nightly transactions sync (Return All)']) {
			await page.getByText(name).first().waitFor();
		}
		await browser.step('signed in');
		await expectReadable(page);
	});

	/** The package as n8n's REST API lists it under Settings → Community Nodes, and what is in the nodes folder. */
	async function installedState() {
		const packages = await rest.call<Array<{ packageName: string; installedVersion: string; installedNodes: Array<{ type: string }> }>>('GET', '/rest/community-packages');
		const nodes = join(home, '.n8n', 'nodes');
		const folder = existsSync(join(nodes, 'node_modules')) ? readdirSync(join(nodes, 'node_modules')).filter((f) => !f.startsWith('.')) : [];
		const dependencies = existsSync(join(nodes, 'package.json')) ? Object.keys(JSON.parse(readFileSync(join(nodes, 'package.json'), 'utf8')).dependencies ?? {}) : [];
		return { packages, folder, dependencies };
	}

	uiTest('Settings → Community Nodes → Install: the package installs from the registry, no restart, its nodes registered', async () => {
		expect(await installedState()).toEqual({ packages: [], folder: [], dependencies: [] });
		await page.goto(`${base}/settings/community-nodes`);
		const install = page.getByRole('button', { name: 'Install a community node' });
		await install.waitFor({ timeout: 60_000 });
		await browser.step('community nodes settings');
		await install.click();
		const modal = page.getByRole('dialog');
		await modal.locator('input').first().fill(app.PACKAGE);
		await modal.locator('[data-test-id="user-agreement-checkbox"]').click();
		await browser.step('community node install dialog');
		await modal.locator('[data-test-id="install-community-package-button"]').click();
		await app.waitFor('the package in the list', async () => (await installedState()).packages.length > 0, 180_000, n8n);
		await page.getByText(app.PACKAGE).first().waitFor();
		await modal.waitFor({ state: 'hidden' });
		await browser.step('community node installed');
		const state = await installedState();
		expect(state.packages.map((p) => [p.packageName, p.installedVersion])).toEqual([[app.PACKAGE, registry!.version]]);
		expect(state.packages[0].installedNodes.length).toBe(Object.keys(NODES).length + 1); // + the Clara Webhook Trigger
		expect(state.folder).toEqual([app.PACKAGE]);
		expect(state.dependencies).toEqual([app.PACKAGE]);
		expect(registry!.served.filter((p) => p.endsWith('.tgz'))).toHaveLength(1);
		expect(await errorBanners(page)).toEqual([]);
	});

	/** What a person types or pastes into each field of a credential, in the dialog's order. */
	const fill: Record<string, () => Record<string, string>> = {
		claraApi: () => ({
			environment: 'sandbox',
			country: 'mx',
			clientId: sandbox.clara.clientId,
			clientSecret: sandbox.clara.clientSecret,
			publicCertificate: readFileSync(pemFiles['client.crt'], 'utf8'),
			privateKey: readFileSync(pemFiles['client.key'], 'utf8'),
			caPublicCertificate: readFileSync(pemFiles['ca.crt'], 'utf8'),
			baseUrl: `${sandbox.clara.url}/{country}`,
		}),
		claroFaceMatchApi: () => ({
			environment: 'sandbox',
			key: sandbox.claro.key,
			secret: sandbox.claro.secret,
			baseUrl: sandbox.claro.url,
			caCertificate: readFileSync(pemFiles['ca.crt'], 'utf8'),
		}),
		cleverTapApi: () => ({
			accountId: sandbox.clevertap.accountId,
			passcode: sandbox.clevertap.passcode,
			region: sandbox.clevertap.region,
			baseUrl: `${sandbox.clevertap.url}/{region}`,
			caCertificate: readFileSync(pemFiles['ca.crt'], 'utf8'),
		}),
		confermaPayApi: () => ({
			environment: 'cert',
			clientId: sandbox.conferma.clientId,
			clientSecret: sandbox.conferma.clientSecret,
			platformKeyName: sandbox.conferma.platformKeyName,
			baseUrl: sandbox.conferma.url,
			tokenUrl: `${sandbox.conferma.url}/token`,
			caCertificate: readFileSync(pemFiles['ca.crt'], 'utf8'),
		}),
	};

	test.each(Object.keys(CREDENTIALS))('create the %s credential by typing and pasting; its test passes in the dialog', async (type) => {
		const credential = CREDENTIALS[type];
		await page.goto(`${base}/home/credentials`);
		await page.getByRole('button', { name: 'Create credential' }).first().click();
		await page.getByPlaceholder(/Search for app/).fill(credential.displayName);
		await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${credential.displayName}$`) }).click();
		await page.getByRole('button', { name: 'Continue' }).click();
		const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
		await dialog.waitFor();
		const values = fill[type]();
		for (const property of credential.properties as INodeProperties[]) {
			const value = values[property.name];
			if (value === undefined) continue;
			const field = dialog.locator(`[data-test-id="parameter-input-${property.name}"]`);
			if (property.type === 'options') {
				const label = (property.options as INodePropertyOptions[]).find((o) => o.value === value)!.name;
				await field.click();
				await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
				await expect(await field.locator('input').inputValue()).toBe(label);
			} else if (property.typeOptions?.password || property.typeOptions?.rows) {
				// Secrets and PEM files (masked or shown) are pasted, as a person copies them from a file or a vault.
				const input = field.locator('input, textarea').first();
				await paste(page, input, value);
				// What the field kept: all of it, or all of it with its line breaks dropped or turned into spaces (a one-line
				// input: Chromium does either, by n8n version) — never a character more or less than whitespace.
				const kept = await input.inputValue();
				expect(kept.replace(/\s+/g, '')).toBe(value.replace(/\s+/g, ''));
				if (!property.typeOptions?.password) {
					// A public PEM (Clara's certificates) is shown as pasted, line breaks and all, for a person to check.
					expect([property.name, await input.evaluate((e) => e.tagName.toLowerCase()), kept.trim()]).toEqual([property.name, 'textarea', value.trim()]);
				}
				if (value.includes('\n')) pastes.push({ credential: type, field: property.name, element: await input.evaluate((e) => e.tagName.toLowerCase()), lineBreaksKept: (kept.match(/\n/g) ?? []).length });
			} else {
				const input = field.locator('input, textarea').first();
				await input.click();
				await page.keyboard.type(value);
				expect(await input.inputValue()).toBe(value);
				// A person leaves the field before saving. On 2.8.4 a Save clicked while the last typed field still had the
				// focus stored only its first character (Clara's base URL "h"; the field itself showed all of it).
				await input.press('Tab');
			}
		}
		await browser.step(`${type} filled in`);
		await page.locator('[data-test-id="credential-save-button"]').click();
		await dialog.getByText(/Connection tested successfully|Couldn.t connect with these settings/).first().waitFor({ timeout: 60_000 });
		const shot = await browser.step(`${type} saved and tested`);
		let said = await dialog.innerText();
		if (/Couldn.t connect/.test(said)) {
			// What n8n shows behind "More details" is the credential test's own message: put it in the failure.
			await dialog.getByText('More details').first().click().catch(() => undefined);
			said = `${said}\n${await dialog.innerText()}`;
		}
		expect(said).toMatch(/Connection tested successfully/);
		expect(said).not.toMatch(/Couldn.t connect|redacted/);
		await expectReadable(page, '[data-test-id="credential-edit-dialog"]', true);
		if (README_SHOTS && type === 'claraApi') copyReadme(shot, 'clara-credential-tested.png');
		await page.keyboard.press('Escape');
	});

	/** Each example, what Execute workflow must show: items per connection, and text in an output panel. */
	const examples = () => {
		const since = app.n8nDate(3);
		const recent = sandbox.clara.data.transactions.filter((t) => String(t.operationDate).slice(0, 10) >= since);
		const active = [...sandbox.conferma.deployments.values()].filter((d) => d.status === 'Deployed');
		const q1 = sandbox.clevertap.campaigns.filter((c) => {
			const day = Math.floor(Number(c.scheduled_on) / 10_000);
			return day >= 20260101 && day <= 20260331;
		});
		return [
			{
				id: 'exSignupFaceMatch',
				edges: {
					'One Item per Signup → Signup': items(3),
					'Signup → Check Face Match': items(3),
					'Check Face Match → Found?': items(2),
					'Check Face Match → Respond Invalid CPF': items(1),
					'Found? → Onboarding Event to CleverTap': items(1),
					'Found? → Respond Not Found': items(1),
					'Onboarding Event to CleverTap → Respond Verified': items(1),
				},
				output: { node: 'Onboarding Event to CleverTap', shows: ['ana@example.com', 'Face Match Verified'] },
			},
			{
				id: 'exClaraNightlySync',
				edges: { 'Transactions of the Last 3 Days → Rows to Store': items(recent.length), 'Rows to Store → Totals by Status': items(recent.length) },
				output: { node: 'Totals by Status', shows: [...new Set(recent.map((t) => String((t.status as { code: string }).code)))] },
			},
			{
				id: 'exClaraTriggerNotify',
				edges: { 'Try It → Latest 3 Transactions': items(1), 'Latest 3 Transactions → Notify via CleverTap': items(3) },
				output: { node: 'Notify via CleverTap', shows: ['Card Transaction'] },
			},
			{
				id: 'exConfermaReport',
				edges: { 'Deployed Cards → Report Rows': items(active.length) },
				output: { node: 'Totals by Account and Currency', shows: [String((active[0].deploymentAmount as { currencyCode: string }).currencyCode)] },
			},
			{
				id: 'exCleverTapCampaigns',
				edges: { 'Campaigns in the Period → Campaign Results': items(q1.length), 'Campaign Results → Report Rows': items(q1.length) },
				output: { node: 'Report Rows', shows: [String(q1[0].name)] },
			},
		];
	};

	const openWorkflow = async (id: string) => {
		await page.goto(`${base}/workflow/${id}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor();
	};
	const edgeLabel = (from: string, to: string) => page.locator(`[data-test-id="edge-label"][data-source-node-name="${from}"][data-target-node-name="${to}"]`);

	// Every example in examples/, also ones added later: each must start at Try It. Those known here show their items.
	test.each(exampleIds())(
		'example %s: Execute workflow runs it from Try It and shows the expected items',
		async (id) => {
			const example = examples().find((e) => e.id === id);
			const triggers = exampleFile(id).nodes.filter((n) => /Trigger$/.test(n.type) || n.type === 'n8n-nodes-base.webhook');
			const start = triggers.find((n) => n.type === 'n8n-nodes-base.manualTrigger' && !n.disabled)!.name;
			const real = triggers.map((n) => n.name).filter((n) => n !== start);
			await openWorkflow(id);
			const button = page.locator('[data-test-id="execute-workflow-button"]');
			// The button names the trigger it starts from when there are several to choose from: never a real one.
			for (const name of real) expect(await button.innerText()).not.toContain(name);
			// Each node of ours is subtitled with its action, as the nodes panel names it (tools hang below an agent, untitled).
			for (const node of exampleFile(id).nodes.filter((n) => n.type.startsWith(`${app.PACKAGE}.`) && !n.type.endsWith('Tool') && n.parameters.operation)) {
				const type = NODES[node.type.slice(app.PACKAGE.length + 1)];
				const operations = type.description.properties.filter((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as string[]).includes(node.parameters.resource as string));
				const action = (operations[0].options as INodePropertyOptions[]).find((o) => o.value === node.parameters.operation)!.action!;
				expect(await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).innerText()).toContain(action);
			}
			await browser.step(`${id} opened`);
			const before = new Set((await executions(id)).map((e) => e.id));
			await button.click();
			await app.waitFor(`an execution of ${id}`, async () => (await executions(id)).some((e) => !before.has(e.id) && e.finished), 120_000, n8n);
			const run = await latest(id);
			expect(run.status).toBe('success');
			const ran = Object.keys(run.runData);
			expect(ran).toContain(start);
			for (const name of real) expect(ran).not.toContain(name);
			// On the canvas: the connections out of Try It carry items, and none out of a real trigger.
			const fromStart = page.locator(`[data-test-id="edge-label"][data-source-node-name="${start}"]`);
			await app.waitFor(`items on the connection out of ${start}`, async () => /\d+ items?/.test(await fromStart.first().innerText()), 15_000);
			for (const name of real) expect(await page.locator(`[data-test-id="edge-label"][data-source-node-name="${name}"][data-edge-status]`).count()).toBe(0);
			if (!example) {
				await browser.step(`${id} executed`);
				await expectReadable(page);
				return;
			}
			for (const [edge, label] of Object.entries(example.edges)) {
				const [from, to] = edge.split(' → ');
				await app.waitFor(`"${label}" on ${edge}`, async () => (await edgeLabel(from, to).innerText()).trim() === label, 15_000);
			}
			const shot = await browser.step(`${id} executed`);
			if (README_SHOTS && id === 'exSignupFaceMatch') copyReadme(shot, 'signup-example-executed.png');
			await expectReadable(page);
			// The output a person opens to look at.
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${example.output.node}"]`).dblclick();
			const output = page.locator('[data-test-id="output-panel"]');
			await output.waitFor();
			for (const text of example.output.shows) await output.getByText(text).first().waitFor();
			await browser.step(`${id} output of ${example.output.node}`);
			await expectReadable(page, '[data-test-id="ndv"]');
			await page.keyboard.press('Escape');
		},
	);

	test.each(['Clara', 'Claro Face Match', 'CleverTap', 'Conferma Pay'])('the nodes panel finds %s and lists its actions by name', async (service) => {
		await openWorkflow('exClaraNightlySync');
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
		await page.keyboard.type(service);
		const item = page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^${service}$`) }).first();
		await item.waitFor();
		await browser.step(`nodes panel search ${service}`);
		await expectReadable(page, '[data-test-id="node-creator"]');
		await item.click();
		const node = Object.values(NODES).find((n) => n.description.displayName === service)!;
		const actions = node.description.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => o.action!))
			.filter(Boolean);
		const panel = page.locator('[data-test-id="node-creator"]');
		for (const action of new Set(actions)) await panel.getByText(action, { exact: true }).first().waitFor();
		await browser.step(`nodes panel ${service} actions`);
		await expectReadable(page, '[data-test-id="node-creator"]');
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
	});

	test.each(Object.keys(NODES))('the %s node: its parameters read as words', async (name) => {
		await openWorkflow('edEveryNode');
		const node = NODES[name];
		await page.locator(`[data-test-id="canvas-node"][data-node-type="${app.PACKAGE}.${name}"]`).dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.locator('[data-test-id="node-parameters"]').waitFor();
		await ndv.getByText(node.description.properties.find((p) => p.type !== 'notice')!.displayName).first().waitFor();
		await browser.step(`${name} parameters`);
		await expectReadable(page, '[data-test-id="node-parameters"]', true);
		await expectReadable(page, '[data-test-id="ndv"]');
		await page.keyboard.press('Escape');
	});

	test('the canvas shows each node of ours by its action (no "getAll: transaction"), and Clara sorts by words', async () => {
		await openWorkflow('exClaraNightlySync');
		const subtitle = await page.locator('[data-test-id="canvas-node"][data-node-name="Transactions of the Last 3 Days"]').innerText();
		expect(subtitle).toContain('Get many transactions');
		await page.locator('[data-test-id="canvas-node"][data-node-name="Transactions of the Last 3 Days"]').dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.locator('[data-test-id="node-parameters"]').waitFor();
		const texts = await screenTexts(page, '[data-test-id="ndv"]');
		expect(texts).toContain('Operation Date, Oldest First');
		const shot = await browser.step('clara sort option');
		if (README_SHOTS) copyReadme(shot, 'clara-node-parameters.png');
		await expectReadable(page, '[data-test-id="node-parameters"]', true);
		await page.keyboard.press('Escape');
	});

	// Last: everything above ran with the package this test removes.
	uiTest('Settings → Community Nodes → Uninstall leaves nothing: no package, no files, no dependency entry', async () => {
		await page.goto(`${base}/settings/community-nodes`);
		await page.getByText(app.PACKAGE).first().waitFor();
		await page.locator('[data-test-id="action-toggle"]').first().click();
		await page.locator('[data-test-id="action-uninstall"]').first().click();
		await page.getByRole('dialog').getByRole('button', { name: /uninstall/i }).click();
		await app.waitFor('the package gone from the list', async () => (await installedState()).packages.length === 0, 60_000, n8n);
		await page.getByText(app.PACKAGE).first().waitFor({ state: 'detached' });
		await browser.step('community node uninstalled');
		expect(await installedState()).toEqual({ packages: [], folder: [], dependencies: [] });
	});

	/** The workflow's executions, newest first, as the editor's Executions tab lists them. */
	async function executions(workflowId: string) {
		const list = await rest.call<{ results?: Array<{ id: string; status: string; stoppedAt?: string }> }>(
			'GET',
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`,
		);
		return (list.results ?? []).map((e) => ({ id: String(e.id), finished: Boolean(e.stoppedAt) || ['success', 'error', 'crashed'].includes(e.status) }));
	}

	/** The newest execution of a workflow: its status and which nodes ran. */
	async function latest(workflowId: string) {
		const [newest] = await executions(workflowId);
		const full = await rest.call<{ status: string; data: string }>('GET', `/rest/executions/${newest.id}`);
		const data = unflatten(full.data) as { resultData: { runData: Record<string, unknown> } };
		return { status: full.status, runData: data.resultData.runData };
	}
});

function exampleIds(): string[] {
	return readdirSync(app.EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.map((f) => JSON.parse(readFileSync(join(app.EXAMPLES, f), 'utf8')).id as string);
}

function exampleFile(id: string): { nodes: Array<{ name: string; type: string; disabled?: boolean; parameters: Record<string, unknown> }> } {
	const file = readdirSync(app.EXAMPLES).find((f) => JSON.parse(readFileSync(join(app.EXAMPLES, f), 'utf8')).id === id)!;
	return JSON.parse(readFileSync(join(app.EXAMPLES, file), 'utf8'));
}

function everyNodeWorkflow() {
	const nodes = Object.entries(NODES).map(([name, type], i) => ({
		id: `ed000000-0000-4000-8000-00000000000${i}`,
		name: type.description.defaults.name,
		type: `${app.PACKAGE}.${name}`,
		typeVersion: 1,
		position: [i * 240, 0],
		parameters: {},
		...(type.description.webhooks ? { webhookId: `ed000000-0000-4000-8000-0000000000a${i}` } : {}),
	}));
	return { id: 'edEveryNode', name: 'Every node of the package', active: false, settings: { executionOrder: 'v1' }, nodes, connections: {} };
}

function copyReadme(shot: string, name: string) {
	mkdirSync(README_SHOTS!, { recursive: true });
	copyFileSync(shot, join(README_SHOTS!, name));
}
