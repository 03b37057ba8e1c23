import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Claro's API gateway (Apigee) issues a client-credentials token for a key and secret sent as
 * `x-client-auth: Basic base64(key:secret)`. The diagnostic credential test lives on the node (`testedBy`): it
 * uses the package's transport and says whether the key/secret or the host is wrong.
 */
export class ClaroFaceMatchApi implements ICredentialType {
	name = 'claroFaceMatchApi';

	displayName = 'Claro Face Match API';

	icon = { light: 'file:../nodes/ClaroFaceMatch/claroFaceMatch.svg', dark: 'file:../nodes/ClaroFaceMatch/claroFaceMatch.dark.svg' } as const;

	documentationUrl = 'https://github.com/fintech-identity/n8n-nodes-fintech-identity/blob/main/docs/credentials/claro-face-match.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production (api.claro.com.br)', value: 'production' },
				{ name: 'Sandbox (api-sandbox.claro.com.br)', value: 'sandbox' },
				{ name: 'Test (api-test.claro.com.br)', value: 'test' },
				{ name: 'Dev (api-dev.claro.com.br)', value: 'dev' },
				{ name: 'Lab (api-lab.claro.com.br)', value: 'lab' },
			],
			default: 'production',
			description: 'Claro issues keys per environment',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the key is half of the Basic credential Claro checks
		{
			displayName: 'Key',
			name: 'key',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The app key (consumer key) from the Claro API portal',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://127.0.0.1:8443',
			description: 'Leave empty for Claro. A proxy or the local sandbox; wins over Environment.',
		},
		{
			displayName: 'CA Certificate',
			name: 'caCertificate',
			type: 'string',
			// Public, but n8n's Cloud rules (which the verified edition must pass, lint comments ignored) mask every
			// field named like a certificate: both editions share this file. Pasted PEM keeps working (nodes/transport/pem.ts).
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: "Only for a base URL whose server certificate is issued by a private CA (a corporate proxy, the local sandbox); trusted in addition to the system's CAs",
		},
	];
}
