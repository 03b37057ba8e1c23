/**
 * The scripted model over real HTTPS, as a raw client sees it (the contract rows of sandbox/contracts/openai.md).
 * That n8n's own OpenAI Chat Model reads these answers is proven in the real app (test/real-n8n/agent.test.ts).
 */
import { closeAllAgents, send, type HttpRequest } from '../../nodes/transport';
import { generateCertificates } from '../../sandbox/certs';
import { lastToolResult, onboardingScript, scripted, startOpenAi, type Conversation, type OpenAiSandbox } from '../../sandbox/openai';
import type { SandboxCerts } from '../../sandbox/types';

let certs: SandboxCerts;
let openai: OpenAiSandbox;

beforeAll(async () => {
	certs = await generateCertificates();
	openai = await startOpenAi({ certs });
});
afterAll(async () => {
	await closeAllAgents();
	await openai.close();
});
beforeEach(() => openai.resetCounters());

type Body = Record<string, any>;
const call = async (req: Omit<HttpRequest, 'url'> & { path: string }, key = openai.apiKey) => {
	const res = await send({ ...req, url: `${openai.url}${req.path}`, headers: { authorization: `Bearer ${key}`, ...req.headers } }, { tls: { ca: certs.ca.cert }, retry: { retries: 0 } });
	return { status: res.status, body: res.body as Body };
};
/** A streamed answer is server-sent events: their `data` lines, parsed (the [DONE] line as the string). */
const events = (text: unknown) =>
	String(text)
		.split('\n\n')
		.filter(Boolean)
		.map((block) => block.split('\n').find((l) => l.startsWith('data: '))!.slice(6))
		.map((data) => (data === '[DONE]' ? data : JSON.parse(data)));

const checkTool = { type: 'function', function: { name: 'Check_Face_Match', description: 'Check a CPF', parameters: { type: 'object', properties: { cpf: { type: 'string' } }, required: ['cpf'] } } };
const recordTool = { type: 'function', function: { name: 'Record_Outcome', description: 'Record', parameters: { type: 'object', properties: { email: { type: 'string' }, result: { type: 'string' } } } } };
const user = { role: 'user', content: 'Onboard Ana: CPF 111.444.777-35, email ana@example.com.' };
const script = scripted([{ toolCalls: [{ tool: 'check face match', arguments: { cpf: '111.444.777-35' } }] }, (c) => ({ text: `Tool said: ${lastToolResult(c)}` })]);

test('a wrong or missing API key: 401 in OpenAI\'s error envelope, the key shown only by its end', async () => {
	const wrong = await call({ method: 'GET', path: '/v1/models' }, 'sk-wrong-key-1234');
	expect(wrong).toEqual({ status: 401, body: { error: { message: expect.stringMatching(/^Incorrect API key provided: sk-\*\*\*1234\./), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
	const none = await send({ method: 'GET', url: `${openai.url}/v1/models` }, { tls: { ca: certs.ca.cert }, retry: { retries: 0 } });
	expect(none.status).toBe(401);
});

test('/models lists the model ids, with and without /v1', async () => {
	for (const path of ['/v1/models', '/models']) {
		const { status, body } = await call({ method: 'GET', path });
		expect(status).toBe(200);
		expect(body.object).toBe('list');
		expect(body.data.map((m: Body) => m.id)).toEqual(openai.models);
	}
});

test('chat completions, not streamed: a tool call turn, then a text turn built from the tool result', async () => {
	openai.script = script;
	const first = await call({ method: 'POST', path: '/v1/chat/completions', json: { model: 'gpt-4o-mini', messages: [user], tools: [checkTool, recordTool] } });
	expect(first.status).toBe(200);
	const [choice] = first.body.choices;
	expect(first.body.object).toBe('chat.completion');
	expect(choice).toMatchObject({ finish_reason: 'tool_calls', message: { role: 'assistant', content: null } });
	const [toolCall] = choice.message.tool_calls;
	expect(toolCall).toMatchObject({ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'Check_Face_Match', arguments: '{"cpf":"111.444.777-35"}' } });
	const second = await call({
		method: 'POST',
		path: '/v1/chat/completions',
		json: { model: 'gpt-4o-mini', tools: [checkTool], messages: [user, choice.message, { role: 'tool', tool_call_id: toolCall.id, content: '[{"found":true}]' }] },
	});
	expect(second.body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Tool said: [{"found":true}]' } });
	expect(second.body.usage.total_tokens).toBe(second.body.usage.prompt_tokens + second.body.usage.completion_tokens);
	expect(openai.conversations[1].toolResults).toEqual([{ callId: toolCall.id, tool: 'Check_Face_Match', arguments: '{"cpf":"111.444.777-35"}', content: '[{"found":true}]' }]);
	expect(openai.counters.custom).toMatchObject({ chatCompletions: 2, toolCallsRequested: 1, finalAnswers: 1 });
});

test('chat completions, streamed: role, the call in pieces by index, finish_reason, usage when asked, [DONE]', async () => {
	openai.script = script;
	const res = await send(
		{ method: 'POST', url: `${openai.url}/v1/chat/completions`, headers: { authorization: `Bearer ${openai.apiKey}` }, json: { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [user], tools: [checkTool] } },
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
	const chunks = events(res.body);
	expect(chunks.at(-1)).toBe('[DONE]');
	const data = chunks.slice(0, -1) as Body[];
	expect(data[0].choices[0].delta.role).toBe('assistant');
	const args = data.flatMap((c) => c.choices.flatMap((ch: Body) => ch.delta.tool_calls ?? [])).map((t: Body) => t.function.arguments).join('');
	expect(JSON.parse(args)).toEqual({ cpf: '111.444.777-35' });
	expect(data.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
	expect(data.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
});

test('responses, not streamed and streamed: function_call items, then an output_text message', async () => {
	openai.script = script;
	const input = [{ role: 'user', content: [{ type: 'input_text', text: user.content }] }];
	const tools = [{ type: 'function', name: 'Check_Face_Match', description: 'Check a CPF', parameters: checkTool.function.parameters }];
	const first = await call({ method: 'POST', path: '/v1/responses', json: { model: 'm', input, tools } });
	expect(first.body).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'function_call', name: 'Check_Face_Match', arguments: '{"cpf":"111.444.777-35"}' }] });
	const { call_id } = first.body.output[0];
	const res = await send(
		{
			method: 'POST',
			url: `${openai.url}/v1/responses`,
			headers: { authorization: `Bearer ${openai.apiKey}` },
			json: { model: 'm', stream: true, tools, input: [...input, first.body.output[0], { type: 'function_call_output', call_id, output: '[{"found":true}]' }] },
		},
		{ tls: { ca: certs.ca.cert }, retry: { retries: 0 } },
	);
	const streamed = events(res.body) as Body[];
	expect(streamed.map((e) => e.type)).toEqual([
		'response.created',
		'response.output_item.added',
		...streamed.filter((e) => e.type === 'response.output_text.delta').map(() => 'response.output_text.delta'),
		'response.output_text.done',
		'response.output_item.done',
		'response.completed',
	]);
	expect(streamed.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe('Tool said: [{"found":true}]');
	expect(streamed.at(-1)!.response.output[0].content[0].text).toBe('Tool said: [{"found":true}]');
	expect(openai.counters.custom).toMatchObject({ responses: 2 });
});

test('a script that calls a tool the request does not offer is a 400 and a script error, not a silent answer', async () => {
	openai.script = scripted([{ toolCalls: [{ tool: 'Delete_Everything', arguments: {} }] }]);
	const res = await call({ method: 'POST', path: '/v1/chat/completions', json: { model: 'm', messages: [user], tools: [checkTool] } });
	expect(res.status).toBe(400);
	expect(openai.scriptErrors).toEqual(['the script calls tool "Delete_Everything", but the request offers only: Check_Face_Match']);
	openai.scriptErrors.length = 0;
});

test('scripted(): the step is chosen by the tool results already in the request, parallel calls counted one by one', () => {
	const play = scripted([{ toolCalls: [{ tool: 'a', arguments: {} }, { tool: 'b', arguments: {} }] }, { toolCalls: [{ tool: 'c', arguments: {} }] }, { text: 'done' }]);
	const at = (results: number): Conversation => ({ api: 'responses', model: '', stream: false, system: '', userMessages: [], tools: [], toolResults: Array.from({ length: results }, (_, i) => ({ callId: String(i), content: '' })) });
	expect(play(at(0))).toEqual({ toolCalls: [{ tool: 'a', arguments: {} }, { tool: 'b', arguments: {} }] });
	expect(play(at(1))).toEqual(play(at(0))); // one of two parallel results in: a retry of the same turn
	expect(play(at(2))).toEqual({ toolCalls: [{ tool: 'c', arguments: {} }] });
	expect(play(at(3))).toEqual({ text: 'done' });
});

test('the default script tells tools apart by their arguments: the CPF one first, then the email one with the outcome', () => {
	const tools = [
		{ name: 'Record_Outcome', description: 'Record the outcome of a Face Match check', parameters: recordTool.function.parameters },
		{ name: 'Check', description: 'x', parameters: checkTool.function.parameters },
	];
	const c: Conversation = { api: 'chat.completions', model: '', stream: false, system: '', userMessages: [user.content], tools, toolResults: [] };
	expect(onboardingScript(c)).toEqual({ toolCalls: [{ tool: 'Check', arguments: { cpf: '111.444.777-35' } }] });
	c.toolResults.push({ callId: '1', tool: 'Check', content: '[{"found":false}]' });
	expect(onboardingScript(c)).toEqual({ toolCalls: [{ tool: 'Record_Outcome', arguments: { email: 'ana@example.com', result: 'not_found' } }] });
	c.toolResults.push({ callId: '2', tool: 'Record_Outcome', content: '[{"uploaded":true}]' });
	expect(onboardingScript(c)).toEqual({ text: 'Face Match answered: [{"found":false}]\nCleverTap answered: [{"uploaded":true}]' });
});

test('every request is kept verbatim (what tests grep for secrets and CPFs)', async () => {
	openai.script = script;
	const json = { model: 'm', messages: [user], tools: [checkTool] };
	await call({ method: 'POST', path: '/v1/chat/completions', json });
	expect(openai.received).toEqual([expect.objectContaining({ method: 'POST', path: '/v1/chat/completions', body: JSON.stringify(json) })]);
});
