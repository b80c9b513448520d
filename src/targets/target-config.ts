import { createHash } from 'node:crypto';
import type { IpmiVersion, Privilege } from '@bmc-exporter/ipmi';

/**
 * What the exporter needs to talk to one BMC. The secrets module's
 * TargetConfig has this shape; it is restated here so targets/ depends on the
 * shape, not on how secrets are stored.
 */
export interface TargetCredentials {
  username: string;
  password: string;
  privilege?: Privilege;
  cipherSuites?: readonly number[];
  ipmiVersion?: IpmiVersion | 'auto';
  /** Collector names to run (all when absent). */
  collectors?: readonly string[];
  /** 'ipmi' when absent; 'auto' probes the unauthenticated Redfish service root once per target. */
  transport?: 'ipmi' | 'redfish' | 'auto';
  /** HTTPS port of the Redfish service; 443 when absent. */
  redfishPort?: number;
  /** PEM CA certificate(s) for the Redfish service. */
  ca?: string;
  insecureSkipVerify?: boolean;
}

/** Finds a target's credentials; undefined = not configured (the exporter then sends nothing). */
export type CredentialsLookup = (target: string) => TargetCredentials | undefined;

/**
 * A digest of everything that shapes the session, so a reload that changes a
 * target's credentials, suite or privilege replaces its client; the digest,
 * not the password, is what the pool keeps to compare.
 */
export function configFingerprint(c: TargetCredentials): string {
  const canonical = JSON.stringify([
    c.username,
    c.password,
    c.privilege ?? null,
    c.cipherSuites ?? null,
    c.ipmiVersion ?? null,
    c.collectors ?? null,
    c.transport ?? 'ipmi',
    c.redfishPort ?? null,
    c.ca ?? null,
    c.insecureSkipVerify === true,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
