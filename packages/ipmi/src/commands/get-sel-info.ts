import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';
import { decodeTimestamp, TIMESTAMP_UNSPECIFIED } from './timestamp.js';

/**
 * IPMI v2.0 §31.2 Get SEL Info (Storage 0x40), response Table 31-2:
 *   1      SEL version (0x51)
 *   2:3    number of log entries, LS byte first
 *   4:5    free space in bytes, LS byte first
 *   6:9    most recent addition timestamp (0xFFFFFFFF = none)
 *   10:13  most recent erase timestamp
 *   14     [7] overflow (an event could not be logged), [3] Delete SEL,
 *          [2] Partial Add SEL Entry, [1] Reserve SEL, [0] Get SEL Allocation Info
 */
export interface SelInfo {
  version: string;
  entries: number;
  freeBytes: number;
  mostRecentAddition: number | null;
  mostRecentErase: number | null;
  overflow: boolean;
  supports: { delete: boolean; partialAdd: boolean; reserve: boolean; allocationInfo: boolean };
}

export type SelInfoReq = void;

export const getSelInfo: Command<SelInfoReq, SelInfo> = {
  name: 'Get SEL Info',
  netFn: NETFN.storage,
  cmd: 0x40,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get SEL Info response');
    const ver = r.u8('SEL version');
    const entries = r.u16le('entries');
    const freeBytes = r.u16le('free space');
    const add = r.u32le('most recent addition');
    const erase = r.u32le('most recent erase');
    const ops = r.u8('operation support');
    return {
      version: `${ver & 0x0f}.${ver >> 4}`,
      entries,
      freeBytes,
      mostRecentAddition: decodeTimestamp(add),
      mostRecentErase: decodeTimestamp(erase),
      overflow: (ops & 0x80) !== 0,
      supports: {
        delete: (ops & 0x08) !== 0,
        partialAdd: (ops & 0x04) !== 0,
        reserve: (ops & 0x02) !== 0,
        allocationInfo: (ops & 0x01) !== 0,
      },
    };
  },
};

/** BMC side: Table 31-2. "1.5" is written as 0x51; null timestamps as unspecified. */
export function encodeGetSelInfoResponse(rsp: SelInfo): Buffer {
  const [major = '0', minor = '0'] = rsp.version.split('.');
  const s = rsp.supports;
  const ops = (rsp.overflow ? 0x80 : 0) | (s.delete ? 0x08 : 0) | (s.partialAdd ? 0x04 : 0) | (s.reserve ? 0x02 : 0) | (s.allocationInfo ? 0x01 : 0);
  return new ByteWriter(14)
    .u8(((Number(minor) & 0x0f) << 4) | (Number(major) & 0x0f))
    .u16le(rsp.entries)
    .u16le(rsp.freeBytes)
    .u32le(rsp.mostRecentAddition ?? TIMESTAMP_UNSPECIFIED)
    .u32le(rsp.mostRecentErase ?? TIMESTAMP_UNSPECIFIED)
    .u8(ops)
    .toBuffer();
}
