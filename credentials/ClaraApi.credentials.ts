import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Clara needs two things on every data call: an OAuth 2.0 token (client id + secret) and mutual TLS (the client
 * certificate and key Clara issued). The diagnostic credential test lives on the node (`testedBy`), because it
 * needs our mTLS transport and reports which step failed. No declarative `test` here: n8n runs a credential's
 * own `test` in preference to the node's `testedBy` (credentials-tester.service, n8n 2.8.4), and a plain
 * request cannot present the client certificate — the real-n8n test caught it answering "self-signed certificate".
 */
export class ClaraApi implements ICredentialType {
	name = 'claraApi';

	displayName = 'Clara API';

	icon = { light: 'file:../nodes/Clara/clara.svg', dark: 'file:../nodes/Clara/clara.dark.svg' } as const;

	documentationUrl = 'https://github.com/fintech-identity/n8n-nodes-fintech-identity/blob/main/docs/credentials/clara.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Sandbox (/api-test/)', value: 'sandbox' },
			],
			default: 'production',
		},
		{
			displayName: 'Country',
			name: 'country',
			type: 'options',
			options: [
				{ name: 'Mexico', value: 'mx' },
				{ name: 'Colombia', value: 'co' },
				{ name: 'Brazil', value: 'br' },
			],
			default: 'mx',
			description: 'Clara issues API credentials per country; use the country of your Clara account',
		},
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '', required: true },
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Client Certificate',
			// Public, so shown as pasted, for a person to check. n8n's Cloud rules (which the verified edition must pass,
			// lint comments ignored) want any field whose name holds "cert" masked, unless the name says "pub".
			name: 'publicCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'The client certificate (PEM) Clara issued for this API project',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: 'PEM private key (the .key file)',
			description: 'The private key (PEM) of the client certificate',
		},
		{
			displayName: 'Passphrase',
			name: 'passphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only if the private key is encrypted',
		},
		{
			displayName: 'Clara CA Certificate',
			// Public too, and named so for the same rule.
			name: 'caPublicCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: "Clara's CA certificate (PEM), trusted in addition to the system's CAs",
		},
		{
			displayName: 'Tax Identifier',
			name: 'taxIdentifier',
			type: 'string',
			default: '',
			description: 'For multi-entity accounts: the RFC, CNPJ or NIT of the entity to read (sent as X-Tax-Identifier)',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://127.0.0.1:8443/{country}',
			description: 'Leave empty for Clara. A proxy or the local sandbox; {country} is replaced by the country code.',
		},
	];
}
