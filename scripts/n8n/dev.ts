/**
 * `npm run dev`: the sandbox and the real n8n app with this package installed from its packed tarball, the four
 * credentials created for the sandbox, the examples imported (the signup webhook published) and an owner account,
 * so a person can open the editor and run everything without a vendor account. Ctrl-C stops all of it.
 *
 * n8n's data lives in .n8n-dev/ (gitignored) and survives restarts; so do the sandbox's secrets and certificates
 * (kept in .sandbox/, as `npm run sandbox` keeps them), so a credential made by hand keeps working. The credentials
 * and examples are imported again each time (same ids: updated, not duplicated).
 * N8N_DEV_DIR and SANDBOX_DIR move those two folders elsewhere (the test of this command uses temporary ones).
 */
import { mkdirSync } from 'fs';
import { join, resolve } from 'path';
import { startSavedSandbox } from '../../sandbox/saved';
import * as app from './app';

async function main() {
	const started = Date.now();
	// Each step says what it does: the first run installs n8n (minutes), later ones take about 40 s in all.
	const say = (what: string) => console.log(`[dev ${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`);
	say(`n8n ${process.env.N8N_VERSION ?? '2.8.4'}: checking its install in the cache (the first run installs it, and says how)`);
	const bin = app.n8nBinary();
	const home = resolve(process.env.N8N_DEV_DIR ?? join(app.REPO, '.n8n-dev'));
	mkdirSync(home, { recursive: true });
	say('packing this package and installing it into .n8n-dev/.n8n/nodes');
	app.installPackage(home, app.packPackage(join(home, 'pack')));
	say('starting the sandbox (secrets and certificates kept in .sandbox/)');
	const { sandbox } = await startSavedSandbox({ dir: resolve(process.env.SANDBOX_DIR ?? join(app.REPO, '.sandbox')), basePort: Number(process.env.SANDBOX_PORT ?? 8443) });
	const port = Number(process.env.N8N_PORT ?? 5678);
	const [brokerPort] = await app.freePorts(1);
	// The onboarding-assistant example's OpenAI Chat Model talks to the sandbox's scripted model: n8n must trust its CA.
	const env = app.n8nEnv(home, port, brokerPort, app.trustSandbox(sandbox, home));
	say('importing the credentials and the examples into n8n');
	await app.importSandboxSetup(bin, env, sandbox, home);
	// The example itself runs from Try It in the editor; a copy with its webhook enabled serves the webhook.
	await app.publishLiveCopy(bin, env, 'exSignupFaceMatch', home);
	await app.publishLiveCopy(bin, env, 'exOnboardingAssistant', home);
	say('starting n8n');
	const n8n = app.startN8n(bin, env);
	n8n.stdout!.pipe(process.stdout);
	n8n.stderr!.pipe(process.stderr);

	let stopping = false;
	const stop = async () => {
		if (stopping) process.exit(1); // a second Ctrl-C does not wait
		stopping = true;
		console.log('\nStopping n8n and the sandbox…');
		await app.stopChild(n8n);
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	n8n.once('exit', (code) => {
		if (!stopping) {
			console.error(`n8n stopped by itself (exit ${code})`);
			void sandbox.close().then(() => process.exit(1));
		}
	});

	const base = `http://127.0.0.1:${port}`;
	try {
		// /healthz/readiness is ok before the REST routes exist; the public settings route comes with them.
		await app.waitUntilListening(n8n, env);
		await app.waitFor('n8n answering', async () => (await fetch(`${base}/rest/settings`)).ok, 180_000, n8n);
		await app.waitFor('a login to n8n\'s REST API', async () => (await new app.Rest(base).login(), true), 120_000, n8n);
	} catch (error) {
		console.error(error);
		return stop();
	}
	console.log(`
n8n is running with n8n-nodes-fintech-identity and the sandbox (ready ${((Date.now() - started) / 1000).toFixed(0)} s after start).

  Editor:    ${base}   (log in as ${app.Rest.owner.email} / ${app.Rest.owner.password})
  Examples:  Workflows → open one → "Execute workflow" (each starts at its Try It trigger)
  Webhook:   (served by the published copy "… (live)"; the example's own webhook is off until you enable it)
             curl -s -X POST ${base}/webhook/signup -H 'content-type: application/json' \\
               -d '{"name":"Ana","email":"ana@example.com","cpf":"111.444.777-35"}'
  Chat:      ${base}/webhook/5e1a0c00-0019-4a00-8000-0000000000c1/chat   (the onboarding assistant; the model is scripted:
               give it a CPF and an email, e.g. "Onboard Ana: CPF 111.444.777-35, email ana@example.com")
  Credentials "Clara (sandbox)", "Claro Face Match (sandbox)", "CleverTap (sandbox)", "Conferma Pay (sandbox)"
  and "Scripted model (sandbox)" point at the emulators on 127.0.0.1:${sandbox.clara.port}-${sandbox.openai.port}.

Ctrl-C stops n8n and the sandbox.`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
