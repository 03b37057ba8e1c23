import { generateCertificates } from './certs';
import type { Service } from './framework';
import { startClara } from './clara';
import { startClaro } from './claro';
import { startCleverTap } from './clevertap';
import { startConferma } from './conferma';
import { startOpenAi } from './openai';
import type { SandboxCerts } from './types';

export type { SandboxCerts } from './types';

/**
 * Every emulator, by the name a sandbox exposes it under. Adding one is its import and its line here. The order
 * fixes the ports of `npm run sandbox` (base port + position), so a new one goes at the end and saved n8n
 * credentials keep pointing at the right service.
 */
const services = {
	clara: startClara,
	clevertap: startCleverTap,
	claro: startClaro,
	conferma: startConferma,
	openai: startOpenAi,
};

type Services = typeof services;
export type ServiceName = keyof Services;
/** In port order. */
export const serviceNames = Object.keys(services) as ServiceName[];
type Started<K extends ServiceName> = Awaited<ReturnType<Services[K]>>;
type OptionsOf<K extends ServiceName> = Partial<Omit<Parameters<Services[K]>[0], 'certs'>>;

/** The started emulators (all of them unless `services` named some), the certificates, and one close(). */
export type Sandbox<K extends ServiceName = ServiceName> = { certs: SandboxCerts; close(): Promise<void> } & { [P in K]: Started<P> };

export type SandboxOptions<K extends ServiceName = ServiceName> = {
	/** Start only these; the default is every emulator. */
	services?: K[];
	/** Fixed ports for `npm run sandbox` (so a saved n8n credential keeps working); unset = any free port. */
	basePort?: number;
	/** Where every emulator listens; default 127.0.0.1. */
	host?: string;
	/** Certificates to serve with (`npm run sandbox` keeps its own); default the set the process shares. */
	certs?: SandboxCerts;
} & { [P in ServiceName]?: OptionsOf<P> };

/** Every sandbox this process started, closed ones too: the real-app tests' leak sweep watches their secrets. */
export const sandboxesStarted = new Set<Partial<Sandbox>>();

export async function startSandbox<K extends ServiceName = ServiceName>(options: SandboxOptions<K> = {}): Promise<Sandbox<K>> {
	const certs = options.certs ?? (await generateCertificates());
	const names = serviceNames;
	const started: Partial<Record<ServiceName, Service>> = {};
	const close = async () => {
		await Promise.all(Object.values(started).map((s) => s.close()));
	};
	try {
		for (const name of options.services ?? names) {
			const port = options.basePort ? options.basePort + names.indexOf(name) : 0;
			// Each starter takes its own options type; the mapped SandboxOptions type already checked them.
			const start = services[name] as (o: { certs: SandboxCerts; port: number; host?: string }) => Promise<Service>;
			started[name] = await start({ certs, port, host: options.host, ...options[name] });
		}
	} catch (error) {
		await close();
		throw error;
	}
	const sandbox = { certs, ...started, close } as unknown as Sandbox<K>;
	sandboxesStarted.add(sandbox);
	return sandbox;
}
