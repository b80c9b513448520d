import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §22.14 Get System GUID (App 0x37): 16 bytes in the layout of
 * §20.8 Table 20-10, i.e. RFC 4122 fields in reverse order, each
 * least-significant byte first:
 *   0:5 node, 6:7 clock_seq_and_reserved, 8:9 time_hi_and_version,
 *   10:11 time_mid, 12:15 time_low.
 * Many BMCs ignore this and send RFC 4122 (network order) or SMBIOS order.
 */
export interface SystemGuid {
  /** The 16 bytes exactly as received. */
  guid: Buffer;
}

export type SystemGuidReq = void;

export const getSystemGuid: Command<SystemGuidReq, SystemGuid> = {
  name: 'Get System GUID',
  netFn: NETFN.app,
  cmd: 0x37,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get System GUID response');
    const guid = Buffer.from(r.bytes(16, 'GUID'));
    r.expectEnd();
    return { guid };
  },
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * The 16 bytes in wire order, grouped 8-4-4-4-12, lowercase. This is what
 * gebn/bmc_exporter puts in its bmc_info guid label; keeping it unchanged
 * keeps existing series' identities when users switch exporters.
 */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`GUID must be 16 bytes, got ${bytes.length}`);
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The three byte layouts ipmitool 1.8.19 tries, in its probing order (later wins unless a time-based one validates). */
type GuidLayout = 'rfc4122' | 'ipmi' | 'smbios';
const PROBE_ORDER: readonly GuidLayout[] = ['rfc4122', 'ipmi', 'smbios'];

interface GuidFields {
  timeLow: number;
  timeMid: number;
  timeHi: number;
  clockSeq: number;
  node: Buffer;
}

function fields(b: Buffer, layout: GuidLayout): GuidFields {
  switch (layout) {
    case 'ipmi':
      // §20.8: everything LSB first, fields reversed; node reads backwards.
      return {
        timeLow: b.readUInt32LE(12),
        timeMid: b.readUInt16LE(10),
        timeHi: b.readUInt16LE(8),
        clockSeq: b.readUInt16LE(6),
        node: Buffer.from(b.subarray(0, 6)).reverse(),
      };
    case 'rfc4122':
      return {
        timeLow: b.readUInt32BE(0),
        timeMid: b.readUInt16BE(4),
        timeHi: b.readUInt16BE(6),
        clockSeq: b.readUInt16BE(8),
        node: Buffer.from(b.subarray(10, 16)),
      };
    case 'smbios':
      // SMBIOS 3.0 §7.2.1: RFC 4122 field order, time fields little-endian.
      return {
        timeLow: b.readUInt32LE(0),
        timeMid: b.readUInt16LE(4),
        timeHi: b.readUInt16LE(6),
        clockSeq: b.readUInt16BE(8),
        node: Buffer.from(b.subarray(10, 16)),
      };
  }
}

/** Seconds between the Gregorian reform (1582-10-15), the UUID epoch, and 1970-01-01. */
const GREGORIAN_TO_UNIX_SECONDS = 12219292800n;

function uuidTimeSeconds(f: GuidFields): number {
  const ticks = (BigInt(f.timeHi & 0x0fff) << 48n) | (BigInt(f.timeMid) << 32n) | BigInt(f.timeLow);
  return Number(ticks / 10_000_000n - GREGORIAN_TO_UNIX_SECONDS);
}

/**
 * What `ipmitool mc guid` (1.8.19, default auto mode) prints after "System
 * GUID :". It tries the RFC 4122, IPMI and SMBIOS layouts in that order and
 * keeps the last with a valid version nibble (1-5), stopping early at a
 * time-based (v1) one whose timestamp falls between 1970 and the current year.
 * With no valid layout it dumps the 16 bytes as uppercase hex. `now` (ms) is
 * injectable because the year check depends on the clock.
 */
export function formatGuidAsIpmitool(bytes: Uint8Array, now: number = Date.now()): string {
  if (bytes.length !== 16) throw new RangeError(`GUID must be 16 bytes, got ${bytes.length}`);
  const b = Buffer.from(bytes);
  const nowYear = new Date(now).getUTCFullYear();
  let chosen: GuidFields | undefined;
  for (const layout of PROBE_ORDER) {
    const f = fields(b, layout);
    const version = f.timeHi >> 12;
    if (version < 1 || version > 5) continue;
    chosen = f;
    if (version === 1) {
      const year = new Date(uuidTimeSeconds(f) * 1000).getUTCFullYear();
      if (year >= 1970 && year <= nowYear) break;
    }
  }
  if (!chosen) return hex(b).toUpperCase();
  const p = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${p(chosen.timeLow, 8)}-${p(chosen.timeMid, 4)}-${p(chosen.timeHi, 4)}-${p(chosen.clockSeq, 4)}-${hex(chosen.node)}`;
}

/** BMC side: the response is the 16 GUID bytes as they are (Table 20-10 order is the caller's choice). */
export function encodeGetSystemGuidResponse(rsp: SystemGuid): Buffer {
  return new ByteWriter(16).bytes(rsp.guid.subarray(0, 16)).toBuffer();
}

/** Inverse of formatGuid: "8-4-4-4-12" hex in wire order to the 16 bytes. */
export function parseGuid(text: string): Buffer {
  const h = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new RangeError(`GUID must be 32 hex digits (8-4-4-4-12), got "${text}"`);
  return Buffer.from(h, 'hex');
}
