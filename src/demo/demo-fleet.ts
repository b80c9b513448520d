import { startFleet, type Fleet } from '@bmc-exporter/bmc-sim';
import { parseTargetAddress } from '../targets/target-address.js';
import type { CredentialsLookup, TargetCredentials } from '../targets/target-config.js';

export interface DemoFleet {
  fleet: Fleet;
  /** "127.0.0.1:40123", in fleet order. */
  targets: readonly string[];
  lookup: CredentialsLookup;
  close(): Promise<void>;
}

export interface DemoFleetOptions {
  count?: number;
  profile?: string;
  /** Bind attempts on random high ports before giving up (another process may hold one). */
  attempts?: number;
}

const HIGH_PORT_MIN = 20_000;
const HIGH_PORT_SPAN = 40_000;

/**
 * Simulated BMCs for --demo, on loopback only. As root they sit on
 * 127.1.0.1-127.1.0.N port 623, so targets look like real ones
 * ("127.1.0.2:623"); otherwise (the usual case, and the Docker image's
 * non-root user) port 623 is privileged, so they take N consecutive high
 * ports on 127.0.0.1, chosen at random and retried if taken. Each BMC is
 * the profile varied by its index (different GUIDs and readings).
 */
export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<DemoFleet> {
  const count = options.count ?? 3;
  const profile = options.profile ?? 'server-2s';
  const seed = 1;
  const layouts: Array<{ baseAddress: string; port: number; portRange: boolean }> = [];
  if (process.getuid?.() === 0) layouts.push({ baseAddress: '127.1.0.1', port: 623, portRange: false });
  for (let i = 0; i < (options.attempts ?? 8); i++) {
    layouts.push({ baseAddress: '127.0.0.1', port: HIGH_PORT_MIN + Math.floor(Math.random() * HIGH_PORT_SPAN), portRange: true });
  }
  let lastError: unknown;
  for (const layout of layouts) {
    try {
      const fleet = await startFleet({ count, profile, seed, ...layout }, { workers: 0 });
      const secrets = new Map<string, TargetCredentials>();
      for (const [target, c] of Object.entries(fleet.secrets())) secrets.set(parseTargetAddress(target).key, { ...c });
      const lookup: CredentialsLookup = (t) => {
        try {
          return secrets.get(parseTargetAddress(t).key);
        } catch {
          return undefined;
        }
      };
      return { fleet, targets: [...secrets.keys()], lookup, close: () => fleet.close() };
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not bind the demo BMCs on loopback: ${(lastError as Error)?.message ?? lastError}`);
}
