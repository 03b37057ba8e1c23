/**
 * The Claro Face Match emulator itself, over real HTTPS: what a raw client sees, so the node tests can rely on it.
 */
import { closeAllAgents, send, type HttpRequest } from '../../nodes/transport';
import { generateCertificates } from '../../sandbox/certs';
import { startClaro, type ClaroSandbox } from '../../sandbox/claro';
import type { SandboxCerts } from '../../sandbox/types';

let certs: SandboxCerts;
let claro: ClaroSandbox;

beforeAll(async () => {
	certs = await generateCertificates();
	claro = await startClaro({ certs });
});
afterAll(async () => {
	await closeAllAgents();
	await claro.close();
});
beforeEach(() => claro.resetCounters());

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
const call = (req: Omit<HttpRequest, 'url'> & { path: string }) => send({ ...req, url: `${claro.url}${req.path}` }, { tls: { ca: certs.ca.cert }, retry: { retries: 0 } });
const tokenFor = async (key = claro.key, secret = claro.secret) =>
	call({ method: 'POST', path: '/oauth2/v1/token', headers: { 'x-client-auth': basic(key, secret) }, form: { grant_type: 'client_credentials' } });
const check = (token: string, cpf?: string) =>
	call({
		method: 'GET',
		path: '/identity/v1/facialbiometrics',
		headers: { authorization: `Bearer ${token}`, ...(cpf ? { 'x-querystring': `identificationType=CPF&IdentificationId=${cpf}` } : {}) },
	});

test('token: Apigee-style answer, expires_in a string', async () => {
	const res = await tokenFor();
	expect(res.status).toBe(200);
	const body = res.body as Record<string, unknown>;
	expect(body).toMatchObject({ token_type: 'BearerToken', expires_in: '3599', status: 'approved' });
	expect(typeof body.access_token).toBe('string');
	expect(claro.counters.tokenRequests).toBe(1);
});

test('token: wrong key, wrong secret, Authorization instead of x-client-auth, missing grant_type', async () => {
	expect((await tokenFor('other-key', claro.secret)).body).toEqual({ ErrorCode: 'invalid_client', Error: 'ClientId is Invalid' });
	expect((await tokenFor(claro.key, 'nope')).body).toEqual({ ErrorCode: 'invalid_client', Error: 'Client credentials are invalid' });
	const wrongHeader = await call({ method: 'POST', path: '/oauth2/v1/token', headers: { authorization: basic(claro.key, claro.secret) }, form: { grant_type: 'client_credentials' } });
	expect(wrongHeader.status).toBe(401);
	const noGrant = await call({ method: 'POST', path: '/oauth2/v1/token', headers: { 'x-client-auth': basic(claro.key, claro.secret) }, form: {} });
	expect(noGrant.status).toBe(400);
	expect(claro.counters.tokenRequests).toBe(4);
});

test('check: a known CPF gets versions and biohashs (billed), an unknown one 422 (not billed)', async () => {
	const token = ((await tokenFor()).body as { access_token: string }).access_token;
	const known = await check(token, '11144477735');
	expect(known.status).toBe(200);
	expect(known.body).toMatchObject({ data: { versions: ['1', '2'], biohashs: claro.people.get('11144477735')!.biohashs } });
	const unknown = await check(token, '22233366638');
	expect(unknown.status).toBe(422);
	expect(unknown.body).toMatchObject({ error: { httpCode: '422', errorCode: 'API-FACIALBIOMETRICS-422' } });
	expect(claro.counters.custom).toMatchObject({ checks: 2, billedAnswers: 1, notFoundAnswers: 1 });
});

test('check: no X-QueryString or an invalid CPF is a 400; a bad or revoked token a 401', async () => {
	const token = ((await tokenFor()).body as { access_token: string }).access_token;
	expect((await check(token)).status).toBe(400);
	expect((await check(token, '11144477736')).status).toBe(400);
	expect((await check('not-a-token', '11144477735')).status).toBe(401);
	claro.revokeTokens();
	expect((await check(token, '11144477735')).status).toBe(401);
	expect(claro.counters.custom.billedAnswers ?? 0).toBe(0);
});

test('a token expires after the lifetime it announced', async () => {
	claro.tokenLifetimeSec = 1;
	const res = await tokenFor();
	claro.tokenLifetimeSec = 3599;
	const body = res.body as { access_token: string; expires_in: string };
	expect(body.expires_in).toBe('1');
	expect((await check(body.access_token, '11144477735')).status).toBe(200);
	await new Promise((r) => setTimeout(r, 1_050));
	expect((await check(body.access_token, '11144477735')).status).toBe(401);
});

test('a 429 burst answers the next n checks with 429 (and Retry-After when asked), then recovers', async () => {
	const token = ((await tokenFor()).body as { access_token: string }).access_token;
	claro.burst429(2, 1);
	const first = await check(token, '11144477735');
	expect(first.status).toBe(429);
	expect(first.headers['retry-after']).toBe('1');
	expect((await check(token, '11144477735')).status).toBe(429);
	expect((await check(token, '11144477735')).status).toBe(200);
	expect(claro.counters.custom).toMatchObject({ http429: 2, billedAnswers: 1 });
});

test('the trial gateway: POST /oauth2/token with grant_type in the query string (seed 003)', async () => {
	const res = await call({ method: 'POST', path: '/oauth2/token?grant_type=client_credentials', headers: { 'x-client-auth': basic(claro.key, claro.secret) } });
	expect(res.status).toBe(200);
	expect(typeof (res.body as { access_token?: string }).access_token).toBe('string');
});

test('check: the token is accepted in Authorization or in x-client-auth, as the seed samples send it; the counters say which', async () => {
	const token = ((await tokenFor()).body as { access_token: string }).access_token;
	const query = { 'x-querystring': 'identificationType=CPF&IdentificationId=98676489009' };
	const viaJava = await call({ method: 'GET', path: '/identity/v1/facialbiometrics', headers: { 'x-client-auth': `Bearer ${token}`, ...query } });
	expect(viaJava.status).toBe(200);
	const viaCurl = await call({ method: 'GET', path: '/identity/v1/facialbiometrics', headers: { authorization: `Bearer ${token}`, ...query } });
	expect(viaCurl.status).toBe(200);
	const wrongScheme = await call({ method: 'GET', path: '/identity/v1/facialbiometrics', headers: { 'x-client-auth': basic(claro.key, claro.secret), ...query } });
	expect(wrongScheme.status).toBe(401);
	expect(claro.counters.custom).toMatchObject({ bearerInAuthorization: 1, bearerInXClientAuth: 1, billedAnswers: 2 });
});

test('a wrong method is 405 on both paths', async () => {
	expect((await call({ method: 'GET', path: '/oauth2/v1/token' })).status).toBe(405);
	expect((await call({ method: 'POST', path: '/identity/v1/facialbiometrics', json: {} })).status).toBe(405);
});

test('an unknown path is an Apigee 404 fault', async () => {
	const res = await call({ method: 'POST', path: '/elsewhere/oauth2/v1/token', form: { grant_type: 'client_credentials' } });
	expect(res.status).toBe(404);
	expect(res.body).toMatchObject({ fault: { detail: { errorcode: 'messaging.adaptors.http.flow.ApplicationNotFound' } } });
});

test('the base holds the documented examples and valid unknown CPFs', () => {
	expect(claro.people.has('11144477735')).toBe(true);
	expect(claro.people.has('12345678909')).toBe(true);
	expect(claro.people.has('98676489009')).toBe(true); // the seed's sample CPF
	expect(claro.people.size).toBeGreaterThan(40);
	expect(claro.unknownCpfs).toContain('22233366638');
	for (const cpf of claro.unknownCpfs) expect(claro.people.has(cpf)).toBe(false);
});
