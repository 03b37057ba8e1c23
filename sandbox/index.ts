import { generateCertificates } from './certs';
import { startClara, type ClaraOptions, type ClaraSandbox } from './clara';
import { startClaro, type ClaroOptions, type ClaroSandbox } from './claro';
import { startCleverTap, type CleverTapOptions, type CleverTapSandbox } from './clevertap';
import type { SandboxCerts } from './types';

export type { SandboxCerts } from './types';

/**
 * All emulators at once. Each service is one line in `Sandbox`, one in `SandboxOptions` and one in
 * `startSandbox`; tests may start only the ones they need.
 */
export interface Sandbox {
	certs: SandboxCerts;
	clara: ClaraSandbox;
	claro: ClaroSandbox;
	clevertap: CleverTapSandbox;
	close(): Promise<void>;
}

export interface SandboxOptions {
	clara?: Partial<Omit<ClaraOptions, 'certs'>>;
	claro?: Partial<Omit<ClaroOptions, 'certs'>>;
	clevertap?: Partial<Omit<CleverTapOptions, 'certs'>>;
	/** Fixed ports for `npm run sandbox` (so a saved n8n credential keeps working); 0 = any free port. */
	basePort?: number;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const certs = await generateCertificates();
	const port = (offset: number) => (options.basePort ? options.basePort + offset : 0);
	const clara = await startClara({ certs, port: port(0), ...options.clara });
	const claro = await startClaro({ certs, port: port(2), ...options.claro });
	const clevertap = await startCleverTap({ certs, port: port(1), ...options.clevertap });
	const services = [clara, claro, clevertap];
	return {
		certs,
		clara,
		claro,
		clevertap,
		close: async () => {
			await Promise.all(services.map((s) => s.close()));
		},
	};
}
