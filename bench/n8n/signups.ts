import type { Sandbox } from '../../sandbox';
import { percentiles } from '../common';
import { durationMs, finishedSince, newestExecutionId, post, type ExecutionSummary, type Instance } from './instance';
import { CONCURRENCY, SIGNUP_ROUNDS, SIGNUPS_PER_ROUND } from './settings';

// ---------------------------------------------------------------------------------------------------------------
// B. Signup latency.

export interface Signup {
	name: string;
	email: string;
	cpf: string;
	expect: 'verified' | 'not_found';
}

const formatCpf = (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;

export function signups(sandbox: Sandbox, n: number, offset: number): Signup[] {
	const known = [...sandbox.claro.people.keys()];
	const unknown = sandbox.claro.unknownCpfs;
	// Four in five are in Claro's base (the flow goes on to CleverTap), one in five is not.
	return Array.from({ length: n }, (_, i) => {
		const k = i + offset;
		const found = k % 5 !== 4;
		const cpf = found ? known[k % known.length] : unknown[k % unknown.length];
		return { name: `Signup ${k}`, email: `signup-${k}@example.com`, cpf: formatCpf(cpf), expect: found ? 'verified' : 'not_found' };
	});
}


/** `list` posted with `concurrency` in flight at all times; each answer's latency and whether it said the right thing. */
export async function closedLoop(n8n: { base: string }, way: SignupWay, list: Signup[], concurrency: number) {
	const url = `${n8n.base}/webhook/${way.path}`;
	const latencies: number[] = [];
	let wrong = 0;
	let next = 0;
	const firstWrong: string[] = [];
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < list.length) {
				const s = list[next++];
				const start = performance.now();
				const res = await post(url, { name: s.name, email: s.email, cpf: s.cpf, ...(way.tellFound ? { found: s.expect === 'verified' } : {}) });
				latencies.push(performance.now() - start);
				let status: unknown;
				try {
					status = JSON.parse(res.text).status;
				} catch {
					status = undefined;
				}
				if (res.status !== 200 || status !== s.expect) {
					wrong++;
					if (firstWrong.length < 3) firstWrong.push(`${res.status} ${res.text.slice(0, 200)}`);
				}
			}
		}),
	);
	return { latencies, wrong, firstWrong };
}

export interface SignupWay {
	way: string;
	workflowId: string;
	path: string;
	/** Whether the body carries `found` (only the floor, which has no Face Match to ask). */
	tellFound: boolean;
}

export const signupWays = (n8n: { signupId: string }): SignupWay[] => [
	{ way: 'node (examples/signup-face-match-onboarding.json)', workflowId: n8n.signupId, path: 'signup', tellFound: false },
	{ way: 'HTTP Request nodes (DIY)', workflowId: 'bnSignupDiy0001', path: 'bench-signup-diy', tellFound: false },
	// Not a way a user has: the floor under both, n8n's own part of the flow (see bnSignupFloor01).
	{ way: "n8n's nodes alone (ours as No Operation)", workflowId: 'bnSignupFloor01', path: 'bench-signup-floor', tellFound: true },
];

export async function scenarioSignups(n8n: Instance, sandbox: Sandbox) {
	const ways = signupWays(n8n);
	const data = new Map(ways.map((w) => [w.way, { latencies: [] as number[], rounds: [] as Array<ReturnType<typeof percentiles>>, execs: [] as ExecutionSummary[], wrong: 0, firstWrong: [] as string[], claro: { checks: 0, tokenRequests: 0, handshakes: 0 }, ct: { uploadCalls: 0, http429: 0 } }]));
	// Warm-up, not counted: a round of each way at full concurrency. n8n's first burst of CONCURRENCY executions after
	// start-up is slow whichever way it runs (p95 1.5× the later rounds' on 1.123.81, 1.3× on 2.8.4), so without it the
	// first round measured n8n warming up, charged to whichever way ran first. A webhook that answers from a Respond
	// node answers before its execution is saved: each batch's records are waited for before the next starts, so that
	// every record is counted with its own batch. (A batch is at most 100: n8n 2.41 pages its execution list by
	// cursor, 2.8 by lastId; one page reads either.)
	for (const w of ways) {
		const before = await newestExecutionId(n8n, w.workflowId);
		await closedLoop(n8n, w, signups(sandbox, CONCURRENCY, 0), CONCURRENCY);
		await finishedSince(n8n, w.workflowId, before, CONCURRENCY);
	}
	let offset = 1_000;
	for (let round = 0; round < SIGNUP_ROUNDS; round++) {
		for (const w of round % 2 ? [...ways].reverse() : ways) {
			const list = signups(sandbox, SIGNUPS_PER_ROUND, offset);
			offset += list.length;
			const d = data.get(w.way)!;
			const claro0 = { ...sandbox.claro.counters, checks: sandbox.claro.counters.custom.checks ?? 0 };
			const ct0 = { uploadCalls: sandbox.clevertap.counters.custom.uploadCalls ?? 0, http429: sandbox.clevertap.counters.custom.http429 ?? 0 };
			const before = await newestExecutionId(n8n, w.workflowId);
			const r = await closedLoop(n8n, w, list, CONCURRENCY);
			d.execs.push(...(await finishedSince(n8n, w.workflowId, before, list.length)));
			d.latencies.push(...r.latencies);
			d.rounds.push(percentiles(r.latencies));
			d.wrong += r.wrong;
			d.firstWrong.push(...r.firstWrong.slice(0, 3 - d.firstWrong.length));
			d.claro.checks += (sandbox.claro.counters.custom.checks ?? 0) - claro0.checks;
			d.claro.tokenRequests += sandbox.claro.counters.tokenRequests - claro0.tokenRequests;
			d.claro.handshakes += sandbox.claro.counters.handshakes - claro0.handshakes;
			d.ct.uploadCalls += (sandbox.clevertap.counters.custom.uploadCalls ?? 0) - ct0.uploadCalls;
			d.ct.http429 += (sandbox.clevertap.counters.custom.http429 ?? 0) - ct0.http429;
		}
	}
	const rows = [];
	for (const w of ways) {
		const d = data.get(w.way)!;
		const total = SIGNUPS_PER_ROUND * SIGNUP_ROUNDS;
		const execs = d.execs;
		rows.push({
			way: w.way,
			client: percentiles(d.latencies),
			/** The caller's percentiles of each round alone (the order above): what the drift between rounds is. */
			clientByRound: d.rounds,
			execution: percentiles(execs.map(durationMs)),
			counts: { signups: total, executions: execs.length, failedExecutions: execs.filter((e) => e.status !== 'success').length, wrongAnswers: d.wrong, claroChecks: d.claro.checks, claroTokenRequests: d.claro.tokenRequests, claroHandshakes: d.claro.handshakes, cleverTapUploads: d.ct.uploadCalls, cleverTap429: d.ct.http429 },
			firstWrong: d.firstWrong,
		});
	}
	return rows;
}
