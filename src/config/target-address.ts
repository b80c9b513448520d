import { isIP } from 'node:net';

/**
 * Target strings as Prometheus passes them in `?target=` and as the secrets
 * file keys them: `host:port`, `[ipv6]:port`, a bare host (port 623, the
 * RMCP port, IPMI v2.0 §13.1.1), and for keys only a CIDR range with a port.
 */

export const DEFAULT_IPMI_PORT = 623;

export interface IpAddress {
  readonly family: 4 | 6;
  /** The address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

export interface HostPort {
  /** Canonical host: dotted IPv4, RFC 5952 IPv6 without brackets, or a lower-case hostname. */
  readonly host: string;
  readonly port: number;
  /** Set when host is an IP literal (zone-scoped IPv6 addresses excepted). */
  readonly ip?: IpAddress;
}

export interface CidrRange {
  readonly network: IpAddress;
  readonly prefixLength: number;
  readonly port: number;
}

/** Why a string is not a usable target; the caller adds file and line. */
export class AddressError extends Error {
  readonly code = 'BAD_ADDRESS';
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

export function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new AddressError(`"${whole}" has port "${text}": a port is a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new AddressError(`"${whole}" has port ${port}: a port is a number from 1 to 65535`);
  return port;
}

/** Splits `host:port`, `[v6]:port`, `host`, `v6` into a host part and a port (default 623). */
function splitHostPort(text: string): { host: string; port: number; bracketed: boolean } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new AddressError(`"${text}" opens "[" without a closing "]": write IPv6 targets as [2001:db8::1]:623`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === '') return { host, port: DEFAULT_IPMI_PORT, bracketed: true };
    if (!rest.startsWith(':')) throw new AddressError(`"${text}" has "${rest}" after "]": expected ":port"`);
    return { host, port: parsePort(rest.slice(1), text), bracketed: true };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return { host: text, port: DEFAULT_IPMI_PORT, bracketed: false };
  // More than one colon without brackets: a bare IPv6 address, which cannot carry a port.
  if (colons > 1) return { host: text, port: DEFAULT_IPMI_PORT, bracketed: false };
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: parsePort(text.slice(at + 1), text), bracketed: false };
}

export function parseIp(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: ipv4ToBigint(text) };
  if (family === 6 && !text.includes('%')) return { family: 6, value: ipv6ToBigint(text) };
  return undefined;
}

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigint(text: string): bigint {
  let t = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) is the last two 16-bit groups.
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigint(tail);
    t = `${t.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = t.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join('.');
  }
  const hex = ip.value.toString(16).padStart(32, '0');
  const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  // The URL parser applies RFC 5952 (longest zero run, lower case), so we need not.
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** Parses a target (or a non-CIDR secrets key) into its canonical host and port. */
export function parseHostPort(text: string): HostPort {
  const { host, port, bracketed } = splitHostPort(text.trim());
  if (host === '') throw new AddressError(`"${text}" has no host: write it as 192.0.2.1:623, [2001:db8::1]:623 or bmc1.example.com:623`);
  const family = isIP(host);
  if (bracketed && family !== 6) throw new AddressError(`"${text}": only IPv6 addresses go in brackets`);
  if (family !== 0) {
    const ip = parseIp(host);
    return ip ? { host: formatIp(ip), port, ip } : { host: host.toLowerCase(), port };
  }
  if (/^[\d.]+$/.test(host)) throw new AddressError(`"${text}" is not a valid IPv4 address (four decimal numbers 0-255, no leading zeros)`);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name)) throw new AddressError(`"${text}" is neither an IP address nor a valid hostname`);
  return { host: name, port };
}

export function formatHostPort(hp: { host: string; port: number }): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

export function isCidrKey(text: string): boolean {
  return text.includes('/');
}

/** Parses `10.1.0.0/24:623` or `[fd00::/64]:623` (port optional, default 623). */
export function parseCidr(text: string): CidrRange {
  const { host, port } = splitHostPort(text.trim());
  const slash = host.indexOf('/');
  const addr = host.slice(0, slash);
  const lenText = host.slice(slash + 1);
  const network = parseIp(addr);
  if (!network) throw new AddressError(`"${text}": "${addr}" is not an IP address; a range is written 10.1.0.0/24:623 or [fd00::/64]:623`);
  const bits = network.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
    throw new AddressError(`"${text}": prefix length "${lenText}" must be a number from 0 to ${bits}`);
  }
  const prefixLength = Number(lenText);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  if ((network.value & hostMask) !== 0n) {
    const base = formatIp({ family: network.family, value: network.value & ~hostMask });
    throw new AddressError(`"${text}": ${addr} has bits set past the /${prefixLength} prefix; did you mean ${base}/${prefixLength}?`);
  }
  return { network, prefixLength, port };
}

export function cidrContains(range: CidrRange, ip: IpAddress, port: number): boolean {
  if (range.port !== port || range.network.family !== ip.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  const shift = BigInt(bits - range.prefixLength);
  return ip.value >> shift === range.network.value >> shift;
}

export function formatCidr(range: CidrRange): string {
  const net = `${formatIp(range.network)}/${range.prefixLength}`;
  return range.network.family === 6 ? `[${net}]:${range.port}` : `${net}:${range.port}`;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it stands for. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}
