/**
 * Every action node registers its description for the check of option fields that hold an expression (runPerItem
 * runs it before any operation reads a field), so a node added later cannot skip it by forgetting to. The check
 * itself, in n8n's engine against the sandbox, is in test/transport/told-truly.test.ts.
 */
import type { INodeProperties, INodeType } from 'n8n-workflow';
import { Clara } from '../../nodes/Clara/Clara.node';
import { ClaroFaceMatch } from '../../nodes/ClaroFaceMatch/ClaroFaceMatch.node';
import { CleverTap } from '../../nodes/CleverTap/CleverTap.node';
import { ConfermaPay } from '../../nodes/ConfermaPay/ConfermaPay.node';
import { optionChoices } from '../../nodes/transport/option-values';

test.each([new Clara(), new ClaroFaceMatch(), new CleverTap(), new ConfermaPay()] as INodeType[])('$description.displayName: an options field from an expression is checked, on the node and its Tool copy', (node) => {
	const field = node.description.properties.find((p: INodeProperties) => p.type === 'options' && Array.isArray(p.options) && !p.displayOptions)!;
	for (const type of [`n8n-nodes-fintech-identity.${node.description.name}`, `n8n-nodes-fintech-identity.${node.description.name}Tool`]) {
		const choices = optionChoices({ getNode: () => ({ id: '1', name: 'N', type, typeVersion: 1, position: [0, 0], parameters: { [field.name]: "={{ 'x' }}" } }) });
		expect(choices.map((c) => c.label)).toEqual([field.displayName]);
	}
});
