import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §33.11 Reserve SDR Repository (Storage 0x22). Response 1:2 is the
 * reservation ID, LS byte first; partial Get SDR reads must carry it and the
 * BMC cancels it (completion code 0xC5) when the repository changes.
 */
export interface SdrReservation {
  reservationId: number;
}

export type ReserveSdrRepositoryReq = void;

export const reserveSdrRepository: Command<ReserveSdrRepositoryReq, SdrReservation> = {
  name: 'Reserve SDR Repository',
  netFn: NETFN.storage,
  cmd: 0x22,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Reserve SDR Repository response');
    return { reservationId: r.u16le('reservation ID') };
  },
};

/** BMC side: the reservation ID, LS byte first. */
export function encodeReserveSdrRepositoryResponse(rsp: SdrReservation): Buffer {
  return new ByteWriter(2).u16le(rsp.reservationId).toBuffer();
}
