import { ByteReader } from '../codec/reader.js';
import { AUTH_TYPE } from './auth-types.js';

export type SessionHeader =
  | { format: 'v1.5'; authType: number; sessionSeq: number; sessionId: number }
  | {
      format: 'v2.0';
      payloadType: number;
      encrypted: boolean;
      authenticated: boolean;
      sessionId: number;
      sessionSeq: number;
    };

/** IPMI v2.0 §13.27.3: payload type 0x02 is "OEM explicit" and carries IANA + OEM payload id. */
export const PAYLOAD_TYPE_OEM_EXPLICIT = 0x02;

/**
 * A crypto-free peek at the session header of an RMCP class-IPMI body, for
 * demultiplexing. IPMI v2.0 §13.6:
 *   v1.5 (Table 13-8): [0] auth type  [1..4] session seq  [5..8] session id
 *   v2.0 (Table 13-8): [0] 0x06  [1] enc(7) auth(6) payload type(5:0)
 *        [OEM explicit only: 4 IANA + 2 OEM payload id]  session id (4)  session seq (4)
 * Note the v1.5 header has the sequence before the id, v2.0 the reverse.
 */
export function peekSessionHeader(rmcpBody: Buffer): SessionHeader {
  const r = new ByteReader(rmcpBody, 'session header');
  const authType = r.u8('auth type') & 0x0f;
  if (authType !== AUTH_TYPE.rmcpPlus) {
    const sessionSeq = r.u32le('session sequence');
    const sessionId = r.u32le('session id');
    return { format: 'v1.5', authType, sessionSeq, sessionId };
  }
  const pt = r.u8('payload type');
  const payloadType = pt & 0x3f;
  if (payloadType === PAYLOAD_TYPE_OEM_EXPLICIT) r.skip(6, 'OEM IANA / payload id');
  const sessionId = r.u32le('session id');
  const sessionSeq = r.u32le('session sequence');
  return {
    format: 'v2.0',
    payloadType,
    encrypted: (pt & 0x80) !== 0,
    authenticated: (pt & 0x40) !== 0,
    sessionId,
    sessionSeq,
  };
}
