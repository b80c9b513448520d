import { isIP } from 'node:net';
import { formatIp, parseIp, unmapIpv4, type IpAddress } from '../config/target-address.js';

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

interface Range {
  network: IpAddress;
  prefix: number;
}

export class AllowListError extends Error {
  readonly code = 'BAD_ALLOW_LIST';
}

export function parseAllowList(text: string): AllowList {
  const ranges: Range[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const slash = part.indexOf('/');
    const addr = slash < 0 ? part : part.slice(0, slash);
    const ip = parseIp(addr.replace(/^\[|\]$/g, ''));
    if (!ip) throw new AllowListError(`"${part}" is not an address range; write 192.0.2.0/24 or 2001:db8::/32`);
    const bits = ip.family === 4 ? 32 : 128;
    const lenText = slash < 0 ? String(bits) : part.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) throw new AllowListError(`"${part}": prefix length must be 0 to ${bits}`);
    const prefix = Number(lenText);
    const shift = BigInt(bits - prefix);
    ranges.push({ network: { family: ip.family, value: (ip.value >> shift) << shift }, prefix });
  }
  if (ranges.length === 0) throw new AllowListError('is empty; give at least one range (the default, every address, is 0.0.0.0/0,::/0)');
  const any = ranges.some((r) => r.network.family === 4 && r.prefix === 0) && ranges.some((r) => r.network.family === 6 && r.prefix === 0);
  const canonical = ranges.map((r) => `${formatIp(r.network)}/${r.prefix}`).join(',');
  return {
    any,
    text: canonical,
    allows(host: string): boolean {
      if (isIP(host) === 0) return any;
      const parsed = parseIp(host);
      if (!parsed) return false;
      const ip = unmapIpv4(parsed);
      return ranges.some((r) => {
        if (r.network.family !== ip.family) return false;
        const shift = BigInt((ip.family === 4 ? 32 : 128) - r.prefix);
        return ip.value >> shift === r.network.value >> shift;
      });
    },
  };
}
