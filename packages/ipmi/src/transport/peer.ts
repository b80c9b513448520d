import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

/** A BMC endpoint: an IP literal (v4 or v6) and a UDP port. */
export interface Peer {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** The RMCP port (IPMI v2.0 §13.1.1): a target without a port means this one. */
export const DEFAULT_IPMI_PORT = 623;

/** A target as written by a person or Prometheus, in one canonical spelling. */
export interface HostPort {
  /** Dotted IPv4, RFC 5952 IPv6 without brackets, or a lower-case host name without a trailing dot. */
  readonly host: string;
  readonly port: number;
  /** 4 or 6 for an IP literal, 0 for a host name. */
  readonly family: 0 | 4 | 6;
}

/** RFC 1123 labels; `_` is allowed too, because real BMC inventories use it in DNS names. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Longer than any host name plus port: refused before any work is done on it. */
const MAX_TARGET_LENGTH = 300;

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new InvalidArgumentError(`"${whole}" has port "${text}": a port is a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`"${whole}" has port ${port}: a port is a number from 1 to 65535`);
  return port;
}

/**
 * Splits "host", "host:port", "[v6]" or "[v6]:port" without judging the host.
 * A bare IPv6 literal (more than one colon, no brackets) is taken whole: it
 * cannot carry a port.
 */
export function splitHostPort(text: string, defaultPort = DEFAULT_IPMI_PORT): { host: string; port: number; bracketed: boolean } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new InvalidArgumentError(`"${text}" opens "[" without a closing "]": write IPv6 targets as [2001:db8::1]:623`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === '') return { host, port: defaultPort, bracketed: true };
    if (!rest.startsWith(':')) throw new InvalidArgumentError(`"${text}" has "${rest}" after "]": expected ":port"`);
    return { host, port: parsePort(rest.slice(1), text), bracketed: true };
  }
  const colons = text.split(':').length - 1;
  if (colons !== 1) return { host: text, port: defaultPort, bracketed: false };
  const at = text.indexOf(':');
  return { host: text.slice(0, at), port: parsePort(text.slice(at + 1), text), bracketed: false };
}

/**
 * The one parser for targets: the client's `host` option, the secrets file's
 * keys and the `target` query parameter all go through it, so a target that
 * one of them accepts the others accept too, under the same spelling.
 * Host names are lower-cased and IPv6 literals canonicalised, so
 * "[2001:DB8::1]" and "[2001:db8:0::1]" are one BMC (and one session).
 */
export function parseHostPort(target: string, defaultPort = DEFAULT_IPMI_PORT): HostPort {
  const text = target.trim();
  if (text.length > MAX_TARGET_LENGTH) throw new InvalidArgumentError(`a target is at most ${MAX_TARGET_LENGTH} characters`);
  const { host, port, bracketed } = splitHostPort(text, defaultPort);
  if (host === '') throw new InvalidArgumentError(`"${text}" has no host: write it as 192.0.2.1:623, [2001:db8::1]:623 or bmc1.example.com:623`);
  const family = isIP(host);
  if (bracketed && family !== 6) throw new InvalidArgumentError(`"${text}": only IPv6 addresses go in brackets`);
  if (family === 4) return { host, port, family };
  if (family === 6) {
    // A zone-scoped address (fe80::1%eth0) has no URL form; it is kept as written, lower-cased.
    const canonical = host.includes('%') ? host.toLowerCase() : new URL(`http://[${host}]/`).hostname.slice(1, -1);
    return { host: canonical, port, family };
  }
  if (/^[\d.]+$/.test(host)) throw new InvalidArgumentError(`"${text}" is not a valid IPv4 address (four decimal numbers 0-255, no leading zeros)`);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(name)) throw new InvalidArgumentError(`"${text}" is neither an IP address nor a valid host name`);
  return { host: name, port, family: 0 };
}

/** "192.0.2.1:623", "[2001:db8::1]:623", "bmc1.example.net:623". */
export function formatHostPort(hp: { host: string; port: number }): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
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
  return formatHostPort({ host: p.address, port: p.port });
}
