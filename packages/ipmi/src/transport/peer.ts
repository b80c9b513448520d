import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

/** A BMC endpoint: an IP literal (v4 or v6) and a UDP port. */
export interface Peer {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export const DEFAULT_IPMI_PORT = 623;

/**
 * Parse "host", "host:port", "[v6]" or "[v6]:port". A bare IPv6 literal
 * (more than one colon, no brackets) is taken whole, as Prometheus targets
 * never carry one without brackets when a port is present.
 */
export function parseHostPort(target: string, defaultPort = DEFAULT_IPMI_PORT): { host: string; port: number } {
  const t = target.trim();
  if (t === '') throw new InvalidArgumentError('empty target');
  let host: string;
  let portText: string | undefined;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) throw new InvalidArgumentError(`target "${t}": missing "]" after IPv6 address`);
    host = t.slice(1, close);
    const after = t.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new InvalidArgumentError(`target "${t}": expected ":port" after "]"`);
      portText = after.slice(1);
    }
  } else if ((t.match(/:/g) ?? []).length > 1) {
    host = t;
  } else {
    const colon = t.indexOf(':');
    host = colon < 0 ? t : t.slice(0, colon);
    portText = colon < 0 ? undefined : t.slice(colon + 1);
  }
  if (host === '') throw new InvalidArgumentError(`target "${t}": empty host`);
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) throw new InvalidArgumentError(`target "${t}": port "${portText}" is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw new InvalidArgumentError(`target "${t}": port ${port} out of range 1-65535`);
  }
  return { host, port };
}

/** A Peer for an IP literal; hostnames must be resolved by the caller first. */
export function peerFromIp(address: string, port: number): Peer {
  const family = isIP(address);
  if (family === 0) throw new InvalidArgumentError(`"${address}" is not an IP address`);
  // The kernel reports v6 sources in canonical form (::1, not 0:0:0:0:0:0:0:1); match it.
  const canonical = family === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
  return { address: canonical, port, family: family as 4 | 6 };
}

/** Demultiplexing key; the same for the address we send to and the rinfo we receive from. */
export function peerKey(address: string, port: number): string {
  return `${address.toLowerCase()}|${port}`;
}

/** "127.0.0.2:623" or "[::1]:623" — how peers appear in messages. */
export function formatPeer(p: { address: string; port: number }): string {
  return isIP(p.address) === 6 ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}
