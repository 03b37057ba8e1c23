/**
 * The practical limit for `npm run bench -- --n8n`: a bare undici keep-alive loop doing the same Clara lookups
 * as the n8n executions (same TLS identity, same number of connections), in a process of its own on the same
 * Node.js the n8n version runs on — so it shares nothing with the sandbox's event loop, as n8n does not. Like our
 * node inside n8n's long-lived process, it keeps its pool and its token from one job to the next (the first job
 * pays the handshakes and the token). Driven over IPC by bench/n8n.ts; never imports the package (it is the
 * yardstick, not the product).
 */
import { Agent, request } from 'undici';

export interface RawLoopJob {
	url: string;
	ca: string;
	cert: string;
	key: string;
	clientId: string;
	clientSecret: string;
	uuids: string[];
	connections: number;
}

export interface RawLoopResult {
	ms: number;
	/** This process's CPU time (user + system) for the job: what the loop itself costs per lookup. */
	cpuMs: number;
	lookups: number;
	failures: number;
}

let agent: Agent | undefined;
let token: string | undefined;

async function run(job: RawLoopJob): Promise<RawLoopResult> {
	agent ??= new Agent({ connections: job.connections, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000, connect: { ca: job.ca, cert: job.cert, key: job.key } });
	const dispatcher = agent;
	const cpu = process.cpuUsage();
	const start = process.hrtime.bigint();
	if (!token) {
		const basic = Buffer.from(`${job.clientId}:${job.clientSecret}`).toString('base64');
		const tokenRes = await request(`${job.url}/oauth/token`, {
			method: 'POST',
			dispatcher,
			headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials',
		});
		token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
	}
	let next = 0;
	let failures = 0;
	const worker = async () => {
		while (next < job.uuids.length) {
			const uuid = job.uuids[next++];
			const res = await request(`${job.url}/api/v3/transactions/${encodeURIComponent(uuid)}`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
			const body = (await res.body.json()) as { uuid?: string };
			if (res.statusCode !== 200 || body.uuid !== uuid) failures++;
		}
	};
	await Promise.all(Array.from({ length: job.connections }, worker));
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	const used = process.cpuUsage(cpu);
	return { ms: Math.round(ms), cpuMs: Math.round((used.user + used.system) / 1000), lookups: job.uuids.length, failures };
}

process.on('message', (job: RawLoopJob) => {
	run(job).then(
		(result) => process.send!({ ok: true, result }),
		(error: Error) => process.send!({ ok: false, error: String(error?.stack ?? error) }),
	);
});
