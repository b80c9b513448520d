import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getSessionInfo, type SessionInfoReq } from './get-session-info.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get Session Info (§22.20)', () => {
  it.each<[SessionInfoReq, string]>([
    [{ by: 'current' }, '00'],
    [{ by: 'index', index: 3 }, '03'],
    [{ by: 'handle', handle: 0x42 }, 'fe 42'],
    [{ by: 'id', sessionId: 0x0a0b0c0d }, 'ff 0d 0c 0b 0a'],
  ])('encodes %j', (req, bytes) => {
    expect(getSessionInfo.encode(req)).toEqual(h(bytes));
  });

  it('decodes a LAN RMCP+ session with remote console details', () => {
    const rsp = getSessionInfo.decode(h('01 3f 02 02 04 11 7f 00 00 01 00 00 00 00 00 00 6f 02'));
    expect(rsp).toEqual({
      sessionHandle: 1,
      possibleActiveSessions: 63,
      activeSessions: 2,
      session: {
        userId: 2,
        privilegeLevel: 4,
        ipmiVersion: '2.0',
        channel: 1,
        lan: { address: '127.0.0.1', mac: '00:00:00:00:00:00', port: 623 },
      },
    });
  });

  it('decodes "no session at this index" (bytes 1-3 only)', () => {
    expect(getSessionInfo.decode(h('00 3f 01'))).toEqual({
      sessionHandle: 0,
      possibleActiveSessions: 63,
      activeSessions: 1,
      session: undefined,
    });
  });

  it('decodes a non-LAN IPMI 1.5 session without address bytes', () => {
    expect(getSessionInfo.decode(h('05 04 01 03 02 0f')).session).toEqual({
      userId: 3,
      privilegeLevel: 2,
      ipmiVersion: '1.5',
      channel: 15,
      lan: undefined,
    });
  });

  it('rejects short data', () => {
    expect(() => getSessionInfo.decode(h('01 3f'))).toThrow(MalformedPacketError);
    expect(() => getSessionInfo.decode(h('01 3f 02 02 04'))).toThrow(MalformedPacketError);
  });
});
