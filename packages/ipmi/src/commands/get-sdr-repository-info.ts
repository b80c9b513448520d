import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';
import { decodeTimestamp, TIMESTAMP_UNSPECIFIED } from './timestamp.js';

/** IPMI v2.0 Table 33-10 byte 14 bits [6:5]: how the repository may be updated. */
export const SDR_UPDATE_MODES = {
  /** the BMC did not say */
  0: 'unspecified',
  /** writes allowed while sensors are scanned */
  1: 'non-modal',
  /** writes need Enter SDR Repository Update Mode */
  2: 'modal',
  /** both */
  3: 'both',
} as const;

/**
 * IPMI v2.0 §33.9 Get SDR Repository Info (Storage 0x20), response Table 33-10:
 *   1      SDR version (0x51 for IPMI 1.5/2.0 format)
 *   2:3    record count, LS byte first
 *   4:5    free space in bytes (0xFFFE = 64KB-2 or more, 0xFFFF = unspecified)
 *   6:9    most recent addition timestamp (§37; 0xFFFFFFFF = unspecified)
 *   10:13  most recent erase timestamp
 *   14     [7] overflow, [6:5] update modes, [3] Delete SDR, [2] Partial Add SDR,
 *          [1] Reserve SDR Repository, [0] Get SDR Repository Allocation Info
 */
export interface SdrRepositoryInfo {
  /** "1.5" style from the BCD-ish version byte (0x51 -> "1.5"). */
  version: string;
  recordCount: number;
  /** Bytes; null when the BMC says unspecified (0xFFFF). */
  freeSpace: number | null;
  /** Seconds (§37); null when unspecified. Changes when the SDR set changes: the cache key. */
  mostRecentAddition: number | null;
  mostRecentErase: number | null;
  overflow: boolean;
  updateMode: (typeof SDR_UPDATE_MODES)[keyof typeof SDR_UPDATE_MODES];
  supports: { deleteSdr: boolean; partialAdd: boolean; reserve: boolean; allocationInfo: boolean };
}

export type SdrRepositoryInfoReq = void;

export const getSdrRepositoryInfo: Command<SdrRepositoryInfoReq, SdrRepositoryInfo> = {
  name: 'Get SDR Repository Info',
  netFn: NETFN.storage,
  cmd: 0x20,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get SDR Repository Info response');
    const ver = r.u8('SDR version');
    const recordCount = r.u16le('record count');
    const free = r.u16le('free space');
    const add = r.u32le('most recent addition');
    const erase = r.u32le('most recent erase');
    const ops = r.u8('operation support');
    return {
      version: `${ver & 0x0f}.${ver >> 4}`,
      recordCount,
      freeSpace: free === 0xffff ? null : free,
      mostRecentAddition: decodeTimestamp(add),
      mostRecentErase: decodeTimestamp(erase),
      overflow: (ops & 0x80) !== 0,
      updateMode: SDR_UPDATE_MODES[((ops >> 5) & 0x03) as 0 | 1 | 2 | 3],
      supports: {
        deleteSdr: (ops & 0x08) !== 0,
        partialAdd: (ops & 0x04) !== 0,
        reserve: (ops & 0x02) !== 0,
        allocationInfo: (ops & 0x01) !== 0,
      },
    };
  },
};

/** BMC side: Table 33-10. The version string "1.5" is written as 0x51; null timestamps and free space as unspecified. */
export function encodeGetSdrRepositoryInfoResponse(rsp: SdrRepositoryInfo): Buffer {
  const [major = '0', minor = '0'] = rsp.version.split('.');
  const mode = Number(Object.entries(SDR_UPDATE_MODES).find(([, v]) => v === rsp.updateMode)?.[0] ?? 0);
  const s = rsp.supports;
  const ops =
    (rsp.overflow ? 0x80 : 0) | (mode << 5) | (s.deleteSdr ? 0x08 : 0) | (s.partialAdd ? 0x04 : 0) | (s.reserve ? 0x02 : 0) | (s.allocationInfo ? 0x01 : 0);
  return new ByteWriter(14)
    .u8(((Number(minor) & 0x0f) << 4) | (Number(major) & 0x0f))
    .u16le(rsp.recordCount)
    .u16le(rsp.freeSpace ?? 0xffff)
    .u32le(rsp.mostRecentAddition ?? TIMESTAMP_UNSPECIFIED)
    .u32le(rsp.mostRecentErase ?? TIMESTAMP_UNSPECIFIED)
    .u8(ops)
    .toBuffer();
}
