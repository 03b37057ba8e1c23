import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { ApiError, egressOf, TransportError, type EgressFilter } from '../transport';
import { CleverTap, credentialProblem, isExpiredPasscode, readCredentials, REGIONS, regionName, type CleverTapCredentials, type Region } from './transport';

type Outcome = { kind: 'ok' | 'expired' | 'refused' } | { kind: 'error'; error: unknown };

const TEST_NODE = { id: 'credential-test', name: 'CleverTap credential test', type: 'cleverTapApi', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };

/**
 * One light read: the campaigns of today. It needs a valid account id + passcode pair on the account's own region
 * and changes nothing. (Partner Connect, `/v1/connect`, checks credentials too, but only for whitelisted partner
 * names, and answers 400 rather than 401.)
 */
async function probe(creds: CleverTapCredentials, egress?: EgressFilter): Promise<Outcome> {
	const today = Number(new Date().toISOString().slice(0, 10).replace(/-/g, ''));
	try {
		await new CleverTap(creds, undefined, undefined, egress).query('/1/targets/list.json', { from: today, to: today });
		return { kind: 'ok' };
	} catch (error) {
		if (error instanceof ApiError && isExpiredPasscode(error.response)) return { kind: 'expired' };
		if (error instanceof ApiError && error.response.status === 401) return { kind: 'refused' };
		// A 403 means CleverTap knew the account and passcode, which is what is being tested.
		if (error instanceof ApiError && error.response.status === 403) return { kind: 'ok' };
		return { kind: 'error', error };
	}
}

const EXPIRED = 'create a new passcode in CleverTap (Settings > Passcodes), or ask an admin to renew your user passcode, and paste it here';

/**
 * CleverTap answers 401 "Invalid credentials or URL" both to a wrong passcode and to the right passcode sent to the
 * wrong region. When the configured region refuses, the other regions are asked at once (one light read each):
 * the region that accepts is where the account is; if none does, the passcode or account id is wrong.
 */
export async function cleverTapApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const creds = readCredentials(credential.data ?? {});
	if (!creds.accountId || !creds.passcode) return { status: 'Error', message: 'Fill both Account ID and Passcode (CleverTap: Settings > Project and Settings > Passcodes)' };
	const problem = credentialProblem(creds);
	if (problem) return { status: 'Error', message: `${problem.message}. ${problem.description ?? ''}`.trim() };
	const egress = egressOf(this);
	const home = new CleverTap(creds, undefined, undefined, egress);
	const outcome = await probe(creds, egress);
	const here = regionName(creds.region);
	switch (outcome.kind) {
		case 'ok':
			return { status: 'OK', message: `Connection successful: CleverTap accepted account ${creds.accountId} in ${here}` };
		case 'expired':
			return { status: 'Error', message: `The passcode has expired: ${EXPIRED}` };
		case 'error': {
			const mapped = home.toNodeError({ getNode: () => TEST_NODE }, outcome.error);
			const detail = `${mapped.message}. ${mapped.description ?? ''}`.trim();
			const status = outcome.error instanceof ApiError ? outcome.error.response.status : undefined;
			let part: string;
			if (outcome.error instanceof TransportError && outcome.error.kind === 'tls-config') part = 'The CA Certificate field is wrong';
			else if (outcome.error instanceof TransportError && outcome.error.kind === 'blocked') part = "n8n's outbound network policy does not let this host be reached";
			else if (outcome.error instanceof TransportError) part = `The host is wrong or unreachable (${home.base})`;
			else if (status !== undefined && (status >= 500 || status === 429)) part = 'CleverTap is failing or busy right now; the credential could not be checked';
			else part = `The host answered but not as CleverTap's API does (${home.base})`;
			return { status: 'Error', message: `${part}: ${detail}` };
		}
	}
	if (creds.baseUrl && !creds.baseUrl.includes('{region}')) {
		return {
			status: 'Error',
			message: `CleverTap refused the account id or passcode at ${home.base} (HTTP 401). The other regions cannot be tried because the Base URL Override has no {region}: check the passcode and the account id, and that the override points at your account's region.`,
		};
	}
	const others = (Object.keys(REGIONS) as Region[]).filter((r) => r !== creds.region);
	const answers = await Promise.all(others.map(async (region) => ({ region, outcome: await probe({ ...creds, region }, egress) })));
	const found = answers.find((a) => a.outcome.kind === 'ok' || a.outcome.kind === 'expired');
	if (found) {
		const there = regionName(found.region);
		const expired = found.outcome.kind === 'expired' ? `, and this passcode has expired there: ${EXPIRED}` : '';
		return { status: 'Error', message: `Your account is in ${there}, not ${here}: set Region to ${there}${expired}` };
	}
	const unreachable = answers.filter((a) => a.outcome.kind === 'error').map((a) => a.region);
	const where = unreachable.length
		? `in ${here} and in every other region it could ask (${unreachable.join(', ')} did not answer, so the account may still be there)`
		: `in ${here} and in every other region`;
	return {
		status: 'Error',
		message: `The passcode (or the account id) is wrong: CleverTap refused it ${where}. Copy the account id (Settings > Project) and a passcode (Settings > Passcodes) again.`,
	};
}
