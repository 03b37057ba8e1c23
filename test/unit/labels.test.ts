/**
 * Labels a person can read, on every node and credential: no label reads as code, every operation's subtitle is
 * its action text (evaluated by n8n-workflow's own expression engine, as the canvas does), never "getAll: card".
 */
import { NodeHelpers, Workflow, type INodeType, type INodeTypeDescription, type INodePropertyOptions } from 'n8n-workflow';
import { ClaraApi } from '../../credentials/ClaraApi.credentials';
import { ClaroFaceMatchApi } from '../../credentials/ClaroFaceMatchApi.credentials';
import { CleverTapApi } from '../../credentials/CleverTapApi.credentials';
import { ConfermaPayApi } from '../../credentials/ConfermaPayApi.credentials';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaraTrigger } from '../../nodes/Clara/ClaraTrigger.node';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { ConfermaPayTrigger } from '../../nodes/ConfermaPay/ConfermaPayTrigger.node';
import { looksRaw } from '../editor/labels';

const nodes: INodeType[] = [new Clara(), new ClaraTrigger(), new ClaroFaceMatch(), new CleverTap(), new ConfermaPay(), new ConfermaPayTrigger()];
const credentials = [new ClaraApi(), new ClaroFaceMatchApi(), new CleverTapApi(), new ConfermaPayApi()];

/** Every label a person can see: display names, option names, action texts. */
function labels(properties: INodeTypeDescription['properties']): string[] {
	const out: string[] = [];
	const visit = (list: unknown[]) => {
		for (const p of list as Array<Record<string, unknown>>) {
			for (const key of ['displayName', 'name', 'action'] as const) {
				// `name` is a label only on options (they have `value`); on a parameter it is the internal name.
				if (typeof p[key] === 'string' && (key !== 'name' || 'value' in p)) out.push(p[key] as string);
			}
			if (Array.isArray(p.options)) visit(p.options);
			if (Array.isArray(p.values)) visit(p.values);
		}
	};
	visit(properties);
	return out;
}

test.each([...nodes.map((n) => [n.description.displayName, n.description.properties] as const), ...credentials.map((c) => [c.displayName, c.properties] as const)])(
	'%s: no label reads as code',
	(_name, properties) => {
		const all = labels(properties);
		expect(all.length).toBeGreaterThan(3);
		expect(all.filter(looksRaw)).toEqual([]);
	},
);

/** The subtitle the canvas shows for a node with these parameters, through n8n's expression engine. */
function subtitle(type: INodeType, parameters: Record<string, unknown>): unknown {
	const node = { id: '1', name: 'N', type: `x.${type.description.name}`, typeVersion: 1, position: [0, 0] as [number, number], parameters: parameters as never };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) } as never });
	return workflow.expression.getSimpleParameterValue(node, type.description.subtitle, 'internal', {});
}

describe.each(nodes.filter((n) => n.description.properties.some((p) => p.name === 'operation')).map((n) => [n.description.displayName, n] as const))(
	'%s: the subtitle is the action text of each operation',
	(_name, type) => {
		const cases = type.description.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => (p.displayOptions!.show!.resource as string[]).flatMap((resource) => (p.options as INodePropertyOptions[]).map((o) => [resource, String(o.value), o.action] as const)));
		test.each(cases)('%s / %s → "%s"', (resource, operation, action) => {
			expect(action).toBeTruthy();
			expect(subtitle(type, { resource, operation })).toBe(action);
		});
	},
);

test('Conferma Pay Trigger: the subtitle names the events, not their ids', () => {
	const trigger = new ConfermaPayTrigger();
	expect(subtitle(trigger, { events: ['98'] })).toBe('Card authorisation');
	expect(subtitle(trigger, { events: ['98', '*'] })).toBe('Card authorisation, Any event');
	expect(subtitle(trigger, { events: ['12'] })).toBe('event 12');
});

test('Claro Face Match: a new node and its tool get a short name the canvas shows whole', () => {
	const { description } = new ClaroFaceMatch();
	// The tool variant n8n makes of a usableAsTool node outputs ai_tool; its default name says "… in <default name>".
	const tool = { ...description, outputs: ['ai_tool'] } as unknown as INodeTypeDescription;
	const parameters = { resource: 'facialBiometrics', operation: 'check' };
	expect(NodeHelpers.makeNodeName(parameters, description)).toBe('Face Match');
	expect(NodeHelpers.makeNodeName(parameters, tool)).toBe('Face Match');
	expect(description.name).toBe('claroFaceMatch');
});

// Certificates are public: Clara's two are named so (n8n's Cloud rule set, which the verified edition must pass,
// masks any field named like a certificate unless its name says "pub") and shown as pasted, for a person to check.
// The other CA fields still have the plain name, so they stay masked.
test('Clara’s certificates are shown; private keys, passphrases, secrets and other certificates are masked; PEM fields are several lines high', () => {
	const shown = (credential: { properties: Array<{ name: string; typeOptions?: { password?: boolean } }> }) =>
		credential.properties.filter((p) => /certificate$/i.test(p.name) && !p.typeOptions?.password).map((p) => p.name);
	expect(credentials.map((c) => [c.name, shown(c)])).toEqual([
		['claraApi', ['publicCertificate', 'caPublicCertificate']],
		['claroFaceMatchApi', []],
		['cleverTapApi', []],
		['confermaPayApi', []],
	]);
	for (const credential of credentials) {
		for (const property of credential.properties) {
			if (/certificate$/i.test(property.name)) {
				const masked = !/public/i.test(property.name);
				expect([credential.name, property.name, property.typeOptions?.password ?? false, property.typeOptions?.rows]).toEqual([credential.name, property.name, masked, 4]);
			}
			if (/privateKey|passphrase|secret|passcode/i.test(property.name)) expect([credential.name, property.name, property.typeOptions?.password]).toEqual([credential.name, property.name, true]);
		}
	}
});
