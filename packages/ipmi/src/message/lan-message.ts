import { ByteReader } from '../codec/reader.js';
import { checksum8 } from '../codec/writer.js';
import { MalformedPacketError } from '../errors.js';

/** IPMI v2.0 §5.5 / §13.8: well-known addresses on a LAN session. */
export const LAN_ADDRESS = {
  /** BMC responder slave address */
  bmc: 0x20,
  /** Remote console software ID (0x81, bit 0 = software ID) */
  remoteConsole: 0x81,
} as const;

export interface LanRequest {
  /** Responder slave address, default 0x20 (BMC). */
  rsAddr?: number;
  netFn: number;
  rsLun?: number;
  /** Requester software ID, default 0x81. */
  rqAddr?: number;
  /** 6-bit request sequence number (0..63) used to match the response. */
  rqSeq: number;
  rqLun?: number;
  cmd: number;
  data: Buffer;
}

export interface LanResponse {
  rqAddr: number;
  netFn: number;
  rqLun: number;
  rsAddr: number;
  rqSeq: number;
  rsLun: number;
  cmd: number;
  completionCode: number;
  data: Buffer;
}

/**
 * IPMI v2.0 §13.8 Table 13-4, request:
 *   [0] rsAddr  [1] netFn(7:2) | rsLUN(1:0)  [2] chk1 over [0..1]
 *   [3] rqAddr  [4] rqSeq(7:2) | rqLUN(1:0)  [5] cmd  [6..] data  [last] chk2 over [3..]
 */
export function encodeLanRequest(r: LanRequest): Buffer {
  return encodeFrame(r.rsAddr ?? LAN_ADDRESS.bmc, r.netFn, r.rsLun ?? 0, r.rqAddr ?? LAN_ADDRESS.remoteConsole, r.rqSeq, r.rqLun ?? 0, r.cmd, r.data);
}

/** Response layout mirrors the request with the roles swapped and a completion code first in data. */
export function encodeLanResponse(r: LanResponse): Buffer {
  const data = Buffer.concat([Buffer.from([r.completionCode & 0xff]), r.data]);
  return encodeFrame(r.rqAddr, r.netFn, r.rqLun, r.rsAddr, r.rqSeq, r.rsLun, r.cmd, data);
}

export function decodeLanRequest(buf: Buffer): Required<LanRequest> {
  const f = decodeFrame(buf, 'IPMI LAN request');
  return {
    rsAddr: f.addr1,
    netFn: f.netFn,
    rsLun: f.lun1,
    rqAddr: f.addr2,
    rqSeq: f.seq,
    rqLun: f.lun2,
    cmd: f.cmd,
    data: f.data,
  };
}

export function decodeLanResponse(buf: Buffer): LanResponse {
  const f = decodeFrame(buf, 'IPMI LAN response');
  const body = new ByteReader(f.data, 'IPMI LAN response');
  const completionCode = body.u8('completion code');
  return {
    rqAddr: f.addr1,
    netFn: f.netFn,
    rqLun: f.lun1,
    rsAddr: f.addr2,
    rqSeq: f.seq,
    rsLun: f.lun2,
    cmd: f.cmd,
    completionCode,
    data: body.rest(),
  };
}

function encodeFrame(addr1: number, netFn: number, lun1: number, addr2: number, seq: number, lun2: number, cmd: number, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(7 + data.length);
  writeLanFrame(out, 0, addr1, netFn, lun1, addr2, seq, lun2, cmd, data);
  return out;
}

/**
 * A Table 13-4 frame (7 + data.length bytes, both checksums) written into
 * `out` at `at`, for encoders that frame a message in place; the offset
 * after it.
 */
export function writeLanFrame(
  out: Buffer,
  at: number,
  addr1: number,
  netFn: number,
  lun1: number,
  addr2: number,
  seq: number,
  lun2: number,
  cmd: number,
  data: Buffer,
): number {
  out[at] = addr1;
  out[at + 1] = ((netFn & 0x3f) << 2) | (lun1 & 0x03);
  out[at + 2] = checksum8(out, at, at + 2);
  out[at + 3] = addr2;
  out[at + 4] = ((seq & 0x3f) << 2) | (lun2 & 0x03);
  out[at + 5] = cmd;
  // Request data is mostly a few bytes: up to 16, a loop costs less than Buffer.copy's native call (beyond 32 it costs more).
  if (data.length <= 16) for (let i = 0; i < data.length; i++) out[at + 6 + i] = data[i]!;
  else data.copy(out, at + 6);
  const end = at + 6 + data.length;
  out[end] = checksum8(out, at + 3, end);
  return end + 1;
}

function decodeFrame(buf: Buffer, what: string) {
  if (buf.length < 7) {
    throw new MalformedPacketError(`${what}: ${buf.length} byte(s), need at least 7`, { want: 7, got: buf.length });
  }
  if (checksum8(buf, 0, 3) !== 0) throw new MalformedPacketError(`${what}: header checksum mismatch`);
  if (checksum8(buf, 3, buf.length) !== 0) throw new MalformedPacketError(`${what}: data checksum mismatch`);
  const r = new ByteReader(buf, what, 0, buf.length - 1);
  const addr1 = r.u8('address');
  const netLun = r.u8('netFn/LUN');
  r.skip(1, 'checksum 1');
  const addr2 = r.u8('address');
  const seqLun = r.u8('seq/LUN');
  const cmd = r.u8('cmd');
  return {
    addr1,
    netFn: netLun >> 2,
    lun1: netLun & 0x03,
    addr2,
    seq: seqLun >> 2,
    lun2: seqLun & 0x03,
    cmd,
    data: Buffer.from(r.rest()),
  };
}
