import { formatHostPort, parseHostPort } from '@bmc-exporter/ipmi';

/** A scrape target as the exporter keys it: one entry per BMC, however Prometheus spelled it. */
export interface TargetAddress {
  host: string;
  port: number;
  /** "192.0.2.1:623", "[2001:db8::1]:623", "bmc1.example.net:623": the pool key and the homepage label. */
  key: string;
}

/**
 * The `target` query parameter, through the same parser as the secrets
 * file's keys (a missing port means 623, as bmc_exporter accepts bare IPs).
 * Spellings of one BMC share one key, so they share one session
 * (invariant 1 in docs/architecture.md). Throws InvalidArgumentError.
 */
export function parseTargetAddress(target: string): TargetAddress {
  const { host, port } = parseHostPort(target);
  return { host, port, key: formatHostPort({ host, port }) };
}
