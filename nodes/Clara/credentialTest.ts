import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { egressOf, InvalidInput, TransportError, validateTlsMaterial, tokens } from '../transport';
import { Clara, readCredentials } from './transport';

/**
 * Diagnoses a Clara credential one step at a time, so the user learns which part is wrong:
 * 1. host reachable and trusted (GET /v2/health, no token, no client certificate),
 * 2. token (client id / secret / country),
 * 3. certificate material (PEM, passphrase, key matches, not expired), then an mTLS data call (511 / 406).
 */
export async function claraApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const creds = readCredentials(credential.data ?? {});
	let clara: Clara;
	try {
		// What the credential test's context lends the transport (as the other services' tests do).
		clara = new Clara(creds, undefined, undefined, egressOf(this));
	} catch (error) {
		// An http:// Base URL Override: refused before anything is sent, so the secret never travels in clear.
		const description = error instanceof InvalidInput && error.description ? ` ${error.description}` : '';
		return { status: 'Error', message: `${(error as Error).message}.${description}` };
	}
	const fail = (step: string, error: unknown): INodeCredentialTestResult => {
		const mapped = clara.toNodeError({ getNode: () => ({ name: 'Clara credential test', type: 'claraApi', typeVersion: 1, position: [0, 0], parameters: {} }) } as never, error);
		return { status: 'Error', message: `${step} failed: ${mapped.message}. ${mapped.description ?? ''}`.trim() };
	};

	try {
		await clara.health();
	} catch (error) {
		return fail(`Step 1 of 3 (reach ${clara.origin}/v2/health)`, error);
	}

	try {
		// Only the CA here: the token endpoint needs no client certificate, so a bad certificate is reported at step 3.
		await tokens.get(clara.client.tokenKey, () => clara.requestToken({ ca: creds.caPublicCertificate }));
	} catch (error) {
		return fail('Step 2 of 3 (get a token)', error);
	}

	try {
		validateTlsMaterial({ ca: creds.caPublicCertificate, cert: creds.publicCertificate, key: creds.privateKey, passphrase: creds.passphrase });
		if (!creds.publicCertificate || !creds.privateKey) {
			throw new TransportError('tls-config', 'No client certificate and private key are filled in: Clara requires mutual TLS on every data call');
		}
		await clara.get('/v3/transactions', { page: 0, size: 1 });
	} catch (error) {
		return fail('Step 3 of 3 (mutual TLS data call)', error);
	}
	return { status: 'OK', message: `Connection successful: health, token and mutual TLS all work (${creds.country.toUpperCase()}, ${creds.environment})` };
}
