import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Conferma Pay: OAuth 2.0 client credentials (Basic id:secret) with the platform key name as `scope`. Conferma
 * revokes every other token of the platform when it issues one, so the token is never taken here (no
 * `authenticate`/`preAuthentication`, which would take one per credential test or per request): the node's shared
 * token helper takes one and reuses it everywhere. The credential test lives on the node (`testedBy`).
 */
export class ConfermaPayApi implements ICredentialType {
	name = 'confermaPayApi';

	displayName = 'Conferma Pay API';

	icon = { light: 'file:../nodes/ConfermaPay/confermaPay.svg', dark: 'file:../nodes/ConfermaPay/confermaPay.dark.svg' } as const;

	documentationUrl = 'https://github.com/fintech-identity/n8n-nodes-fintech-identity/blob/main/docs/credentials/conferma-pay.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Cert (Test)', value: 'cert' },
				{ name: 'Production', value: 'production' },
			],
			default: 'cert',
			description: 'Cert is Conferma\'s test environment (api.cert-confermapay.com). Production runs on the host Conferma gives your company: fill Base URL and Token URL below.',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Platform Key Name',
			name: 'platformKeyName',
			// eslint-disable-next-line n8n-nodes-base/cred-class-field-type-options-password-missing -- a name, not a secret: the user needs to read it to check it
			type: 'string',
			default: '',
			required: true,
			description: 'The platform key name (pkn) of your client platform application, sent as the token request\'s scope',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.cert-confermapay.com',
			description: 'Production: the API host Conferma gave you. Cert: leave empty. Also a proxy or the local sandbox.',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://assure.cert-confermapay.com/token',
			description: 'Production: the token URL Conferma gave you. Cert: leave empty. Also a proxy or the local sandbox.',
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
			description: "Only for hosts whose server certificate is issued by a private CA (a corporate proxy, the local sandbox); trusted in addition to the system's CAs",
		},
	];
}
