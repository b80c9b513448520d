import { BlockList, isIP } from 'node:net';
import { networkOf } from '../config/cidr.js';

/**
 * --ipmi.allowed-targets: the address ranges /ipmi may send packets to.
 * ipmi_exporter takes credentials from the module, so any address a scrape
 * names would be contacted; this list keeps our rule that nothing goes to a
 * target the operator did not allow. Its default is every address (a
 * drop-in swap changes nothing), reported with a warning at start-up.
 */
export interface AllowList {
  /** True when the list covers every IPv4 and IPv6 address. */
  readonly any: boolean;
  /** The ranges as given, canonical, for messages. */
  readonly text: string;
  /** Whether an IP-literal host may be contacted; host names are never resolved here. */
  allows(host: string): boolean;
}

export const ALLOW_ANY = '0.0.0.0/0,::/0';

export class AllowListError extends Error {
  readonly code = 'BAD_ALLOW_LIST';
}

/** Parses the flag's comma list; matching is node:net's BlockList (IPv4-mapped IPv6 sources match IPv4 ranges). */
export function parseAllowList(text: string): AllowList {
  const list = new BlockList();
  const canonical: string[] = [];
  let anyV4 = false;
  let anyV6 = false;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const slash = part.indexOf('/');
    const addr = (slash < 0 ? part : part.slice(0, slash)).replace(/^\[|\]$/g, '');
    const detected = isIP(addr);
    if (detected === 0 || addr.includes('%')) throw new AllowListError(`"${part}" is not an address range; write 192.0.2.0/24 or 2001:db8::/32`);
    const family = detected === 4 ? 4 : 6;
    const bits = family === 4 ? 32 : 128;
    const lenText = slash < 0 ? String(bits) : part.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) throw new AllowListError(`"${part}": prefix length must be 0 to ${bits}`);
    const prefix = Number(lenText);
    const network = networkOf(addr, family, prefix);
    list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    canonical.push(`${network}/${prefix}`);
    if (prefix === 0) {
      if (family === 4) anyV4 = true;
      else anyV6 = true;
    }
  }
  if (canonical.length === 0) throw new AllowListError('is empty; give at least one range (the default, every address, is 0.0.0.0/0,::/0)');
  const any = anyV4 && anyV6;
  return {
    any,
    text: canonical.join(','),
    allows(host: string): boolean {
      const family = isIP(host);
      if (family === 0) return any;
      // A zone-scoped address (fe80::1%eth0) names an interface, not a network the list can hold.
      if (host.includes('%')) return any;
      return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
