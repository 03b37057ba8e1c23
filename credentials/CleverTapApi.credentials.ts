import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * CleverTap authenticates every call with two headers, `X-CleverTap-Account-Id` and `X-CleverTap-Passcode` (an
 * account passcode or a user passcode), on the host of the account's region. The diagnostic credential test lives
 * on the node (`testedBy`): CleverTap answers a wrong passcode and a wrong region alike, and the test tells them apart.
 */
export class CleverTapApi implements ICredentialType {
	name = 'cleverTapApi';

	displayName = 'CleverTap API';

	icon = { light: 'file:../nodes/CleverTap/cleverTap.svg', dark: 'file:../nodes/CleverTap/cleverTap.dark.svg' } as const;

	documentationUrl = 'https://github.com/fintech-identity/n8n-nodes-fintech-identity/blob/main/docs/credentials/clevertap.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'W9R-486-4W5Z',
			description: 'In CleverTap: Settings > Project',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the passcode is the account's API secret
		{
			displayName: 'Passcode',
			name: 'passcode',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'An account passcode (Settings > Passcodes) or your user passcode, if your admin enforces user passcodes',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Europe (api.clevertap.com)', value: 'eu1' },
				{ name: 'India (in1)', value: 'in1' },
				{ name: 'Indonesia (aps3)', value: 'aps3' },
				{ name: 'Middle East / UAE (mec1)', value: 'mec1' },
				{ name: 'Singapore (sg1)', value: 'sg1' },
				{ name: 'South Korea (sk1)', value: 'sk1', description: 'Listed on CleverTap\'s product pages, not in its API reference' },
				{ name: 'United States (us1)', value: 'us1' },
			],
			default: 'eu1',
			description: 'Where your CleverTap account lives: the region in the URL of your CleverTap dashboard',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://127.0.0.1:8444/{region}',
			description: 'Leave empty for CleverTap. A proxy or the local sandbox, https:// only (the passcode travels in every request); {region} is replaced by the region code (eu1, in1, …).',
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
