import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/** Get SDR "bytes to read" value meaning the whole record (§33.12). */
export const SDR_READ_WHOLE_RECORD = 0xff;
/** Record ID of the first record, and the "next record ID" that ends the list. */
export const SDR_FIRST_RECORD_ID = 0x0000;
export const SDR_LAST_RECORD_ID = 0xffff;

/**
 * IPMI v2.0 §33.12 Get SDR (Storage 0x23).
 * Request Table 33-13:
 *   1:2  reservation ID, LS byte first (0 allowed only when reading a whole record from offset 0)
 *   3:4  record ID, LS byte first (0x0000 = first)
 *   5    offset into record
 *   6    bytes to read (0xFF = entire record)
 * Response:
 *   1:2  next record ID, LS byte first (0xFFFF = this was the last)
 *   3:N  the requested record bytes
 */
export interface GetSdrReq {
  reservationId: number;
  recordId: number;
  offset: number;
  bytesToRead: number;
}

export interface GetSdrRsp {
  nextRecordId: number;
  data: Buffer;
}

export const getSdr: Command<GetSdrReq, GetSdrRsp> = {
  name: 'Get SDR',
  netFn: NETFN.storage,
  cmd: 0x23,
  encode: (req) => new ByteWriter(6).u16le(req.reservationId).u16le(req.recordId).u8(req.offset).u8(req.bytesToRead).toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Get SDR response');
    const nextRecordId = r.u16le('next record ID');
    return { nextRecordId, data: Buffer.from(r.rest()) };
  },
};

/** BMC side: the Table 33-13 request fields. */
export function decodeGetSdrRequest(data: Buffer): GetSdrReq {
  const r = new ByteReader(data, 'Get SDR request');
  return {
    reservationId: r.u16le('reservation ID'),
    recordId: r.u16le('record ID'),
    offset: r.u8('offset'),
    bytesToRead: r.u8('bytes to read'),
  };
}

/** BMC side: next record ID then the record bytes asked for. */
export function encodeGetSdrResponse(rsp: GetSdrRsp): Buffer {
  return new ByteWriter(2 + rsp.data.length).u16le(rsp.nextRecordId).bytes(rsp.data).toBuffer();
}
