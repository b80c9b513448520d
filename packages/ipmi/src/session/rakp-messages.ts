import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { AUTHENTICATION_ALGORITHM, CONFIDENTIALITY_ALGORITHM, INTEGRITY_ALGORITHM, type CipherSuite } from './cipher-suites.js';

/** IPMI v2.0 §13.17: algorithm payload types inside Open Session messages. */
const ALGORITHM_PAYLOAD = { authentication: 0x00, integrity: 0x01, confidentiality: 0x02 } as const;

export interface OpenSessionRequest {
  messageTag: number;
  /** Requested maximum privilege (bits 3:0); 0 = highest the proposed algorithms allow. */
  privilege: number;
  consoleSessionId: number;
  authentication: number;
  integrity: number;
  confidentiality: number;
}

export function suiteAlgorithms(s: CipherSuite): Pick<OpenSessionRequest, 'authentication' | 'integrity' | 'confidentiality'> {
  return {
    authentication: AUTHENTICATION_ALGORITHM[s.authentication],
    integrity: INTEGRITY_ALGORITHM[s.integrity],
    confidentiality: CONFIDENTIALITY_ALGORITHM[s.confidentiality],
  };
}

/** §13.17 Table 13-9 algorithm payload record: [0] type [1..2] reserved [3] length 8 [4] algorithm(5:0) [5..7] reserved. */
function writeAlgorithm(w: ByteWriter, type: number, alg: number): void {
  w.u8(type)
    .u16le(0)
    .u8(8)
    .u8(alg & 0x3f)
    .zeros(3);
}

function readAlgorithm(r: ByteReader, what: string): number {
  r.skip(4, `${what} payload header`);
  const alg = r.u8(`${what} algorithm`) & 0x3f;
  r.skip(3);
  return alg;
}

/**
 * §13.17 Table 13-9, Open Session Request:
 *   [0] tag [1] max privilege [2..3] reserved [4..7] console session id
 *   [8..15] authentication payload [16..23] integrity payload [24..31] confidentiality payload
 */
export function encodeOpenSessionRequest(m: OpenSessionRequest): Buffer {
  const w = new ByteWriter(32)
    .u8(m.messageTag)
    .u8(m.privilege & 0x0f)
    .u16le(0)
    .u32le(m.consoleSessionId);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.authentication, m.authentication);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.integrity, m.integrity);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.confidentiality, m.confidentiality);
  return w.toBuffer();
}

export function decodeOpenSessionRequest(buf: Buffer): OpenSessionRequest {
  const r = new ByteReader(buf, 'Open Session Request');
  const messageTag = r.u8('message tag');
  const privilege = r.u8('privilege') & 0x0f;
  r.skip(2);
  const consoleSessionId = r.u32le('console session id');
  const authentication = readAlgorithm(r, 'authentication');
  const integrity = readAlgorithm(r, 'integrity');
  const confidentiality = readAlgorithm(r, 'confidentiality');
  return { messageTag, privilege, consoleSessionId, authentication, integrity, confidentiality };
}

export interface OpenSessionResponse {
  messageTag: number;
  status: number;
  /** Maximum privilege the BMC grants (ipmi_sim answers with a different one than asked). */
  privilege: number;
  consoleSessionId: number;
  /** Present only when status is 0 (on error BMCs may stop after the console session id). */
  bmcSessionId?: number;
  authentication?: number;
  integrity?: number;
  confidentiality?: number;
}

/**
 * §13.18 Table 13-10, Open Session Response:
 *   [0] tag [1] status [2] max privilege [3] reserved [4..7] console session id
 *   [8..11] BMC session id [12..19] auth payload [20..27] integrity [28..35] confidentiality
 */
export function decodeOpenSessionResponse(buf: Buffer): OpenSessionResponse {
  const r = new ByteReader(buf, 'Open Session Response');
  const messageTag = r.u8('message tag');
  const status = r.u8('status');
  const privilege = r.remaining > 0 ? r.u8('privilege') & 0x0f : 0;
  if (r.remaining > 0) r.skip(1);
  const consoleSessionId = r.remaining >= 4 ? r.u32le('console session id') : 0;
  if (status !== 0) return { messageTag, status, privilege, consoleSessionId };
  const bmcSessionId = r.u32le('BMC session id');
  const authentication = readAlgorithm(r, 'authentication');
  const integrity = readAlgorithm(r, 'integrity');
  const confidentiality = readAlgorithm(r, 'confidentiality');
  return { messageTag, status, privilege, consoleSessionId, bmcSessionId, authentication, integrity, confidentiality };
}

export function encodeOpenSessionResponse(m: Required<OpenSessionResponse>): Buffer {
  const w = new ByteWriter(36).u8(m.messageTag).u8(m.status).u8(m.privilege).u8(0).u32le(m.consoleSessionId).u32le(m.bmcSessionId);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.authentication, m.authentication);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.integrity, m.integrity);
  writeAlgorithm(w, ALGORITHM_PAYLOAD.confidentiality, m.confidentiality);
  return w.toBuffer();
}

/**
 * §13.18 Table 13-10 for a non-zero status: the BMC stops after the console
 * session id (bytes 0..7), as the table allows on error.
 */
export function encodeOpenSessionRefusal(m: { messageTag: number; status: number; privilege?: number; consoleSessionId: number }): Buffer {
  return new ByteWriter(8)
    .u8(m.messageTag)
    .u8(m.status)
    .u8(m.privilege ?? 0)
    .u8(0)
    .u32le(m.consoleSessionId)
    .toBuffer();
}

/** §13.20 RAKP1 role byte: bits 3:0 the requested maximum privilege, bit 4 set to look the user up by name only (not by name and privilege). */
export const RAKP1_ROLE_PRIVILEGE_MASK = 0x0f;
export const RAKP1_NAME_ONLY_LOOKUP = 0x10;

export interface Rakp1 {
  messageTag: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  /** Requested max privilege (RAKP1_ROLE_PRIVILEGE_MASK) | name-only lookup (RAKP1_NAME_ONLY_LOOKUP). */
  role: number;
  username: Buffer;
}

/** §13.20 Table 13-11: [0] tag [1..3] reserved [4..7] BMC session id [8..23] Rm [24] role [25..26] reserved [27] name length [28..] name. */
export function encodeRakp1(m: Rakp1): Buffer {
  return new ByteWriter(44)
    .u8(m.messageTag)
    .zeros(3)
    .u32le(m.bmcSessionId)
    .bytes(m.consoleRandom)
    .u8(m.role)
    .zeros(2)
    .u8(m.username.length)
    .bytes(m.username)
    .toBuffer();
}

export function decodeRakp1(buf: Buffer): Rakp1 {
  const r = new ByteReader(buf, 'RAKP Message 1');
  const messageTag = r.u8('message tag');
  r.skip(3);
  const bmcSessionId = r.u32le('BMC session id');
  const consoleRandom = Buffer.from(r.bytes(16, 'console random'));
  const role = r.u8('role');
  r.skip(2);
  const username = Buffer.from(r.bytes(r.u8('name length'), 'user name'));
  return { messageTag, bmcSessionId, consoleRandom, role, username };
}

export interface Rakp2 {
  messageTag: number;
  status: number;
  consoleSessionId: number;
  bmcRandom?: Buffer;
  bmcGuid?: Buffer;
  authCode?: Buffer;
}

/** §13.21 Table 13-12: [0] tag [1] status [2..3] reserved [4..7] console session id [8..23] Rc [24..39] GUIDc [40..] auth code. */
export function decodeRakp2(buf: Buffer): Rakp2 {
  const r = new ByteReader(buf, 'RAKP Message 2');
  const messageTag = r.u8('message tag');
  const status = r.u8('status');
  if (r.remaining < 6) return { messageTag, status, consoleSessionId: 0 };
  r.skip(2);
  const consoleSessionId = r.u32le('console session id');
  if (status !== 0) return { messageTag, status, consoleSessionId };
  const bmcRandom = Buffer.from(r.bytes(16, 'BMC random'));
  const bmcGuid = Buffer.from(r.bytes(16, 'BMC GUID'));
  return { messageTag, status, consoleSessionId, bmcRandom, bmcGuid, authCode: Buffer.from(r.rest()) };
}

export function encodeRakp2(m: Required<Rakp2>): Buffer {
  return new ByteWriter(72).u8(m.messageTag).u8(m.status).u16le(0).u32le(m.consoleSessionId).bytes(m.bmcRandom).bytes(m.bmcGuid).bytes(m.authCode).toBuffer();
}

/** §13.21 Table 13-12 for a non-zero status: tag, status, reserved, console session id (8 bytes). */
export function encodeRakp2Refusal(m: { messageTag: number; status: number; consoleSessionId: number }): Buffer {
  return new ByteWriter(8).u8(m.messageTag).u8(m.status).u16le(0).u32le(m.consoleSessionId).toBuffer();
}

/**
 * §13.22 Table 13-13, RAKP Message 3 (console -> BMC):
 * [0] tag [1] status [2..3] reserved [4..7] BMC session id [8..] key exchange auth code.
 */
export function decodeRakp3(buf: Buffer): Rakp3Or4 {
  return decodeRakp3Or4(buf, 'RAKP Message 3');
}

export interface Rakp3Or4 {
  messageTag: number;
  status: number;
  /** RAKP3: the BMC session id; RAKP4: the console session id. */
  sessionId: number;
  /** RAKP3: key exchange auth code; RAKP4: integrity check value. */
  authCode: Buffer;
}

/** §13.22 Table 13-13 / §13.23 Table 13-14: [0] tag [1] status [2..3] reserved [4..7] session id [8..] auth code / ICV. */
export function encodeRakp3Or4(m: Rakp3Or4): Buffer {
  return new ByteWriter(40).u8(m.messageTag).u8(m.status).u16le(0).u32le(m.sessionId).bytes(m.authCode).toBuffer();
}

export function decodeRakp3Or4(buf: Buffer, what = 'RAKP Message 4'): Rakp3Or4 {
  const r = new ByteReader(buf, what);
  const messageTag = r.u8('message tag');
  const status = r.u8('status');
  if (r.remaining < 6) return { messageTag, status, sessionId: 0, authCode: Buffer.alloc(0) };
  r.skip(2);
  const sessionId = r.u32le('session id');
  return { messageTag, status, sessionId, authCode: Buffer.from(r.rest()) };
}
