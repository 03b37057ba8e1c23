import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { ApiError, egressOf, InvalidInput, TransportError } from '../transport';
import { ClaroFaceMatch, readCredentials } from './transport';

/**
 * Asks Claro for a token, nothing more: a Face Match check is billed per answer, so the test never makes one.
 * The failure says which part is wrong: the host (unreachable, untrusted, or not Claro's gateway) or the key/secret.
 */
export async function claroFaceMatchApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const creds = readCredentials(credential.data ?? {});
	if (!creds.key || !creds.secret) return { status: 'Error', message: 'Fill both Key and Secret: Claro gives them together in the API portal' };
	let claro: ClaroFaceMatch;
	try {
		claro = new ClaroFaceMatch(creds, undefined, undefined, egressOf(this));
	} catch (error) {
		const description = error instanceof InvalidInput ? error.description : undefined;
		return { status: 'Error', message: `${(error as Error).message}. ${description ?? ''}`.trim() };
	}
	try {
		await claro.requestToken();
		return { status: 'OK', message: `Connection successful: ${claro.origin} issued a token for this key` };
	} catch (error) {
		const mapped = claro.toNodeError({ getNode: () => ({ id: 'credential-test', name: 'Claro Face Match credential test', type: 'claroFaceMatchApi', typeVersion: 1, position: [0, 0], parameters: {} }) }, error);
		const detail = `${mapped.message}. ${mapped.description ?? ''}`.trim();
		const status = error instanceof ApiError ? error.response.status : undefined;
		let part: string;
		if (error instanceof TransportError && error.kind === 'tls-config') part = 'The CA Certificate field is wrong';
		else if (error instanceof TransportError) part = `The host is wrong or unreachable (${claro.origin})`;
		else if (status !== undefined && [400, 401, 403].includes(status)) part = 'The key or secret is wrong';
		else if (status !== undefined && status >= 500) part = 'Claro is failing right now; the credential could not be checked';
		// 404, an HTML page, or a 200 without access_token: something answered, but not Claro's token endpoint.
		else part = `The host answered but is not Claro's API gateway (${claro.origin})`;
		return { status: 'Error', message: `${part}: ${detail}` };
	}
}
