import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { ApiError, egressOf, tokens, TransportError } from '../transport';
import { ConfermaPay, credentialProblem, readCredentials } from './transport';

/**
 * Uses the token the workflows already share when one is valid: taking a new token here would revoke the one every
 * running execution of this platform is using (Conferma keeps only the newest). Then reads one deployment page,
 * which proves the token, the platform key name and the Base URL together.
 */
export async function confermaPayApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const creds = readCredentials(credential.data ?? {});
	const problem = credentialProblem(creds);
	if (problem) return { status: 'Error', message: problem };
	const conferma = new ConfermaPay(creds, undefined, undefined, egressOf(this));
	let stage: 'token' | 'api' = 'token';
	try {
		const before = tokens.fetchCount.get(conferma.client.tokenKey);
		await conferma.token();
		stage = 'api';
		await conferma.list({}, { returnAll: false, limit: 1 });
		const reused = before === tokens.fetchCount.get(conferma.client.tokenKey);
		return { status: 'OK', message: `Connection successful: ${reused ? 'the token in use' : 'a token'} for platform "${creds.platformKeyName}" reads deployments at ${creds.baseUrl}` };
	} catch (error) {
		const mapped = conferma.toNodeError({ getNode: () => ({ id: 'credential-test', name: 'Conferma Pay credential test', type: 'confermaPayApi', typeVersion: 1, position: [0, 0], parameters: {} }) }, error);
		const detail = `${mapped.message}. ${mapped.description ?? ''}`.trim();
		const where = stage === 'token' ? `Token URL (${creds.tokenUrl})` : `Base URL (${creds.baseUrl})`;
		let part: string;
		if (error instanceof TransportError && error.kind === 'tls-config') part = 'The CA Certificate field is wrong';
		else if (error instanceof TransportError) part = `The ${where} is wrong or unreachable`;
		else if (error instanceof ApiError && error.response.status === 404) part = `There is no Conferma API at the ${where}`;
		else if (error instanceof ApiError && stage === 'token') part = 'Conferma refused the credential';
		else if (error instanceof ApiError && error.response.status === 401) part = 'The token was accepted by the token server but refused by the API: Token URL and Base URL belong to different environments';
		else part = 'The check failed';
		return { status: 'Error', message: `${part}: ${detail}` };
	}
}
