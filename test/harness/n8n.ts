/**
 * Runs our nodes inside n8n's own engine (n8n-core's WorkflowExecute, the code the n8n app runs), in process.
 * Nothing of the node's `this` is mocked: expressions, pairedItem, continueOnFail, credentials lookup and the
 * execution's cancel signal all go through n8n-core. What the n8n app adds around the engine (the database, the
 * web server) is replaced by the smallest faithful stand-in: a credentials helper holding decrypted test
 * credentials, an in-memory hooks object, and for webhooks the request object n8n's web server would pass.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-harness-'));

import { ExecutionLifecycleHooks, PollContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	LoggerProxy,
	Workflow,
	type ExecutionError,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------------------------
// Every log line written through n8n's LoggerProxy (the engine's and the nodes' `this.logger`) is kept, so a test
// can grep the whole run for leaked secrets.

export const capturedLogs: string[] = [];
const capture =
	(level: string) =>
	(message: string, meta?: object): void => {
		capturedLogs.push(`${level} ${message}${meta ? ' ' + safeStringify(meta) : ''}`);
	};
const logger = { error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug') };
LoggerProxy.init({ ...logger, scoped: () => logger } as never);

function safeStringify(value: unknown) {
	try {
		return JSON.stringify(value);
	} catch {
		return String(value);
	}
}

// ---------------------------------------------------------------------------------------------------------------

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		private readonly types: ICredentialType[],
	) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestOptions: IHttpRequestOptions) {
		const type = this.types.find((t) => t.name === typeName);
		if (typeof type?.authenticate === 'function') return type.authenticate(credentials, requestOptions);
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used: nodes get decrypted credentials');
	}
	async getDecrypted(_a: unknown, _nodeCredentials: unknown, type: string) {
		const found = this.data[type];
		if (!found) throw new Error(`the test gave no credentials of type ${type}`);
		return { ...found };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(type: string) {
		return this.types.find((t) => t.name === type)?.properties ?? [];
	}
}

/** The node that feeds the items given by a test into the node under test. */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items',
		name: 'testItems',
		group: ['input'],
		version: 1,
		description: 'test input',
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

function nodeTypesOf(types: Record<string, INodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	} as INodeTypes;
}

function additionalDataFor(credentials: Record<string, ICredentialDataDecryptedObject>, credentialTypes: ICredentialType[], extra: Partial<IWorkflowExecuteAdditionalData> = {}) {
	return {
		credentialsHelper: new TestCredentialsHelper(credentials, credentialTypes),
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used here');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => undefined,
		startRunnerTask: async () => {
			throw new Error('code runners are not used here');
		},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

function credentialRefs(credentials: Record<string, unknown>) {
	return Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `cred-${type}`, name: type }]));
}

export interface RunNodeOptions {
	nodeType: INodeType;
	parameters: INodeParameters;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	credentialTypes?: ICredentialType[];
	/** The input items (json). One empty item when not given, as a manual trigger would give. */
	items?: IDataObject[];
	/** n8n's "On Error: Continue" (continueRegularOutput). */
	continueOnFail?: boolean;
}

export interface RunNodeResult {
	/** Output 0 of the node under test. */
	items: INodeExecutionData[];
	outputs: INodeExecutionData[][];
	/** The error that stopped the node, as n8n reports it. */
	error?: ExecutionError;
	run: IRun;
	/** Log lines written during this run (and, when runs overlap, theirs too). */
	logs: string[];
}

let executions = 0;

/** Run `Items → node under test` through WorkflowExecute.processRunExecutionData. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const typeName = `test.${options.nodeType.description.name}`;
	const credentials = options.credentials ?? {};
	const firstLog = capturedLogs.length;
	const source: INode = {
		id: 'items',
		name: 'Items',
		type: 'test.items',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items ?? [{}]) },
	};
	const node: INode = {
		id: 'node',
		name: 'Node',
		type: typeName,
		typeVersion: 1,
		position: [200, 0],
		parameters: options.parameters,
		credentials: credentialRefs(credentials),
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes: [source, node],
		connections: { Items: { main: [[{ node: 'Node', type: 'main', index: 0 }]] } },
		active: false,
		nodeTypes: nodeTypesOf({ 'test.items': new ItemsSource(), [typeName]: options.nodeType }),
	});
	const executionId = String(++executions);
	const additionalData = additionalDataFor(credentials, options.credentialTypes ?? [], { executionId });
	(additionalData as unknown as { hooks: ExecutionLifecycleHooks }).hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: workflow.id,
		name: 'test',
		active: false,
		isArchived: false,
		nodes: [source, node],
		connections: {},
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as never);
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }] },
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const nodeRun = run.data.resultData.runData.Node?.[0];
	const outputs = (nodeRun?.data?.main ?? []).map((o) => o ?? []);
	return {
		items: outputs[0] ?? [],
		outputs,
		error: nodeRun?.error ?? run.data.resultData.error,
		run,
		logs: capturedLogs.slice(firstLog),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers

export interface TriggerOptions {
	nodeType: INodeType;
	parameters: INodeParameters;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	credentialTypes?: ICredentialType[];
	/** The workflow's static data; pass the same object to consecutive polls, as n8n keeps it between polls. */
	staticData?: IDataObject;
	mode?: 'trigger' | 'manual';
}

function triggerWorkflow(options: TriggerOptions) {
	const typeName = `test.${options.nodeType.description.name}`;
	const node: INode = {
		id: 'trigger',
		name: 'Trigger',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: credentialRefs(options.credentials ?? {}),
	};
	const workflow = new Workflow({
		id: 'test-trigger-workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: nodeTypesOf({ [typeName]: options.nodeType }),
		staticData: options.staticData ?? {},
	});
	// n8n hands nodes a proxy of the static data that it saves after the poll; here the object itself is kept.
	workflow.staticData = options.staticData ?? workflow.staticData;
	const additionalData = additionalDataFor(options.credentials ?? {}, options.credentialTypes ?? []);
	return { workflow, node, additionalData };
}

/** One poll of a polling trigger through n8n-core's PollContext; returns what it emitted (null = nothing new). */
export async function poll(options: TriggerOptions): Promise<INodeExecutionData[][] | null> {
	const { workflow, node, additionalData } = triggerWorkflow(options);
	const context = new PollContext(workflow, node, additionalData, options.mode ?? 'trigger', 'activate');
	return options.nodeType.poll!.call(context);
}

export interface WebhookCall {
	body: unknown;
	headers?: Record<string, string>;
	query?: Record<string, string>;
	method?: string;
}

/**
 * Deliver one HTTP request to a webhook trigger through n8n-core's WebhookContext, with the request object n8n's
 * web server would have parsed. Returns what the node told n8n (workflow data to start with, or none) and the
 * response it asked for.
 */
export async function callWebhook(options: TriggerOptions & { request: WebhookCall; webhookName?: string }) {
	const { workflow, node, additionalData } = triggerWorkflow(options);
	const response = { statusCode: 200, body: undefined as unknown, headers: {} as Record<string, string> };
	const res = {
		status(code: number) {
			response.statusCode = code;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			return res;
		},
		send(body: unknown) {
			response.body = body;
			return res;
		},
		end(body?: unknown) {
			if (body !== undefined) response.body = body;
			return res;
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = value;
		},
	};
	const req = {
		body: options.request.body,
		headers: Object.fromEntries(Object.entries(options.request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
		query: options.request.query ?? {},
		params: {},
		method: options.request.method ?? 'POST',
		rawBody: Buffer.from(JSON.stringify(options.request.body ?? '')),
	};
	Object.assign(additionalData, { httpRequest: req, httpResponse: res });
	const webhookData = {
		httpMethod: req.method,
		node: node.name,
		path: 'test',
		webhookDescription: { name: options.webhookName ?? 'default', httpMethod: req.method, path: 'test' },
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as unknown as IWebhookData;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	const result = await options.nodeType.webhook!.call(context);
	return { result, response };
}
