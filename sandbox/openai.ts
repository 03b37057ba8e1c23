import { randomBytes } from 'crypto';
import { json, startService, type Service } from './framework';
import type { SandboxCerts, SandboxReply, SandboxRequest, ServiceContext } from './types';

/**
 * A scripted stand-in for an OpenAI-compatible model: what n8n's OpenAI Chat Model node calls, with the credential's
 * Base URL pointed here (`https://127.0.0.1:PORT/v1`). It does not think: a script decides each answer from the
 * conversation it is sent ("call tool X with these arguments", then "answer with what the tool returned"). Every
 * request body is kept, so a test can grep what the model was shown for secrets, tokens and full CPFs.
 *
 * Both APIs the node uses are served, each as the node's client (the `openai` SDK under LangChain's ChatOpenAI)
 * sends and reads it (sandbox/contracts/openai.md; each behaviour below names its row):
 *  - Chat Completions, `POST /v1/chat/completions`, plain JSON or a server-sent-event stream;
 *  - Responses, `POST /v1/responses` (the node's default from version 1.3), plain or streamed;
 *  - `GET /v1/models`, which the credential test and the model picker call; a wrong API key answers 401.
 */

export interface PlannedToolCall {
	/** The tool's name as offered (n8n names a tool after its node: "Check Face Match" → "Check_Face_Match"). */
	tool: string;
	arguments: Record<string, unknown>;
}

/** One answer of the model: tool calls (several at once are parallel calls) or the final text. */
export type ModelTurn = { toolCalls: PlannedToolCall[] } | { text: string };

export interface OfferedTool {
	name: string;
	description: string;
	/** JSON schema of the arguments. */
	parameters: { properties?: Record<string, { type?: string; description?: string }>; required?: string[] } & Record<string, unknown>;
}

/** A request, read the same way whichever API it came through. */
export interface Conversation {
	api: 'chat.completions' | 'responses';
	model: string;
	stream: boolean;
	system: string;
	/** The user's messages, oldest first. */
	userMessages: string[];
	tools: OfferedTool[];
	/** The calls the model made so far in this conversation and what each tool returned, in order. */
	toolResults: Array<{ callId: string; tool?: string; arguments?: string; content: string }>;
}

export type Script = (conversation: Conversation) => ModelTurn;

/**
 * A script of fixed steps. The step to play is found by counting the tool results already in the conversation (a
 * step of k parallel calls uses up k results), so the answer depends only on the request: a client's retry gets the
 * same answer, and it does not matter whether n8n sends parallel calls as one assistant message or one per call.
 */
// contract: script
export function scripted(steps: Array<ModelTurn | ((c: Conversation) => ModelTurn)>): Script {
	return (c) => {
		let used = 0;
		for (const step of steps) {
			const turn = typeof step === 'function' ? step(c) : step;
			if (!('toolCalls' in turn)) return turn;
			if (c.toolResults.length < used + turn.toolCalls.length) return turn;
			used += turn.toolCalls.length;
		}
		return { text: 'The script has no more steps.' };
	};
}

/** The last tool result's text (what "answer with what the tool returned" needs). */
export const lastToolResult = (c: Conversation) => c.toolResults.at(-1)?.content ?? '';

const CPF_IN_TEXT = /\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/;
const EMAIL_IN_TEXT = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;

/**
 * What `npm run sandbox` and `npm run dev` answer with: a small onboarding assistant for examples/onboarding-assistant.json.
 * It reads a CPF and an email in the user's message, checks the CPF with the tool that takes a CPF, records the outcome
 * with the tool that takes an email, then reports what the tools returned. Tools are told apart by their arguments
 * (their JSON schemas), as a model would: names and descriptions are the user's to choose.
 */
// contract: script-default
export const onboardingScript: Script = (c) => {
	const said = c.userMessages.at(-1) ?? '';
	const cpf = CPF_IN_TEXT.exec(said)?.[0];
	const email = EMAIL_IN_TEXT.exec(said)?.[0];
	const takes = (tool: OfferedTool, pattern: RegExp) => Object.keys(tool.parameters.properties ?? {}).some((key) => pattern.test(key));
	const faceMatch = c.tools.find((t) => takes(t, /cpf/i));
	const event = c.tools.find((t) => t !== faceMatch && takes(t, /email|identity/i));
	const fill = (tool: OfferedTool, values: Record<string, unknown>) =>
		Object.fromEntries(
			Object.keys(tool.parameters.properties ?? {}).map((key) => {
				const found = Object.entries(values).find(([hint]) => key.toLowerCase().includes(hint));
				return [key, found?.[1] ?? ''];
			}),
		);
	const checked = c.toolResults.find((r) => r.tool === faceMatch?.name);
	if (!cpf || !faceMatch) return { text: 'Please give me the person’s CPF and email, and connect a Claro Face Match tool.' };
	if (!checked) return { toolCalls: [{ tool: faceMatch.name, arguments: fill(faceMatch, { cpf }) }] };
	const found = /"found":\s*(true|false)/.exec(checked.content)?.[1];
	const recorded = c.toolResults.find((r) => r.tool === event?.name);
	if (found && email && event && !recorded) {
		return { toolCalls: [{ tool: event.name, arguments: fill(event, { email, identity: email, result: found === 'true' ? 'verified' : 'not_found' }) }] };
	}
	return {
		text: [`Face Match answered: ${checked.content}`, recorded ? `CleverTap answered: ${recorded.content}` : undefined].filter(Boolean).join('\n'),
	};
};

export interface OpenAiOptions {
	certs: SandboxCerts;
	apiKey?: string;
	script?: Script;
	port?: number;
	/** Where to listen (default 127.0.0.1). */
	host?: string;
}

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: Record<string, unknown>;
	/** The body exactly as received. */
	body: string;
}

export interface OpenAiSandbox extends Service {
	apiKey: string;
	/** Replace to script the next conversations. */
	script: Script;
	/** The model ids `GET /v1/models` lists. */
	models: string[];
	/** Every request received (up to 2,000), bodies verbatim. */
	received: ReceivedRequest[];
	/** Every request body since the start, which resetCounters keeps: all the model was shown, for a leak sweep. */
	transcript: string[];
	/** The conversations read from the model requests, in order. */
	conversations: Conversation[];
	/** Script mistakes (e.g. a tool the request did not offer): a non-empty list is a broken test, not a model error. */
	scriptErrors: string[];
}

/** Counters this emulator adds to `counters.custom`: model calls by API, tool calls it asked for, final answers. */
export const OPENAI_COUNTERS = ['chatCompletions', 'responses', 'toolCallsRequested', 'finalAnswers'] as const;

type Obj = Record<string, any>;

/** Text of a message content: a string, or parts with `text`. contract: chat-request, responses-request */
function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((p: Obj) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : '')).join('');
	return '';
}

function readChatCompletions(body: Obj): Conversation {
	const messages: Obj[] = Array.isArray(body.messages) ? body.messages : [];
	const calls = new Map<string, { tool: string; arguments: string }>();
	const toolResults: Conversation['toolResults'] = [];
	for (const m of messages) {
		for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) calls.set(call.id, { tool: call.function?.name, arguments: call.function?.arguments });
		if (m.role === 'tool') toolResults.push({ callId: m.tool_call_id, ...calls.get(m.tool_call_id), content: textOf(m.content) });
	}
	return {
		api: 'chat.completions',
		model: String(body.model ?? ''),
		stream: body.stream === true,
		system: messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n'),
		userMessages: messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)),
		tools: (Array.isArray(body.tools) ? body.tools : [])
			.filter((t: Obj) => t?.type === 'function')
			.map((t: Obj) => ({ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters ?? {} })),
		toolResults,
	};
}

function readResponses(body: Obj): Conversation {
	const input: Obj[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
	const calls = new Map<string, { tool: string; arguments: string }>();
	const toolResults: Conversation['toolResults'] = [];
	for (const item of input) {
		if (item.type === 'function_call') calls.set(item.call_id, { tool: item.name, arguments: item.arguments });
		if (item.type === 'function_call_output') toolResults.push({ callId: item.call_id, ...calls.get(item.call_id), content: textOf(item.output) });
	}
	const said = (role: string) => input.filter((i) => i.role === role && (i.type === undefined || i.type === 'message')).map((i) => textOf(i.content));
	return {
		api: 'responses',
		model: String(body.model ?? ''),
		stream: body.stream === true,
		system: [typeof body.instructions === 'string' ? body.instructions : '', ...said('system'), ...said('developer')].filter(Boolean).join('\n'),
		userMessages: said('user'),
		tools: (Array.isArray(body.tools) ? body.tools : [])
			.filter((t: Obj) => t?.type === 'function')
			.map((t: Obj) => ({ name: t.name, description: t.description ?? '', parameters: t.parameters ?? {} })),
		toolResults,
	};
}

/** A rough token count (4 characters a token): clients only display it. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
/** Server-sent events, sent whole: the client parses them the same whether they arrive at once or over time. */
const sse = (events: Array<{ event?: string; data: unknown }>, done: boolean): SandboxReply => ({
	status: 200,
	headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
	text: events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : ''),
});
/** Text in a few pieces, as a model streams it. */
const pieces = (text: string) => text.match(/[\s\S]{1,24}/g) ?? [''];

/** OpenAI's error envelope. contract: auth */
const openAiError = (status: number, message: string, type: string, code: string | null = null): SandboxReply =>
	json(status, { error: { message, type, param: null, code } });

export async function startOpenAi(options: OpenAiOptions): Promise<OpenAiSandbox> {
	const apiKey = options.apiKey ?? `sk-sandbox-${randomBytes(12).toString('hex')}`;
	const received: ReceivedRequest[] = [];
	const transcript: string[] = [];
	const conversations: Conversation[] = [];
	const scriptErrors: string[] = [];

	/** The script's turn with each planned tool matched to an offered tool, or why it cannot be played. contract: script-tool-names */
	function play(c: Conversation): { turn: ModelTurn } | { problem: string } {
		let turn: ModelTurn;
		try {
			turn = sandbox.script(c);
		} catch (error) {
			return { problem: `the script failed: ${(error as Error).message}` };
		}
		if (!('toolCalls' in turn)) return { turn };
		const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
		const toolCalls: PlannedToolCall[] = [];
		for (const call of turn.toolCalls) {
			const offered = c.tools.find((t) => t.name === call.tool) ?? c.tools.find((t) => squash(t.name) === squash(call.tool));
			if (!offered) return { problem: `the script calls tool "${call.tool}", but the request offers only: ${c.tools.map((t) => t.name).join(', ') || 'no tools'}` };
			toolCalls.push({ tool: offered.name, arguments: call.arguments });
		}
		return { turn: { toolCalls } };
	}

	function chatCompletions(body: Obj, ctx: ServiceContext): SandboxReply {
		const c = readChatCompletions(body);
		conversations.push(c);
		ctx.count('chatCompletions');
		const played = play(c);
		if ('problem' in played) {
			scriptErrors.push(played.problem);
			return openAiError(400, `sandbox model: ${played.problem}`, 'invalid_request_error');
		}
		const { turn } = played;
		const completionId = id('chatcmpl-');
		const created = Math.floor(Date.now() / 1000);
		const promptTokens = tokens(JSON.stringify(body.messages ?? []));
		const calls = 'toolCalls' in turn ? turn.toolCalls.map((t) => ({ id: id('call_'), type: 'function', function: { name: t.tool, arguments: JSON.stringify(t.arguments) } })) : [];
		const text = 'text' in turn ? turn.text : '';
		ctx.count(calls.length ? 'toolCallsRequested' : 'finalAnswers', calls.length || 1);
		const finish = calls.length ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: promptTokens, completion_tokens: tokens(text + JSON.stringify(calls)), total_tokens: 0 };
		usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
		const base = { id: completionId, created, model: c.model, system_fingerprint: 'fp_sandbox' };
		if (!c.stream) {
			// contract: chat-answer — one choice; `content` is null when the model calls tools.
			return json(200, {
				...base,
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: calls.length ? null : text, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) }, logprobs: null, finish_reason: finish }],
				usage,
			});
		}
		// contract: chat-stream — the role first, then content pieces or each call's id and name followed by
		// its arguments, a last chunk with finish_reason, a usage chunk with no choices when asked for, then [DONE].
		const chunk = (delta: Obj, finishReason: string | null = null) => ({ data: { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] } });
		const events: Array<{ data: Obj }> = [chunk({ role: 'assistant', content: calls.length ? null : '' })];
		if (calls.length) {
			calls.forEach((call, index) => {
				events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
				for (const part of pieces(call.function.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
			});
		} else {
			for (const part of pieces(text)) events.push(chunk({ content: part }));
		}
		events.push(chunk({}, finish));
		if (body.stream_options?.include_usage) events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
		return sse(events, true);
	}

	function responses(body: Obj, ctx: ServiceContext): SandboxReply {
		const c = readResponses(body);
		conversations.push(c);
		ctx.count('responses');
		const played = play(c);
		if ('problem' in played) {
			scriptErrors.push(played.problem);
			return openAiError(400, `sandbox model: ${played.problem}`, 'invalid_request_error');
		}
		const { turn } = played;
		const text = 'text' in turn ? turn.text : '';
		const output: Obj[] =
			'toolCalls' in turn
				? turn.toolCalls.map((t) => ({ type: 'function_call', id: id('fc_'), call_id: id('call_'), name: t.tool, arguments: JSON.stringify(t.arguments), status: 'completed' }))
				: [{ type: 'message', id: id('msg_'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] }];
		ctx.count('toolCalls' in turn ? 'toolCallsRequested' : 'finalAnswers', 'toolCalls' in turn ? turn.toolCalls.length : 1);
		const inputTokens = tokens(JSON.stringify(body.input ?? ''));
		const outputTokens = tokens(JSON.stringify(output));
		// contract: responses-answer — `output` holds function_call items or one assistant message.
		const response = {
			id: id('resp_'),
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status: 'completed',
			error: null,
			incomplete_details: null,
			model: c.model,
			output,
			parallel_tool_calls: body.parallel_tool_calls ?? true,
			tool_choice: body.tool_choice ?? 'auto',
			tools: body.tools ?? [],
			text: { format: { type: 'text' } },
			usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
		};
		if (!c.stream) return json(200, response);
		// contract: responses-stream — response.created, each output item added, its argument or text deltas, done, then
		// response.completed carrying the whole response. No [DONE]: the stream just ends.
		let sequence = 0;
		const event = (type: string, data: Obj) => ({ event: type, data: { type, sequence_number: sequence++, ...data } });
		const events = [event('response.created', { response: { ...response, status: 'in_progress', output: [] } })];
		output.forEach((item, outputIndex) => {
			if (item.type === 'function_call') {
				events.push(event('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } }));
				for (const part of pieces(item.arguments)) events.push(event('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: part }));
				events.push(event('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: item.arguments }));
			} else {
				events.push(event('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [], status: 'in_progress' } }));
				for (const part of pieces(text)) events.push(event('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: part }));
				events.push(event('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text }));
			}
			events.push(event('response.output_item.done', { output_index: outputIndex, item }));
		});
		events.push(event('response.completed', { response }));
		return sse(events, false);
	}

	const handler = (req: SandboxRequest, ctx: ServiceContext): SandboxReply => {
		// contract: record
		received.push({ method: req.method, path: req.path, headers: { ...req.headers }, body: req.body.toString('utf8') });
		if (received.length > 2000) received.splice(0, received.length - 2000);
		transcript.push(received[received.length - 1].body);
		// contract: base-url — the SDK appends paths to the Base URL, with or without the /v1 a user types.
		const path = req.path.replace(/^\/v1(?=\/)/, '');
		const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
		if (auth !== sandbox.apiKey) {
			// contract: auth — the key shown only by its last four characters.
			const shown = auth ? `${auth.slice(0, 3)}***${auth.slice(-4)}` : '';
			return openAiError(401, auth ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.` : 'You didn\'t provide an API key.', 'invalid_request_error', auth ? 'invalid_api_key' : null);
		}
		if (req.method === 'GET' && path === '/models') {
			// contract: models
			return json(200, { object: 'list', data: sandbox.models.map((m) => ({ id: m, object: 'model', created: 1_700_000_000, owned_by: 'sandbox' })) });
		}
		if (req.method === 'POST' && (path === '/chat/completions' || path === '/responses')) {
			const body = req.json();
			if (!body || typeof body !== 'object') return openAiError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
			return path === '/responses' ? responses(body as Obj, ctx) : chatCompletions(body as Obj, ctx);
		}
		return openAiError(404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error');
	};

	const service = await startService({ name: 'openai', handler, certs: options.certs, port: options.port, host: options.host });
	const sandbox: OpenAiSandbox = Object.assign(service, {
		apiKey,
		script: options.script ?? onboardingScript,
		models: ['gpt-4o-mini', 'gpt-4.1-mini', 'sandbox-scripted'],
		received,
		transcript,
		conversations,
		scriptErrors,
	});
	const reset = service.resetCounters;
	sandbox.resetCounters = () => {
		reset();
		received.length = 0;
		conversations.length = 0;
		scriptErrors.length = 0;
	};
	return sandbox;
}

/** For `npm run sandbox` (sandbox/cli.ts): how to fill n8n's OpenAI credential to use the scripted model. */
export function printOpenAi(sandbox: { openai: OpenAiSandbox }, dir: string) {
	const o = sandbox.openai;
	console.log(`Scripted model  (n8n's credential "OpenAi", used by the OpenAI Chat Model node)
  API Key: ${o.apiKey}
  Base URL: ${o.url}/v1
  n8n must trust the sandbox CA: start n8n with NODE_EXTRA_CA_CERTS=${dir}/ca.crt
  Models: ${o.models.join(', ')}; it answers as examples/onboarding-assistant.json expects (a CPF and an email in the message)
`);
}
