import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §31.4 Reserve SEL (Storage 0x42). Response 1:2: reservation ID,
 * LS byte first. Needed for partial Get SEL Entry reads; a SEL change cancels it.
 */
export interface SelReservation {
  reservationId: number;
}

export type ReserveSelReq = void;

export const reserveSel: Command<ReserveSelReq, SelReservation> = {
  name: 'Reserve SEL',
  netFn: NETFN.storage,
  cmd: 0x42,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Reserve SEL response');
    return { reservationId: r.u16le('reservation ID') };
  },
};

/** BMC side: the reservation ID, LS byte first. */
export function encodeReserveSelResponse(rsp: SelReservation): Buffer {
  return new ByteWriter(2).u16le(rsp.reservationId).toBuffer();
}
