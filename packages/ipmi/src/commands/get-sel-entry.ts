import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/** Record ID meaning "first entry" in a request. */
export const SEL_FIRST_ENTRY = 0x0000;
/** Record ID meaning "last entry" in a request, and "no more entries" as next ID. */
export const SEL_LAST_ENTRY = 0xffff;
/** Bytes-to-read value meaning the whole 16-byte record. */
export const SEL_READ_WHOLE_ENTRY = 0xff;

/**
 * IPMI v2.0 §31.5 Get SEL Entry (Storage 0x43).
 * Request Table 31-3:
 *   1:2  reservation ID, LS byte first (0x0000 when reading whole records)
 *   3:4  SEL record ID (0x0000 first, 0xFFFF last)
 *   5    offset into record
 *   6    bytes to read (0xFF = entire record)
 * Response:
 *   1:2  next SEL record ID (0xFFFF after the last)
 *   3:N  record data (16 bytes for a whole record, §32)
 */
export interface GetSelEntryReq {
  reservationId?: number;
  recordId: number;
  offset?: number;
  bytesToRead?: number;
}

export interface GetSelEntryRsp {
  nextRecordId: number;
  data: Buffer;
}

export const getSelEntry: Command<GetSelEntryReq, GetSelEntryRsp> = {
  name: 'Get SEL Entry',
  netFn: NETFN.storage,
  cmd: 0x43,
  encode: (req) =>
    new ByteWriter(6)
      .u16le(req.reservationId ?? 0)
      .u16le(req.recordId)
      .u8(req.offset ?? 0)
      .u8(req.bytesToRead ?? SEL_READ_WHOLE_ENTRY)
      .toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Get SEL Entry response');
    const nextRecordId = r.u16le('next record ID');
    return { nextRecordId, data: Buffer.from(r.rest()) };
  },
};

/** BMC side: the Table 31-3 request fields, all present. */
export function decodeGetSelEntryRequest(data: Buffer): Required<GetSelEntryReq> {
  const r = new ByteReader(data, 'Get SEL Entry request');
  return {
    reservationId: r.u16le('reservation ID'),
    recordId: r.u16le('record ID'),
    offset: r.u8('offset'),
    bytesToRead: r.u8('bytes to read'),
  };
}

export function encodeGetSelEntryResponse(rsp: GetSelEntryRsp): Buffer {
  return new ByteWriter(2 + rsp.data.length).u16le(rsp.nextRecordId).bytes(rsp.data).toBuffer();
}
