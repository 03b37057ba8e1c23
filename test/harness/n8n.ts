/**
 * Runs our nodes inside n8n's own engine (n8n-core's WorkflowExecute, the code the n8n app runs), in process.
 * Nothing of the node's `this` is mocked: expressions, pairedItem, continueOnFail, credentials lookup, static data
 * and the execution's cancel signal all go through n8n-core. What the n8n app adds around the engine (database,
 * web server, scheduler) is replaced by the smallest faithful stand-in:
 *  - a credentials helper holding the test's decrypted credentials (defaults applied as n8n does),
 *  - in-memory execution lifecycle hooks,
 *  - for polling triggers, one Workflow + one PollContext kept between polls, as n8n's ActiveWorkflows does,
 *  - for webhook triggers, the request/response objects n8n's web server (express) would hand to WebhookContext.
 *
 * Concurrency: every run builds its own Workflow, additionalData, hooks and credentials store, so runs can overlap
 * (`Promise.all`). The only process-wide things are n8n's own singletons (LoggerProxy, the DI container), and the
 * logger installed into them routes each line to the run that wrote it through AsyncLocalStorage.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'async_hooks';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse as parseQueryString } from 'querystring';

// n8n-core reads the user folder when InstanceSettings is first built: never let a test touch ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-harness-'));

import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	getAdditionalKeys,
	HookContext,
	PollContext,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	deepCopy,
	ICredentialsHelper,
	LoggerProxy,
	NodeHelpers,
	Workflow,
	type ExecutionError,
	type IConnections,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IRun,
	type IRunData,
	type IVersionedNodeType,
	type IWebhookData,
	type IWebhookDescription,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WebhookSetupMethodNames,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

// @n8n/di and @n8n/backend-common are n8n-core's own dependencies, not ours: load the very copies n8n-core
// loaded (same DI container, same Logger class), whatever the hoisting, without adding them to package.json.
const fromCore = (id: string) => require(require.resolve(id, { paths: [require.resolve('n8n-core')] }));
const { Container } = fromCore('@n8n/di') as typeof import('@n8n/di');
const { Logger } = fromCore('@n8n/backend-common') as typeof import('@n8n/backend-common');
// What n8n's cron tick and WorkflowExecute call to run a poll; n8n-core does not re-export it from its index.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TriggersAndPollers } = require('n8n-core/dist/execution-engine/triggers-and-pollers') as {
	TriggersAndPollers: import('@n8n/di').Constructable<{ runPoll(workflow: Workflow, node: INode, context: PollContext): Promise<INodeExecutionData[][] | null> }>;
};

// ---------------------------------------------------------------------------------------------------------------
// Logs. n8n has two loggers: LoggerProxy (n8n-workflow, used by the engine) and the DI `Logger` (what a node gets
// as `this.logger`; its constructor re-points LoggerProxy at itself). One capture object stands in for both, so
// every line of the engine and of the nodes, at every level including debug, is recorded with its metadata.

/** Every log line of every run in this test file (this module is loaded once per jest test file). */
export const capturedLogs: string[] = [];
const runLogs = new AsyncLocalStorage<string[]>();

type LogMethod = (message: string, meta?: object) => void;
interface CaptureLogger {
	error: LogMethod;
	warn: LogMethod;
	info: LogMethod;
	debug: LogMethod;
	scoped(scopes: string | string[]): CaptureLogger;
}

function captureLogger(scopes: string[] = []): CaptureLogger {
	const line =
		(level: string): LogMethod =>
		(message, meta) => {
			const all = scopes.length ? { ...meta, scopes } : meta;
			const text = `${level} ${String(message)}${all && Object.keys(all).length ? ' ' + safeStringify(all) : ''}`;
			capturedLogs.push(text);
			runLogs.getStore()?.push(text);
		};
	return {
		error: line('error'),
		warn: line('warn'),
		info: line('info'),
		debug: line('debug'),
		scoped: (more) => captureLogger([...scopes, ...(Array.isArray(more) ? more : [more])]),
	};
}

const rootLogger = captureLogger();
Container.set(Logger, rootLogger as unknown as InstanceType<typeof Logger>);
LoggerProxy.init(rootLogger as never);

// n8n-core's SSHClientsManager (built with the first ExecuteContext) starts a 60 s cleanup setInterval and never
// clears it outside n8n's shutdown: that timer is what kept test processes alive after a run. Build it now and
// unref the timer, so the engine no longer holds the event loop open (its process 'exit' hook still cleans up).
{
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
		SSHClientsManager: import('@n8n/di').Constructable<{ cleanupTimer?: NodeJS.Timeout }>;
	};
	Container.get(SSHClientsManager).cleanupTimer?.unref();
}

/** JSON with errors spelled out (JSON.stringify(new Error('x')) is "{}", which would hide a leak) and no cycles. */
export function safeStringify(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, v: unknown) => {
			if (v instanceof Error) {
				const own = Object.fromEntries(Object.getOwnPropertyNames(v).map((k) => [k, (v as never)[k]]));
				return { name: v.name, ...own, message: v.message, stack: v.stack };
			}
			if (typeof v === 'bigint') return v.toString();
			if (v && typeof v === 'object') {
				if (seen.has(v)) return '[circular]';
				seen.add(v);
			}
			return v;
		});
	} catch {
		return String(value);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials

/**
 * n8n's credentials helper, minus the database: `getDecrypted` returns the test's credential data with the type's
 * defaults applied (n8n's applyDefaultsAndOverwrites: `NodeHelpers.getNodeParameters`, so undeclared fields are
 * dropped as in n8n) and expressions resolved; `authenticate` applies the type's `authenticate` (function or
 * generic); `preAuthentication` follows n8n's rule (only with a hidden `expirable` field) and writes the result
 * back into this run's store, as n8n writes it back to the credentials table.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly store: Record<string, ICredentialDataDecryptedObject>;
	private readonly types: Map<string, ICredentialType>;

	constructor(data: Record<string, ICredentialDataDecryptedObject>, types: ICredentialType[] = []) {
		super();
		this.store = deepCopy(data);
		this.types = new Map(types.map((t) => [t.name, t]));
	}

	/** The stored data of a type now (after any preAuthentication write-back). */
	stored(type: string): ICredentialDataDecryptedObject | undefined {
		return this.store[type];
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const auth = this.types.get(typeName)?.authenticate;
		if (typeof auth === 'function') return await auth(credentials, requestOptions as IHttpRequestOptions);
		if (auth?.type === 'generic') {
			// As n8n's CredentialsHelper: each key and value may be an expression over $credentials.
			const resolve = (value: unknown) =>
				typeof value === 'string' && value.startsWith('=')
					? String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials } as never, undefined, '') ?? '')
					: (value as string);
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			target.headers ??= {};
			for (const [outer, inner] of Object.entries(auth.properties)) {
				target[outer] ??= {};
				for (const [key, value] of Object.entries(inner as object)) target[outer][resolve(key)] = resolve(value);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		const expirable = type?.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!type?.preAuthentication || !expirable) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output?.[expirable.name] === undefined) return undefined;
		this.store[typeName] = { ...this.store[typeName], ...(output as ICredentialDataDecryptedObject) };
		return Object.assign(credentials, output as ICredentialDataDecryptedObject);
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('the harness hands nodes decrypted credentials only (getDecrypted)');
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		resolve?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store[type];
		if (!stored) throw new Error(`the test gave no credentials of type "${type}"`);
		if (raw) return deepCopy(stored);
		const properties = this.getCredentialsProperties(type);
		let data = properties.length
			? (NodeHelpers.getNodeParameters(properties, deepCopy(stored) as INodeParameters, true, false, null, null) as unknown as ICredentialDataDecryptedObject)
			: deepCopy(stored);
		if (stored.oauthTokenData !== undefined) data.oauthTokenData = stored.oauthTokenData as IDataObject;
		const hasExpression = Object.values(data).some((v) => typeof v === 'string' && v.startsWith('='));
		if (resolve && hasExpression) {
			data = resolve.workflow.expression.getParameterValue(
				data as INodeParameters,
				resolve.runExecutionData,
				resolve.runIndex,
				resolve.itemIndex,
				resolve.node.name,
				resolve.connectionInputData,
				mode,
				getAdditionalKeys(additionalData, mode, null),
				executeData,
				false,
				data,
			) as ICredentialDataDecryptedObject;
		}
		return data;
	}

	async updateCredentials(_details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = deepCopy(data);
	}

	async updateCredentialsOauthTokenData(_details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.store[type] = { ...this.store[type], oauthTokenData: data.oauthTokenData };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.types.get(type);
		if (!credentialType) return [];
		const merged: INodeProperties[] = [];
		for (const parent of credentialType.extends ?? []) NodeHelpers.mergeNodeProperties(merged, this.getCredentialsProperties(parent));
		NodeHelpers.mergeNodeProperties(merged, credentialType.properties);
		return merged;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow assembly

/** A community package's node type name as n8n registers it: `<package name>.<description.name>`. */
const PACKAGE = 'n8n-nodes-fintech-identity';
const ITEMS_TYPE = 'harness.items';

const latestVersion = (type: INodeType | IVersionedNodeType) =>
	'nodeVersions' in type ? type.currentVersion : Math.max(...[type.description.version].flat());
const resolveVersion = (type: INodeType | IVersionedNodeType, version: number): INodeType =>
	NodeHelpers.getVersionedNodeType(type, version);

/** The node that feeds the test's items into the workflow (one instance per run: no shared state). */
function itemsSource(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Items',
			name: 'items',
			group: ['input'],
			version: 1,
			description: 'Outputs the items given by the test',
			defaults: { name: 'Items' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		} as INodeType['description'],
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			return [deepCopy(items).map((json) => ({ json, pairedItem: { item: 0 } }))];
		},
	};
}

function nodeTypesOf(types: Map<string, INodeType | IVersionedNodeType>): INodeTypes {
	const get = (name: string) => {
		const type = types.get(name);
		if (!type) throw new Error(`unknown node type ${name}`);
		return type;
	};
	return {
		getByName: (name) => get(name),
		getByNameAndVersion: (name, version) => resolveVersion(get(name), version ?? latestVersion(get(name))),
		getKnownTypes: () => ({}),
	};
}

function additionalDataFor(helper: ICredentialsHelper, executionId: string): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: helper,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not available in the harness');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('code task runners are not available in the harness');
		},
		// No secrets manager: `$secrets` is not available to expressions, as on an instance without the feature.
		externalSecretsProxy: new ExternalSecretsProxy(),
	};
}

let executionCounter = 0;
const nextExecutionId = () => `harness-${++executionCounter}`;

export interface HarnessNode {
	/** Unique in the workflow. */
	name: string;
	/** An instance of the node type (INodeType or a VersionedNodeType). */
	nodeType: INodeType | IVersionedNodeType;
	/** The registered type name; `n8n-nodes-fintech-identity.<description.name>` when not given. */
	type?: string;
	typeVersion?: number;
	parameters?: INodeParameters;
	/** n8n's "On Error" setting. `continueRegularOutput` is what the editor's old "Continue On Fail" became. */
	onError?: INode['onError'];
	disabled?: boolean;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	webhookId?: string;
}

interface CommonOptions {
	/** Decrypted credential data by credential type name. Each node is given the ones its description declares. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The credential types, so defaults, `authenticate` and `preAuthentication` work as in n8n. */
	credentialTypes?: ICredentialType[];
	/**
	 * The workflow's static data. n8n keeps `getWorkflowStaticData('node')` under `node:<node name>`; nodes write
	 * through to this very object, so pass the same object to consecutive runs to keep it between them.
	 */
	staticData?: IDataObject;
}

function toINode(spec: HarnessNode, credentials: Record<string, unknown>, position: number): INode {
	const type = spec.type ?? `${PACKAGE}.${('nodeVersions' in spec.nodeType ? spec.nodeType.description : spec.nodeType.description).name}`;
	const typeVersion = spec.typeVersion ?? latestVersion(spec.nodeType);
	const declared = resolveVersion(spec.nodeType, typeVersion).description.credentials ?? [];
	const refs = Object.fromEntries(
		declared.filter((c) => credentials[c.name] !== undefined).map((c) => [c.name, { id: `cred-${c.name}`, name: `${c.name} (test)` }]),
	);
	const node: INode = {
		id: `node-${position}`,
		name: spec.name,
		type,
		typeVersion,
		position: [position * 220, 0],
		parameters: deepCopy(spec.parameters ?? {}),
	};
	if (Object.keys(refs).length) node.credentials = refs;
	for (const key of ['onError', 'disabled', 'alwaysOutputData', 'executeOnce', 'retryOnFail', 'maxTries', 'waitBetweenTries', 'webhookId'] as const) {
		if (spec[key] !== undefined) (node as unknown as Record<string, unknown>)[key] = spec[key];
	}
	return node;
}

/** `{ A: 'B' }`, `{ A: ['B', 'C'] }` (both on output 0) or `{ A: [['B'], ['C']] }` (output 0 → B, output 1 → C). */
export type SimpleConnections = Record<string, string | string[] | string[][]>;

function toIConnections(simple: SimpleConnections): IConnections {
	const connections: IConnections = {};
	for (const [from, to] of Object.entries(simple)) {
		const outputs: string[][] = typeof to === 'string' ? [[to]] : to.every((t) => typeof t === 'string') ? [to as string[]] : (to as string[][]);
		connections[from] = { main: outputs.map((targets) => targets.map((node) => ({ node, type: 'main', index: 0 }))) };
	}
	return connections;
}

/** Adds ai_tool connections (tool node → the agent that may call it), as n8n stores them. */
function withTools(connections: IConnections, tools: Record<string, string>): IConnections {
	for (const [tool, agent] of Object.entries(tools)) connections[tool] = { ...connections[tool], ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] };
	return connections;
}

// ---------------------------------------------------------------------------------------------------------------
// Running workflows

export interface RunWorkflowOptions extends CommonOptions {
	nodes: HarnessNode[];
	/** Defaults to a chain in the order of `nodes`. */
	connections?: SimpleConnections;
	/**
	 * Input items (json), fed by an "Items" node into the first node. One empty item when not given, as a Manual
	 * Trigger gives. Ignored when the first node is a trigger: the run then starts at it, as a manual execution does.
	 */
	items?: IDataObject[];
	/** Aborting it cancels the execution as the editor's Stop button does (nodes see `getExecutionCancelSignal()`). */
	signal?: AbortSignal;
	/** AI-agent tools: `{ <tool node>: <agent node> }` connects the tool's ai_tool output to the agent (test/harness/agent.ts). */
	tools?: Record<string, string>;
	/** The execution mode; 'manual' (an editor run) by default. Production runs are 'trigger' or 'webhook'. */
	mode?: WorkflowExecuteMode;
}

export interface RunWorkflowResult {
	run: IRun;
	runData: IRunData;
	status: IRun['status'];
	/** The error that stopped the workflow, if any. */
	error?: ExecutionError;
	/** Log lines written during this run only (attributed by async context, so concurrent runs stay apart). */
	logs: string[];
	/** Items of `output` of the first run of `node` ([] when none). */
	output(node: string, output?: number): INodeExecutionData[];
	/** The error of the first run of `node`, if it failed. */
	nodeError(node: string): ExecutionError | undefined;
	/**
	 * The stored credential data of a type at the end of the run (e.g. what preAuthentication wrote back). A
	 * function, not a field, so that serialising a result (leak checks, snapshots) never includes secrets.
	 */
	storedCredentials(type: string): ICredentialDataDecryptedObject | undefined;
}

const isTrigger = (type: INodeType) => !type.execute && Boolean(type.poll || type.trigger);

/** Run a workflow of our nodes through `WorkflowExecute.processRunExecutionData`, n8n's execution loop. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const credentials = options.credentials ?? {};
	const types = new Map<string, INodeType | IVersionedNodeType>();
	const nodes = options.nodes.map((spec, i) => {
		const node = toINode(spec, credentials, i + 1);
		types.set(node.type, spec.nodeType);
		return node;
	});
	const first = nodes[0];
	const startsAtTrigger = isTrigger(resolveVersion(options.nodes[0].nodeType, first.typeVersion));
	let connections = options.connections ?? Object.fromEntries(nodes.slice(1).map((n, i) => [nodes[i].name, n.name]));
	if (!startsAtTrigger) {
		types.set(ITEMS_TYPE, itemsSource(options.items ?? [{}]));
		nodes.unshift({ id: 'node-0', name: 'Items', type: ITEMS_TYPE, typeVersion: 1, position: [0, 0], parameters: {} });
		connections = { Items: first.name, ...connections };
	}
	const start = nodes[0];

	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes,
		connections: withTools(toIConnections(connections), options.tools ?? {}),
		active: false,
		nodeTypes: nodeTypesOf(types),
		staticData: options.staticData,
		// New workflows in n8n 1.x/2.x run with the v1 execution order.
		settings: { executionOrder: 'v1' },
	});
	const mode = options.mode ?? 'manual';
	const executionId = nextExecutionId();
	const credentialsHelper = new TestCredentialsHelper(credentials, options.credentialTypes);
	const additionalData = additionalDataFor(credentialsHelper, executionId);
	additionalData.hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: workflow.name ?? 'Harness workflow',
		active: false,
		isArchived: false,
		nodes,
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	});
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: start, data: { main: [[{ json: {} }]] }, source: null }] },
	});

	const logs: string[] = [];
	const run = await runLogs.run(logs, async () => {
		const execution = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
		// PCancelable: cancel() aborts the engine's AbortController (the node's getExecutionCancelSignal()) and
		// the promise still resolves with the run, status 'canceled' (n8n sets shouldReject = false).
		const onAbort = () => execution.cancel();
		if (options.signal?.aborted) onAbort();
		options.signal?.addEventListener('abort', onAbort, { once: true });
		try {
			return await execution;
		} finally {
			options.signal?.removeEventListener('abort', onAbort);
		}
	});

	const runData = run.data.resultData.runData;
	return {
		run,
		runData,
		status: run.status,
		error: run.data.resultData.error,
		logs,
		output: (node, output = 0) => runData[node]?.[0]?.data?.main?.[output] ?? [],
		nodeError: (node) => runData[node]?.[0]?.error,
		storedCredentials: (type) => credentialsHelper.stored(type),
	};
}

export interface RunNodeOptions extends CommonOptions {
	/** An instance of the node type under test. */
	nodeType: INodeType | IVersionedNodeType;
	/** The registered type name; `n8n-nodes-fintech-identity.<description.name>` when not given. */
	type?: string;
	typeVersion?: number;
	parameters: INodeParameters;
	/** The input items (json). One empty item when not given, as a Manual Trigger gives. */
	items?: IDataObject[];
	/**
	 * n8n's "On Error: Continue" — stored on the node as `onError: 'continueRegularOutput'` (n8n 2.8 reads
	 * `node.onError` first and falls back to the legacy `node.continueOnFail` flag only when onError is unset).
	 */
	continueOnFail?: boolean;
	/** Overrides continueOnFail, e.g. 'continueErrorOutput' (failed items go to an extra "error" output). */
	onError?: INode['onError'];
	signal?: AbortSignal;
	mode?: WorkflowExecuteMode;
}

export interface RunNodeResult extends RunWorkflowResult {
	/** Output 0 of the node under test. */
	items: INodeExecutionData[];
	/** Every output of the node under test. */
	outputs: INodeExecutionData[][];
	/** The node's error when it failed (or the workflow's, e.g. a parameter issue found before it ran). */
	error?: ExecutionError;
}

/** The name the node under test gets in the workflow built by runNode. */
export const NODE_NAME = 'Node';

/** Run `Items → node under test` through n8n's engine. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const result = await runWorkflow({
		...options,
		nodes: [
			{
				name: NODE_NAME,
				nodeType: options.nodeType,
				type: options.type,
				typeVersion: options.typeVersion,
				parameters: options.parameters,
				onError: options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined),
			},
		],
	});
	const outputs = (result.runData[NODE_NAME]?.[0]?.data?.main ?? []).map((o) => o ?? []);
	return { ...result, items: outputs[0] ?? [], outputs, error: result.nodeError(NODE_NAME) ?? result.error };
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers

export interface TriggerOptions extends CommonOptions {
	nodeType: INodeType | IVersionedNodeType;
	type?: string;
	typeVersion?: number;
	parameters: INodeParameters;
	/** 'trigger' for a poll of an active workflow (default), 'manual' for the editor's "Fetch Test Event". */
	mode?: 'trigger' | 'manual';
	/** Why the workflow was activated ('activate' by default; n8n uses 'init' after a restart). */
	activation?: WorkflowActivateMode;
	/** Where n8n's webhook URLs start (default http://127.0.0.1:5678/webhook, -test in manual mode). */
	webhookBaseUrl?: string;
}

/** The trigger's node name in trigger workflows (its static data is under `node:Trigger`). */
export const TRIGGER_NAME = 'Trigger';

function triggerWorkflow(options: TriggerOptions, staticData: IDataObject) {
	const credentials = options.credentials ?? {};
	const node = toINode(
		{ name: TRIGGER_NAME, nodeType: options.nodeType, type: options.type, typeVersion: options.typeVersion, parameters: options.parameters, webhookId: 'harness-webhook-id' },
		credentials,
		0,
	);
	const workflow = new Workflow({
		id: 'harness-trigger-workflow',
		name: 'Harness trigger workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: nodeTypesOf(new Map([[node.type, options.nodeType]])),
		staticData,
		settings: { executionOrder: 'v1' },
	});
	const credentialsHelper = new TestCredentialsHelper(credentials, options.credentialTypes);
	const additionalData = additionalDataFor(credentialsHelper, nextExecutionId());
	if (options.webhookBaseUrl) {
		additionalData.webhookBaseUrl = options.webhookBaseUrl;
		additionalData.webhookTestBaseUrl = `${options.webhookBaseUrl}-test`;
	}
	return { workflow, node, additionalData, credentialsHelper };
}

export interface Poller {
	/** One poll: what the trigger emitted (null = nothing new), as n8n's ActiveWorkflows would pass to __emit. */
	poll(): Promise<INodeExecutionData[][] | null>;
	/** The workflow's static data (the live object the trigger reads and writes, kept in memory between polls). */
	readonly staticData: IDataObject;
	/**
	 * The static data as last saved to the database. n8n saves it only when a poll emitted (its __emit saves the
	 * workflow's static data before starting the execution); a poll returning null changes it in memory only.
	 */
	readonly savedStaticData: IDataObject;
	/** n8n restarted: the workflow is re-activated ('init') from the saved static data; in-memory changes are lost. */
	restart(): void;
	/** This poller's log lines. */
	readonly logs: string[];
}

/**
 * A polling trigger activated as n8n's ActiveWorkflows does it: one Workflow and one PollContext for the whole
 * activation, each poll run by n8n-core's TriggersAndPollers.runPoll (what the cron tick calls).
 */
export function createPoller(options: TriggerOptions): Poller {
	const logs: string[] = [];
	let saved: IDataObject = deepCopy(options.staticData ?? {});
	let activation = options.activation ?? 'activate';
	let live!: { workflow: Workflow; node: INode; context: PollContext };
	const activate = () => {
		const { workflow, node, additionalData } = triggerWorkflow(options, deepCopy(saved));
		const context = new PollContext(workflow, node, additionalData, options.mode ?? 'trigger', activation);
		live = { workflow, node, context };
	};
	activate();
	return {
		async poll() {
			return await runLogs.run(logs, async () => {
				const { workflow, node, context } = live;
				const emitted = await Container.get(TriggersAndPollers).runPoll(workflow, node, context);
				if (emitted !== null && options.mode !== 'manual') saved = deepCopy(workflow.staticData);
				return emitted;
			});
		},
		get staticData() {
			return live.workflow.staticData;
		},
		get savedStaticData() {
			return saved;
		},
		restart() {
			activation = 'init';
			activate();
		},
		logs,
	};
}

/**
 * One poll with static data held by the caller: pass the same `staticData` object to consecutive calls (the
 * trigger writes through to it, under `node:Trigger`). For the activation-long context and n8n's save-on-emit
 * rule, use createPoller.
 */
export async function poll(options: TriggerOptions): Promise<INodeExecutionData[][] | null> {
	const { workflow, node, additionalData } = triggerWorkflow(options, options.staticData ?? {});
	const context = new PollContext(workflow, node, additionalData, options.mode ?? 'trigger', options.activation ?? 'activate');
	return await Container.get(TriggersAndPollers).runPoll(workflow, node, context);
}

export interface WebhookRequest {
	/**
	 * The body. An object is sent as JSON. A string or Buffer is sent as those exact bytes and parsed by
	 * content-type as n8n's web server does (JSON, urlencoded form, else text), so signature checks over
	 * `getRequestObject().rawBody` see what the sender signed.
	 */
	body?: unknown;
	headers?: Record<string, string>;
	query?: Record<string, string>;
	params?: Record<string, string>;
	method?: IHttpRequestMethods;
}

export interface WebhookResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
	/** Whether the node answered itself through getResponseObject() (n8n then sends nothing more). */
	ended: boolean;
}

export interface WebhookCallResult {
	/** What webhook() returned: workflowData starts an execution, webhookResponse answers the caller. */
	result: IWebhookResponseData;
	/** What the node wrote to the response object, if anything. */
	response: WebhookResponse;
	logs: string[];
	/** The trigger's static data after the call. */
	staticData: IDataObject;
}

/**
 * Deliver one HTTP request to a webhook trigger the way n8n's webhook service does it: it builds IWebhookData
 * from the node's `webhooks` description, a WebhookContext over the express request (parsed body + rawBody) and
 * response, and calls webhook(). Chosen over a real HTTP server because n8n's web server (the `n8n` package) is
 * not installed; the node sees the same WebhookContext API either way, and the response object records what the
 * node answered.
 */
export async function callWebhook(options: TriggerOptions & { request: WebhookRequest; webhookName?: 'default' | 'setup' }): Promise<WebhookCallResult> {
	const staticData = options.staticData ?? {};
	const { workflow, node, additionalData } = triggerWorkflow(options, staticData);
	const mode: WorkflowExecuteMode = options.mode === 'manual' ? 'manual' : 'webhook';
	const nodeType = resolveVersion(options.nodeType, node.typeVersion);
	const name = options.webhookName ?? 'default';
	const description = nodeType.description.webhooks?.find((w) => w.name === name);
	if (!description) throw new Error(`${nodeType.description.name} has no "${name}" webhook in its description`);
	const method = options.request.method ?? (String(workflow.expression.getSimpleParameterValue(node, description.httpMethod, mode, {}, undefined, 'POST')) as IHttpRequestMethods);
	const path = String(workflow.expression.getSimpleParameterValue(node, description.path as string, mode, {}, undefined, '') ?? '');

	const { req, res, response } = expressLike(options.request, method);
	additionalData.httpRequest = req as never;
	additionalData.httpResponse = res as never;
	const webhookData: IWebhookData = {
		httpMethod: method,
		node: node.name,
		path: NodeHelpers.getNodeWebhookPath(workflow.id, node, path, Boolean(description.isFullPath)),
		webhookDescription: description as IWebhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'manual',
	};
	const logs: string[] = [];
	const result = await runLogs.run(logs, async () => {
		const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);
		return await nodeType.webhook!.call(context);
	});
	return { result, response, logs, staticData: workflow.staticData };
}

function expressLike(request: WebhookRequest, method: string) {
	const headers: Record<string, string> = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
	let rawBody: Buffer;
	let body: unknown;
	if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) {
		rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
		const contentType = headers['content-type'] ?? '';
		const text = rawBody.toString('utf8');
		body = contentType.includes('json') ? JSON.parse(text) : contentType.includes('x-www-form-urlencoded') ? { ...parseQueryString(text) } : text;
	} else {
		body = request.body ?? {};
		rawBody = Buffer.from(JSON.stringify(body));
		headers['content-type'] ??= 'application/json';
	}
	headers['content-length'] ??= String(rawBody.length);
	const req = {
		method,
		headers,
		body,
		rawBody,
		query: request.query ?? {},
		params: request.params ?? {},
		header: (name: string) => headers[name.toLowerCase()],
		get: (name: string) => headers[name.toLowerCase()],
	};
	const response: WebhookResponse = { statusCode: 200, headers: {}, body: undefined, ended: false };
	const res = {
		status(code: number) {
			response.statusCode = code;
			return res;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
			return res;
		},
		set(name: string, value: string) {
			return res.setHeader(name, value);
		},
		header(name: string, value: string) {
			return res.setHeader(name, value);
		},
		json(payload: unknown) {
			response.headers['content-type'] ??= 'application/json';
			response.body = payload;
			response.ended = true;
			return res;
		},
		send(payload: unknown) {
			response.body = payload;
			response.ended = true;
			return res;
		},
		end(payload?: unknown) {
			if (payload !== undefined) response.body = payload;
			response.ended = true;
			return res;
		},
	};
	return { req, res, response };
}

export interface WebhookMethodResult {
	/** What the method returned (checkExists: whether the registration exists). */
	result: boolean | undefined;
	/** The URL n8n would give the vendor for this webhook (production, or test in manual mode). */
	webhookUrl: string;
	logs: string[];
	/** The trigger's static data after the call (the live object passed in, written through). */
	staticData: IDataObject;
}

/**
 * One of a webhook trigger's `webhookMethods` (checkExists, create, delete) run as n8n's WebhookService does on
 * activation (checkExists, then create when it says false) and deactivation (delete): a HookContext over the workflow,
 * with the webhook's IWebhookData. Pass the same `staticData` object to consecutive calls, as n8n keeps (and saves)
 * the workflow's static data between activation and deactivation. `mode: 'manual'` is the editor's "Listen for test
 * event" (the test URL); otherwise the production URL.
 */
export async function runWebhookMethod(
	options: TriggerOptions & { method: WebhookSetupMethodNames; staticData: IDataObject; webhookName?: 'default' | 'setup' },
): Promise<WebhookMethodResult> {
	const { workflow, node, additionalData } = triggerWorkflow(options, options.staticData);
	const manual = options.mode === 'manual';
	const mode: WorkflowExecuteMode = manual ? 'manual' : options.method === 'delete' ? 'internal' : 'trigger';
	const nodeType = resolveVersion(options.nodeType, node.typeVersion);
	const name = options.webhookName ?? 'default';
	const description = nodeType.description.webhooks?.find((w) => w.name === name);
	const method = nodeType.webhookMethods?.[name]?.[options.method];
	if (!description || !method) throw new Error(`${nodeType.description.name} has no ${options.method} for its "${name}" webhook`);
	const path = String(workflow.expression.getSimpleParameterValue(node, description.path as string, mode, {}, undefined, '') ?? '');
	const webhookData: IWebhookData = {
		httpMethod: String(description.httpMethod) as IHttpRequestMethods,
		node: node.name,
		path: NodeHelpers.getNodeWebhookPath(workflow.id, node, path, Boolean(description.isFullPath)),
		webhookDescription: description as IWebhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: manual,
	};
	const activation: WorkflowActivateMode = options.activation ?? (manual ? 'manual' : options.method === 'delete' ? 'update' : 'activate');
	const logs: string[] = [];
	const context = new HookContext(workflow, node, additionalData, mode, activation, webhookData);
	const result = await runLogs.run(logs, async () => await method.call(context));
	return { result, webhookUrl: context.getNodeWebhookUrl(name) ?? '', logs, staticData: workflow.staticData };
}
