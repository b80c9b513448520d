import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §31.10 Get SEL Time (Storage 0x48). Response 1:4: the SEL clock
 * as a §37 timestamp, LS byte first. Lets callers correct SEL timestamps of
 * BMCs whose clock was never set (ipmi_sim counts from its start, peers.md).
 */
export interface SelTime {
  seconds: number;
}

export type SelTimeReq = void;

export const getSelTime: Command<SelTimeReq, SelTime> = {
  name: 'Get SEL Time',
  netFn: NETFN.storage,
  cmd: 0x48,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get SEL Time response');
    return { seconds: r.u32le('SEL time') };
  },
};

export function encodeGetSelTimeResponse(rsp: SelTime): Buffer {
  return new ByteWriter(4).u32le(rsp.seconds).toBuffer();
}
