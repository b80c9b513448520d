import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

export interface CloseSessionReq {
  /** Session to close (our own, in practice). */
  sessionId: number;
}

/**
 * IPMI v2.0 §22.19 Close Session (App 0x3C).
 * Request: [0..3] session id (LS first); a session handle byte follows only when the id is 0,
 * which we never send. Response: completion code only (0x87 invalid session id).
 */
/** §22.19: Close Session's own completion code. */
export const CloseSessionCode = {
  invalidSessionId: 0x87,
} as const;

export const closeSession: Command<CloseSessionReq, void> = {
  name: 'Close Session',
  netFn: NETFN.app,
  cmd: 0x3c,
  encode(req) {
    return new ByteWriter(4).u32le(req.sessionId).toBuffer();
  },
  decode() {
    return undefined;
  },
};

/** The BMC side of §22.19: the session id, and the handle byte that follows only when the id is 0. */
export function decodeCloseSessionRequest(data: Buffer): CloseSessionReq & { sessionHandle?: number } {
  const r = new ByteReader(data, 'Close Session request');
  const sessionId = r.u32le('session id');
  return sessionId === 0 && r.remaining > 0 ? { sessionId, sessionHandle: r.u8('session handle') } : { sessionId };
}
