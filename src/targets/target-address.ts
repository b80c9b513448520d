import { isIP } from 'node:net';
import { formatPeer, InvalidArgumentError, parseHostPort } from '@bmc-exporter/ipmi';

/** A scrape target as the exporter keys it: one entry per BMC, however Prometheus spelled it. */
export interface TargetAddress {
  host: string;
  port: number;
  /** "192.0.2.1:623", "[2001:db8::1]:623", "bmc1.example.net:623": the pool key and the homepage label. */
  key: string;
}

/**
 * Parse the `target` query parameter. A missing port means 623 (bmc_exporter
 * accepts bare IPs), hostnames are case-insensitive, and IPv6 literals are
 * written in their canonical form so "[2001:DB8::1]" and "[2001:db8:0::1]" share
 * one session (architecture invariant 1). Throws InvalidArgumentError.
 */
export function parseTargetAddress(target: string): TargetAddress {
  if (target.length > 300) throw new InvalidArgumentError('target is longer than 300 characters');
  const { host: raw, port } = parseHostPort(target);
  let host = raw.toLowerCase();
  const family = isIP(host);
  if (family === 6) host = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  else if (family === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(host)) {
    throw new InvalidArgumentError(`target "${target}": "${raw}" is neither an IP address nor a host name`);
  }
  return { host, port, key: formatPeer({ address: host, port }) };
}
