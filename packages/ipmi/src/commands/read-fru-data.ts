import { MalformedPacketError } from '../errors.js';
import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §34.2 Read FRU Data (Storage 0x11).
 * Request Table 34-3:
 *   1    FRU device ID
 *   2:3  inventory offset, LS byte first (in words for word-accessed devices)
 *   4    count to read (1-based)
 * Response:
 *   1    count returned
 *   2:N  data
 * Completion code 0x81 means "FRU device busy"; the caller retries.
 */
export interface ReadFruDataReq {
  fruId: number;
  offset: number;
  count: number;
}

export interface ReadFruDataRsp {
  countReturned: number;
  data: Buffer;
}

export const readFruData: Command<ReadFruDataReq, ReadFruDataRsp> = {
  name: 'Read FRU Data',
  netFn: NETFN.storage,
  cmd: 0x11,
  encode: (req) => new ByteWriter(4).u8(req.fruId).u16le(req.offset).u8(req.count).toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Read FRU Data response');
    const countReturned = r.u8('count returned');
    if (r.remaining < countReturned) {
      throw new MalformedPacketError(`Read FRU Data response: count returned is ${countReturned} but only ${r.remaining} data byte(s) follow`, {
        want: countReturned,
        got: r.remaining,
      });
    }
    return { countReturned, data: Buffer.from(r.bytes(countReturned, 'FRU data')) };
  },
};

export function decodeReadFruDataRequest(data: Buffer): ReadFruDataReq {
  const r = new ByteReader(data, 'Read FRU Data request');
  return { fruId: r.u8('FRU device ID'), offset: r.u16le('offset'), count: r.u8('count') };
}

/** BMC side: count returned is the data length. */
export function encodeReadFruDataResponse(rsp: Pick<ReadFruDataRsp, 'data'>): Buffer {
  return new ByteWriter(1 + rsp.data.length).u8(rsp.data.length).bytes(rsp.data).toBuffer();
}
