import type { Sandbox } from './index';

/** n8n credential values that point each node at the sandbox (tests, demo, bench, and later `npm run dev`). */
export function claraCredentials(sandbox: Pick<Sandbox, 'certs' | 'clara'>, overrides: Record<string, unknown> = {}) {
	const { certs, clara } = sandbox;
	return {
		// What the editor shows must match where the URL points; the emulator serves /api-test/ like /api/.
		environment: 'sandbox',
		country: 'mx',
		clientId: clara.clientId,
		clientSecret: clara.clientSecret,
		publicCertificate: certs.client.cert,
		privateKey: certs.client.key,
		caPublicCertificate: certs.ca.cert,
		baseUrl: `${clara.url}/{country}`,
		...overrides,
	};
}

/** The Claro Face Match credential for the sandbox: the override points every environment at the emulator. */
export function claroCredentials(sandbox: Pick<Sandbox, 'certs' | 'claro'>, overrides: Record<string, unknown> = {}) {
	const { certs, claro } = sandbox;
	return {
		// The base URL wins over Environment; this is what the editor shows beside it.
		environment: 'sandbox',
		key: claro.key,
		secret: claro.secret,
		baseUrl: claro.url,
		caCertificate: certs.ca.cert,
		...overrides,
	};
}

/** The CleverTap credential for the sandbox: one emulator serves every region as the first path segment. */
export function cleverTapCredentials(sandbox: Pick<Sandbox, 'certs' | 'clevertap'>, overrides: Record<string, unknown> = {}) {
	const { certs, clevertap } = sandbox;
	return {
		accountId: clevertap.accountId,
		passcode: clevertap.passcode,
		region: clevertap.region,
		baseUrl: `${clevertap.url}/{region}`,
		caCertificate: certs.ca.cert,
		...overrides,
	};
}

/** The Conferma Pay credential for the sandbox: its token URL and API are the same emulator. */
export function confermaCredentials(sandbox: Pick<Sandbox, 'certs' | 'conferma'>, overrides: Record<string, unknown> = {}) {
	const { certs, conferma } = sandbox;
	return {
		environment: 'cert',
		clientId: conferma.clientId,
		clientSecret: conferma.clientSecret,
		platformKeyName: conferma.platformKeyName,
		baseUrl: conferma.url,
		tokenUrl: `${conferma.url}/token`,
		caCertificate: certs.ca.cert,
		...overrides,
	};
}

/**
 * n8n's own OpenAI credential (`openAiApi`) pointed at the scripted model. n8n checks the server's certificate
 * against Node's CA list, so n8n must run with NODE_EXTRA_CA_CERTS naming the sandbox CA (the credential has no CA field).
 */
export function openAiCredentials(sandbox: Pick<Sandbox, 'openai'>, overrides: Record<string, unknown> = {}) {
	return { apiKey: sandbox.openai.apiKey, url: `${sandbox.openai.url}/v1`, ...overrides };
}
