import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { InvalidArgumentError } from '../errors.js';
import { USERNAME_MAX } from '../session/auth-types.js';
import { NETFN, type Command } from './command.js';

/** §22.16 Table 22-18: this command's own completion codes. */
export const GetSessionChallengeCode = {
  invalidUserName: 0x81,
  nullUserNameNotEnabled: 0x82,
} as const;

export interface GetSessionChallengeReq {
  /** IPMI 1.5 auth type to be used for Activate Session (AUTH_TYPE). */
  authType: number;
  /** Up to 16 bytes; empty for the null user. */
  username: string;
}

export interface GetSessionChallengeRsp {
  /** Used as the session id of the Activate Session request only. */
  temporarySessionId: number;
  /** 16 bytes, echoed in Activate Session. */
  challenge: Buffer;
}

/**
 * IPMI v2.0 §22.16 Get Session Challenge (App 0x39), sent outside a session.
 * Request: [0] auth type (3:0) [1..16] user name, zero padded.
 * Response: [0..3] temporary session id (LS first) [4..19] challenge string.
 * Completion codes 0x81 invalid user name, 0x82 null user disabled.
 */
export const getSessionChallenge: Command<GetSessionChallengeReq, GetSessionChallengeRsp> = {
  name: 'Get Session Challenge',
  netFn: NETFN.app,
  cmd: 0x39,
  encode(req) {
    const name = Buffer.from(req.username, 'utf8');
    if (name.length > USERNAME_MAX) throw new InvalidArgumentError(`user name is longer than ${USERNAME_MAX} bytes`);
    const padded = Buffer.alloc(USERNAME_MAX);
    name.copy(padded);
    return new ByteWriter(17)
      .u8(req.authType & 0x0f)
      .bytes(padded)
      .toBuffer();
  },
  decode(data) {
    const r = new ByteReader(data, 'Get Session Challenge response');
    const temporarySessionId = r.u32le('temporary session id');
    const challenge = Buffer.from(r.bytes(16, 'challenge'));
    return { temporarySessionId, challenge };
  },
};

/** The BMC side: auth type and the user name with its zero padding stripped (§22.16). */
export function decodeGetSessionChallengeRequest(data: Buffer): GetSessionChallengeReq {
  const r = new ByteReader(data, 'Get Session Challenge request');
  const authType = r.u8('auth type') & 0x0f;
  const raw = r.bytes(USERNAME_MAX, 'user name');
  const end = raw.indexOf(0);
  return { authType, username: raw.subarray(0, end < 0 ? raw.length : end).toString('utf8') };
}

export function encodeGetSessionChallengeResponse(rsp: GetSessionChallengeRsp): Buffer {
  if (rsp.challenge.length !== 16) throw new InvalidArgumentError('Get Session Challenge: challenge must be 16 bytes');
  return new ByteWriter(20).u32le(rsp.temporarySessionId).bytes(rsp.challenge).toBuffer();
}
