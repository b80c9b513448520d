import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §22.20 Get Session Info (App 0x3D).
 * Request Table 22-27:
 *   1    session index: 0x00 current session, 0x01-0x3F nth active session,
 *        0xFE look up by handle, 0xFF look up by session ID
 *   2    session handle (index 0xFE) | 2:5 session ID, LS byte first (index 0xFF)
 * Response:
 *   1    session handle (0 = no active session at that index)
 *   2    [5:0] number of possible active sessions
 *   3    [5:0] number of currently active sessions
 *   4    [5:0] user ID                       (4..N absent if no active session)
 *   5    [3:0] operating privilege level
 *   6    [7:4] session type (0 = IPMI 1.5, 1 = IPMI 2.0), [3:0] channel number
 *   7:10 remote console IP (MS byte first)   (7..18 only for LAN channels)
 *   11:16 remote console MAC
 *   17:18 remote console port, LS byte first
 */
export type SessionInfoReq = { by: 'current' } | { by: 'index'; index: number } | { by: 'handle'; handle: number } | { by: 'id'; sessionId: number };

export interface SessionInfo {
  sessionHandle: number;
  possibleActiveSessions: number;
  activeSessions: number;
  /** Present only when a session exists at the index asked for. */
  session:
    | {
        userId: number;
        privilegeLevel: number;
        ipmiVersion: '1.5' | '2.0' | 'unknown';
        channel: number;
        /** Present for LAN channels. */
        lan: { address: string; mac: string; port: number } | undefined;
      }
    | undefined;
}

export const getSessionInfo: Command<SessionInfoReq, SessionInfo> = {
  name: 'Get Session Info',
  netFn: NETFN.app,
  cmd: 0x3d,
  encode(req) {
    const w = new ByteWriter(5);
    switch (req.by) {
      case 'current':
        return w.u8(0x00).toBuffer();
      case 'index':
        return w.u8(req.index & 0x3f).toBuffer();
      case 'handle':
        return w.u8(0xfe).u8(req.handle).toBuffer();
      case 'id':
        return w.u8(0xff).u32le(req.sessionId).toBuffer();
    }
  },
  decode(data) {
    const r = new ByteReader(data, 'Get Session Info response');
    const sessionHandle = r.u8('session handle');
    const possibleActiveSessions = r.u8('possible active sessions') & 0x3f;
    const activeSessions = r.u8('active sessions') & 0x3f;
    let session: SessionInfo['session'];
    if (r.remaining > 0) {
      const userId = r.u8('user ID') & 0x3f;
      const privilegeLevel = r.u8('privilege level') & 0x0f;
      const b6 = r.u8('channel');
      const type = b6 >> 4;
      let lan: { address: string; mac: string; port: number } | undefined;
      if (r.remaining >= 12) {
        const ip = r.bytes(4, 'remote IP');
        const mac = r.bytes(6, 'remote MAC');
        const port = r.u16le('remote port');
        lan = {
          address: Array.from(ip).join('.'),
          mac: Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':'),
          port,
        };
      }
      session = {
        userId,
        privilegeLevel,
        ipmiVersion: type === 0 ? '1.5' : type === 1 ? '2.0' : 'unknown',
        channel: b6 & 0x0f,
        lan,
      };
    }
    return { sessionHandle, possibleActiveSessions, activeSessions, session };
  },
};
