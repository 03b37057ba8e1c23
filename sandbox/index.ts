import { generateCertificates } from './certs';
import { startClara, type ClaraOptions, type ClaraSandbox } from './clara';
import type { SandboxCerts } from './types';

export type { SandboxCerts } from './types';

/**
 * All emulators at once. Each service is one line in `Sandbox`, one in `SandboxOptions` and one in
 * `startSandbox`; tests may start only the ones they need.
 */
export interface Sandbox {
	certs: SandboxCerts;
	clara: ClaraSandbox;
	close(): Promise<void>;
}

export interface SandboxOptions {
	clara?: Partial<Omit<ClaraOptions, 'certs'>>;
	/** Fixed ports for `npm run sandbox` (so a saved n8n credential keeps working); 0 = any free port. */
	basePort?: number;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const certs = await generateCertificates();
	const port = (offset: number) => (options.basePort ? options.basePort + offset : 0);
	const clara = await startClara({ certs, port: port(0), ...options.clara });
	const services = [clara];
	return {
		certs,
		clara,
		close: async () => {
			await Promise.all(services.map((s) => s.close()));
		},
	};
}
