import type { Sandbox } from './index';

/** n8n credential values that point each node at the sandbox (tests, demo, bench, and later `npm run dev`). */
export function claraCredentials(sandbox: Pick<Sandbox, 'certs' | 'clara'>, overrides: Record<string, unknown> = {}) {
	const { certs, clara } = sandbox;
	return {
		environment: 'production',
		country: 'mx',
		clientId: clara.clientId,
		clientSecret: clara.clientSecret,
		certificate: certs.client.cert,
		privateKey: certs.client.key,
		caCertificate: certs.ca.cert,
		baseUrl: `${clara.url}/{country}`,
		...overrides,
	};
}
