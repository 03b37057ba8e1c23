/**
 * nodes/transport/items.ts `itemParameter` inside n8n's engine: for `{{ $json.field }}` and
 * `{{ $('Node').item.json.field }}` it reads the item itself instead of asking n8n's expression engine, and must give
 * exactly what the engine gives. Each case runs a node that asks both ways for every item and counts how often it
 * had to fall back to n8n.
 */
import type { IDataObject, IExecuteFunctions, INodeType } from 'n8n-workflow';
import { fieldPath, itemParameter } from '../../nodes/transport';
import { runWorkflow, type HarnessNode } from '../harness/n8n';

let fallbacks = 0;
/** The parameter Echo asks for: `value`, or one inside a collection. */
let asked = 'value';

const echoNode: INodeType = {
	description: {
		displayName: 'Echo',
		name: 'echo',
		group: ['transform'],
		version: 1,
		description: 'Reads one parameter both ways',
		defaults: { name: 'Echo' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			{
				displayName: 'Rows',
				name: 'rows',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				options: [{ displayName: 'Row', name: 'row', values: [{ displayName: 'Value', name: 'value', type: 'string', default: '' }] }],
			},
		],
	},
	async execute(this: IExecuteFunctions) {
		const n8n = this.getNodeParameter.bind(this);
		// Counts the calls itemParameter makes to n8n (the direct read makes none).
		const counting = Object.create(this, {
			getNodeParameter: { value: (...args: Parameters<IExecuteFunctions['getNodeParameter']>) => (fallbacks++, (n8n as any)(...args)) },
		}) as IExecuteFunctions;
		return [
			this.getInputData().map((_, i) => {
				const ours = itemParameter(counting, asked, i);
				return { json: { ours: ours === undefined ? '(undefined)' : (ours as any), n8n: n8n(asked, i, '') as any }, pairedItem: { item: i } };
			}),
		];
	},
};

/** Gives its input items back in reverse order with other fields, each paired to the item it came from. */
const reshapeNode: INodeType = {
	description: { ...echoNode.description, displayName: 'Reshape', name: 'reshape', description: 'Reverses and replaces the items', defaults: { name: 'Reshape' }, properties: [] },
	async execute(this: IExecuteFunctions) {
		const input = this.getInputData();
		return [input.map((_, i) => ({ json: { reshaped: true }, pairedItem: { item: i } })).reverse()];
	},
};

const items: IDataObject[] = [
	{ uuid: 'b7d3-01', body: { cpf: '111.444.777-35', 'first name': 'Ana' }, n: 42, zero: 0, empty: '', obj: { a: 1 }, list: ['x'], flag: true, nil: null },
	{ uuid: 'b7d3-02', body: { cpf: '529.982.247-25', 'first name': "O'Neil" }, n: -1.5, zero: 0, empty: '', obj: {}, list: [], flag: false, nil: null },
];

/** Items → (`before`) → Echo, each item's value asked both ways. */
async function both(value: string, before: HarnessNode[] = [], inCollection = false) {
	fallbacks = 0;
	asked = inCollection ? 'rows.row[1].value' : 'value';
	const parameters = inCollection ? { rows: { row: [{ value: 'first row' }, { value }] } } : { value };
	const res = await runWorkflow({ nodes: [...before, { name: 'Echo', nodeType: echoNode, parameters }], items });
	if (res.error) throw res.error;
	return { rows: res.output('Echo').map((item) => item.json), fallbacks };
}

/** Items → Reshape → Echo: an expression naming 'Items' must follow the pairing back through Reshape's reversal. */
const bothFromEarlierNode = (value: string) => both(value, [{ name: 'Reshape', nodeType: reshapeNode }]);

type Both = Awaited<ReturnType<typeof both>>;

/** Read by itemParameter itself: n8n's value, and not one call to n8n. */
function expectReadDirectly({ rows, fallbacks }: Both, expected: unknown[]) {
	expect(rows.map((r) => r.n8n)).toEqual(expected);
	expect(rows.map((r) => r.ours)).toEqual(expected);
	expect(fallbacks).toBe(0);
}

/** Left to n8n for every item, so the value is n8n's. */
function expectLeftToN8n({ rows, fallbacks }: Both) {
	expect(rows.map((r) => r.ours)).toEqual(rows.map((r) => (r.n8n === undefined ? '(undefined)' : r.n8n)));
	expect(fallbacks).toBe(items.length);
}

describe('itemParameter: {{ $json.field }} read from the item gives what n8n gives', () => {
	test.each([
		['={{ $json.uuid }}', ['b7d3-01', 'b7d3-02']],
		['={{$json.uuid}}', ['b7d3-01', 'b7d3-02']],
		['={{ $json.body.cpf }}', ['111.444.777-35', '529.982.247-25']],
		["={{ $json.body['first name'] }}", ['Ana', "O'Neil"]],
		['={{ $json["body"]["cpf"] }}', ['111.444.777-35', '529.982.247-25']],
		['={{ $json.n }}', [42, -1.5]],
		['={{ $json.zero }}', [0, 0]],
		['={{ $json.empty }}', ['', '']],
	])('%s is read without the expression engine', async (value, expected) => {
		expectReadDirectly(await both(value), expected);
	});

	test.each([
		// Text around the braces joins the value, so these are n8n's to evaluate.
		['={{ $json.uuid }} '],
		['= {{ $json.uuid }}'],
		['=id-{{ $json.uuid }}'],
		// Anything but a plain path.
		['={{ $json.uuid.toUpperCase() }}'],
		['={{ $json.uuid || "none" }}'],
		['={{ $json.list[0] }}'],
		['={{ $json.uuid }}{{ $json.n }}'],
		['={{ $input.item.json.uuid }}'],
		// Paths that hold no text or number, or are not the item's own fields.
		['={{ $json.missing }}'],
		['={{ $json.missing.deeper }}'],
		['={{ $json.obj }}'],
		['={{ $json.flag }}'],
		['={{ $json.nil }}'],
		['={{ $json.uuid.length }}'],
		// Not an expression at all.
		['$json.uuid'],
		['{{ $json.uuid }}'],
	])('%s goes through n8n and gives what n8n gives', async (value) => {
		expectLeftToN8n(await both(value));
	});

	test("a name n8n refuses to evaluate is left to n8n, which refuses it", async () => {
		await expect(both('={{ $json.constructor }}')).rejects.toMatchObject({ name: 'ExpressionError', message: expect.stringMatching(/constructor/) });
		expect(fallbacks).toBe(1);
	});

	test('the path is read from the raw parameter', () => {
		expect(fieldPath('={{ $json.a.b_c.$d }}')).toEqual({ node: null, path: ['a', 'b_c', '$d'] });
		expect(fieldPath(`={{ $json['a b']["c"] }}`)).toEqual({ node: null, path: ['a b', 'c'] });
		expect(fieldPath(`={{ $('Sign up').item.json.body.email }}`)).toEqual({ node: 'Sign up', path: ['body', 'email'] });
		expect(fieldPath('={{ $("Signup").item.json["e mail"] }}')).toEqual({ node: 'Signup', path: ['e mail'] });
		expect(fieldPath('={{ $json }}')).toBeNull();
		expect(fieldPath("={{ $('Signup').item.json }}")).toBeNull();
		expect(fieldPath(42)).toBeNull();
	});

	test('a parameter inside a collection (rows.row[1].value, as getNodeParameter names it) is read the same way', async () => {
		expectReadDirectly(await both('={{ $json.n }}', [], true), [42, -1.5]);
		expectReadDirectly(await both('={{ $json.list.length }}', [], true), [1, 0]);
		expectLeftToN8n(await both('={{ $json.n + 1 }}', [], true));
	});
});

describe("itemParameter: {{ $('Node').item.json.field }} read through n8n's data proxy gives what n8n gives", () => {
	// Reshape reversed the items: the paired item of Echo's first item is the second input item.
	test.each([
		["={{ $('Items').item.json.uuid }}", ['b7d3-02', 'b7d3-01']],
		['={{ $("Items").item.json.body.cpf }}', ['529.982.247-25', '111.444.777-35']],
		["={{ $('Items').item.json.body['first name'] }}", ["O'Neil", 'Ana']],
		["={{$('Items').item.json.n}}", [-1.5, 42]],
		["={{ $('Items').item.json.zero }}", [0, 0]],
	])('%s is read without the expression engine', async (value, expected) => {
		expectReadDirectly(await bothFromEarlierNode(value), expected);
	});

	test.each([
		["={{ $('Items').first().json.uuid }}"],
		["={{ $('Items').last().json.uuid }}"],
		["={{ $('Items').all()[1].json.uuid }}"],
		["={{ $('Items').item.json.uuid }} "],
		["={{ $('Items').item.json.uuid.toUpperCase() }}"],
		["={{ $('Items').item.json.missing }}"],
		["={{ $('Items').item.json.obj }}"],
		["={{ $('Items').item.json.nil }}"],
		["={{ $('Items').itemMatching(0).json.uuid }}"],
		["={{ $node['Items'].json.uuid }}"],
		// The immediate parent's field, but a boolean: not text or a number.
		["={{ $('Reshape').item.json.reshaped }}"],
	])('%s goes through n8n and gives what n8n gives', async (value) => {
		expectLeftToN8n(await bothFromEarlierNode(value));
	});

	test('a node that is not in the workflow is left to n8n, which refuses it', async () => {
		await expect(bothFromEarlierNode("={{ $('Nowhere').item.json.uuid }}")).rejects.toMatchObject({ message: "Referenced node doesn't exist" });
		expect(fallbacks).toBe(1);
	});

	test('items whose pairing is lost are left to n8n, which refuses them', async () => {
		// Three items out of two, none saying where it came from: n8n cannot tell which input item each one is.
		const fan: INodeType = { ...reshapeNode, execute: async () => [[{ json: {} }, { json: {} }, { json: {} }]] };
		await expect(both("={{ $('Items').item.json.uuid }}", [{ name: 'Fan', nodeType: fan }])).rejects.toMatchObject({ message: expect.stringMatching(/paired item|Paired item/) });
		expect(fallbacks).toBe(1);
	});
});
