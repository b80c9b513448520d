import { BlockList, isIP } from 'node:net';
import { DEFAULT_IPMI_PORT, InvalidArgumentError, splitHostPort } from '@bmc-exporter/ipmi/address';

/**
 * CIDR-range keys of the secrets file: `127.1.0.0/24:623` or
 * `[fd00::/64]:623` (port optional, default 623) give one set of credentials
 * to every BMC in the range. Matching is node:net's BlockList, which also
 * matches IPv4-mapped IPv6 sources (::ffff:a.b.c.d) against IPv4 ranges.
 */
export interface CidrRange {
  /** The network address, canonical. */
  readonly network: string;
  readonly family: 4 | 6;
  readonly prefixLength: number;
  readonly port: number;
}

export function isCidrKey(text: string): boolean {
  return text.includes('/');
}

/** Parses a range key; the message says what to write instead. Throws InvalidArgumentError. */
export function parseCidr(text: string): CidrRange {
  const { host, port } = splitHostPort(text.trim(), DEFAULT_IPMI_PORT);
  const slash = host.indexOf('/');
  const addr = host.slice(0, slash);
  const lenText = host.slice(slash + 1);
  const detected = isIP(addr);
  if (detected === 0 || addr.includes('%')) {
    throw new InvalidArgumentError(`"${text}": "${addr}" is not an IP address; a range is written 127.1.0.0/24:623 or [fd00::/64]:623`);
  }
  const family = detected === 4 ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
    throw new InvalidArgumentError(`"${text}": prefix length "${lenText}" must be a number from 0 to ${bits}`);
  }
  const prefixLength = Number(lenText);
  const value = family === 4 ? ipv4Value(addr) : ipv6Value(addr);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  if ((value & hostMask) !== 0n) {
    const base = formatValue(value & ~hostMask, family);
    throw new InvalidArgumentError(`"${text}": ${addr} has bits set past the /${prefixLength} prefix; did you mean ${base}/${prefixLength}?`);
  }
  return { network: formatValue(value, family), family, prefixLength, port };
}

/** An address with the bits past `prefixLength` cleared, canonical: 127.1.0.5/24 gives 127.1.0.0. Needs a valid IP. */
export function networkOf(addr: string, family: 4 | 6, prefixLength: number): string {
  const bits = family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const value = family === 4 ? ipv4Value(addr) : ipv6Value(addr);
  return formatValue(value & ~hostMask, family);
}

/** The canonical key of a range, so two spellings of one range are found to be the same. */
export function formatCidr(range: CidrRange): string {
  const net = `${range.network}/${range.prefixLength}`;
  return range.family === 6 ? `[${net}]:${range.port}` : `${net}:${range.port}`;
}

/** A matcher for one range: true for an IP literal inside it on the range's port. */
export function cidrMatcher(range: CidrRange): (ip: string, family: 4 | 6, port: number) => boolean {
  const list = new BlockList();
  list.addSubnet(range.network, range.prefixLength, range.family === 4 ? 'ipv4' : 'ipv6');
  return (ip, family, port) => port === range.port && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

// Host-bit checks and canonical forms need the address as a number; BlockList only answers membership.

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  let t = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) is the last two 16-bit groups.
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4Value(tail);
    t = `${t.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = t.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatValue(value: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  const hex = value.toString(16).padStart(32, '0');
  const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  // The URL parser applies RFC 5952 (longest zero run, lower case), so we need not.
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}
