import { createHash, timingSafeEqual } from 'node:crypto';
import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { md2 } from '../crypto/md2.js';
import { InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { RMCP_CLASS, encodeRmcp } from '../rmcp/rmcp.js';
import { AUTH_TYPE, V15_PASSWORD_LENGTH } from './auth-types.js';

export interface V15Packet {
  authType: number;
  sessionSeq: number;
  sessionId: number;
  /** 16 bytes; present iff authType != none. */
  authCode?: Buffer;
  payload: Buffer;
}

/** §22.17.1: v1.5 keys are the password zero padded (or cut) to 16 bytes. */
export function padV15Password(password: Buffer | undefined): Buffer {
  const out = Buffer.alloc(V15_PASSWORD_LENGTH);
  if (password) {
    if (password.length > V15_PASSWORD_LENGTH) {
      throw new InvalidArgumentError(`IPMI 1.5 passwords are at most ${V15_PASSWORD_LENGTH} bytes`);
    }
    password.copy(out);
  }
  return out;
}

/**
 * IPMI v2.0 §22.17.1 Table 22-23 (auth code algorithms):
 *   password: the padded password itself
 *   MD2/MD5: H(password ‖ session id (LE) ‖ IPMI message ‖ session seq (LE) ‖ password)
 */
export function computeV15AuthCode(authType: number, password: Buffer | undefined, sessionId: number, sessionSeq: number, payload: Buffer): Buffer {
  const pw = padV15Password(password);
  if (authType === AUTH_TYPE.password) return pw;
  if (authType !== AUTH_TYPE.md5 && authType !== AUTH_TYPE.md2) {
    throw new InvalidArgumentError(`IPMI 1.5 auth type ${authType} is not supported`);
  }
  const input = new ByteWriter(40 + payload.length).bytes(pw).u32le(sessionId).bytes(payload).u32le(sessionSeq).bytes(pw).toBuffer();
  return authType === AUTH_TYPE.md5 ? createHash('md5').update(input).digest() : md2(input);
}

/**
 * IPMI v2.0 §13.6 Table 13-8, IPMI v1.5 session packet (after the RMCP header):
 *   [0] auth type  [1..4] session seq  [5..8] session id  [9..24] auth code (iff type != none)
 *   [+0] payload length (1 byte)  [+1..] payload (IPMI LAN message)
 * Returns the whole RMCP datagram.
 */
export function encodeV15Packet(p: { authType: number; sessionSeq: number; sessionId: number; password?: Buffer; payload: Buffer }): Buffer {
  if (p.payload.length > 0xff) throw new InvalidArgumentError('IPMI 1.5 payload longer than 255 bytes');
  const w = new ByteWriter(32 + p.payload.length).u8(p.authType).u32le(p.sessionSeq).u32le(p.sessionId);
  if (p.authType !== AUTH_TYPE.none) {
    w.bytes(computeV15AuthCode(p.authType, p.password, p.sessionId, p.sessionSeq, p.payload));
  }
  w.u8(p.payload.length).bytes(p.payload);
  return encodeRmcp(RMCP_CLASS.ipmi, w.toBuffer());
}

/**
 * Decodes the RMCP body of a v1.5 session packet. Bytes after the payload are
 * tolerated: ipmitool and several BMCs append a "legacy pad" 0x00 byte (the
 * IPMI v1.5 spec's workaround for NICs that mishandle certain frame lengths).
 */
export function decodeV15Packet(rmcpBody: Buffer): V15Packet {
  const r = new ByteReader(rmcpBody, 'IPMI 1.5 session packet');
  const authType = r.u8('auth type') & 0x0f;
  if (authType === AUTH_TYPE.rmcpPlus) {
    throw new MalformedPacketError('IPMI 1.5 session packet: auth type 6 marks an RMCP+ packet');
  }
  const sessionSeq = r.u32le('session sequence');
  const sessionId = r.u32le('session id');
  const authCode = authType === AUTH_TYPE.none ? undefined : Buffer.from(r.bytes(16, 'auth code'));
  const length = r.u8('payload length');
  const payload = Buffer.from(r.bytes(length, 'payload'));
  if (r.remaining > 1) {
    throw new MalformedPacketError(`IPMI 1.5 session packet: ${r.remaining} trailing bytes after the payload`);
  }
  return authCode ? { authType, sessionSeq, sessionId, authCode, payload } : { authType, sessionSeq, sessionId, payload };
}

/** Constant-time check of a received packet's auth code; false for auth type none or any mismatch. */
export function verifyV15AuthCode(pkt: V15Packet, password: Buffer): boolean {
  if (pkt.authType === AUTH_TYPE.none || !pkt.authCode || pkt.authCode.length !== 16) return false;
  let expected: Buffer;
  try {
    expected = computeV15AuthCode(pkt.authType, password, pkt.sessionId, pkt.sessionSeq, pkt.payload);
  } catch {
    return false;
  }
  return timingSafeEqual(expected, pkt.authCode);
}
