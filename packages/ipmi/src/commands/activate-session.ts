import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { InvalidArgumentError } from '../errors.js';
import { NETFN, type Command } from './command.js';

/** §22.17 Table 22-19: this command's own completion codes. */
export const ActivateSessionCode = {
  noSessionSlot: 0x81,
  noSlotForUser: 0x82,
  noSlotAtPrivilege: 0x83,
  sequenceOutOfRange: 0x84,
  invalidSessionId: 0x85,
  privilegeExceedsLimit: 0x86,
} as const;

export interface ActivateSessionReq {
  authType: number;
  /** Maximum privilege level requested for the session. */
  privilege: number;
  /** The 16-byte challenge from Get Session Challenge. */
  challenge: Buffer;
  /** First sequence number we will use (non-zero). */
  initialOutboundSeq: number;
}

export interface ActivateSessionRsp {
  /** Auth type for the rest of the session (may be none if per-message auth is off). */
  authType: number;
  sessionId: number;
  /** First sequence number the BMC will use towards us. */
  initialInboundSeq: number;
  maxPrivilege: number;
}

/**
 * IPMI v2.0 §22.17 Activate Session (App 0x3A), sent with the temporary
 * session id and an auth code over the challenge.
 * Request: [0] auth type [1] max privilege [2..17] challenge [18..21] initial outbound seq.
 * Response: [0] auth type [1..4] session id [5..8] initial inbound seq [9] max privilege.
 */
export const activateSession: Command<ActivateSessionReq, ActivateSessionRsp> = {
  name: 'Activate Session',
  netFn: NETFN.app,
  cmd: 0x3a,
  encode(req) {
    if (req.challenge.length !== 16) throw new InvalidArgumentError('Activate Session: challenge must be 16 bytes');
    return new ByteWriter(22)
      .u8(req.authType & 0x0f)
      .u8(req.privilege & 0x0f)
      .bytes(req.challenge)
      .u32le(req.initialOutboundSeq)
      .toBuffer();
  },
  decode(data) {
    const r = new ByteReader(data, 'Activate Session response');
    const authType = r.u8('auth type') & 0x0f;
    const sessionId = r.u32le('session id');
    const initialInboundSeq = r.u32le('initial inbound sequence');
    const maxPrivilege = r.u8('max privilege') & 0x0f;
    return { authType, sessionId, initialInboundSeq, maxPrivilege };
  },
};

/** The BMC side: §22.17 request bytes, as `encode` writes them. */
export function decodeActivateSessionRequest(data: Buffer): ActivateSessionReq {
  const r = new ByteReader(data, 'Activate Session request');
  const authType = r.u8('auth type') & 0x0f;
  const privilege = r.u8('privilege') & 0x0f;
  const challenge = Buffer.from(r.bytes(16, 'challenge'));
  const initialOutboundSeq = r.u32le('initial outbound sequence');
  return { authType, privilege, challenge, initialOutboundSeq };
}

export function encodeActivateSessionResponse(rsp: ActivateSessionRsp): Buffer {
  return new ByteWriter(10)
    .u8(rsp.authType & 0x0f)
    .u32le(rsp.sessionId)
    .u32le(rsp.initialInboundSeq)
    .u8(rsp.maxPrivilege & 0x0f)
    .toBuffer();
}
