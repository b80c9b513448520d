import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md2 } from '../crypto/md2.js';
import { InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { AUTH_TYPE } from './auth-types.js';
import { peekSessionHeader } from './session-packet.js';
import { decodeV15Packet, encodeV15Packet, verifyV15AuthCode } from './v15-packet.js';

const PW = Buffer.from('ADMIN');
const PAYLOAD = Buffer.from('2018c88104017a', 'hex');
const body = (d: Buffer) => decodeRmcp(d).body;

describe('IPMI 1.5 session packet (IPMI v2.0 §13.6, §22.17.1)', () => {
  it('encodes auth type none without an auth code field', () => {
    const d = encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload: PAYLOAD });
    expect(d.toString('hex')).toBe('0600ff07' + '00' + '00000000' + '00000000' + '07' + '2018c88104017a');
    expect(peekSessionHeader(body(d))).toEqual({ format: 'v1.5', authType: 0, sessionSeq: 0, sessionId: 0 });
  });

  it.each([
    ['md5', AUTH_TYPE.md5, (x: Buffer) => createHash('md5').update(x).digest()],
    ['md2', AUTH_TYPE.md2, md2],
  ] as const)('computes the %s auth code as H(pw16 ‖ id ‖ payload ‖ seq ‖ pw16)', (_n, type, h) => {
    const d = encodeV15Packet({ authType: type, sessionSeq: 0x01020304, sessionId: 0x0a0b0c0d, password: PW, payload: PAYLOAD });
    const pw16 = Buffer.alloc(16);
    PW.copy(pw16);
    const want = h(Buffer.concat([pw16, Buffer.from('0d0c0b0a', 'hex'), PAYLOAD, Buffer.from('04030201', 'hex'), pw16]));
    const pkt = decodeV15Packet(body(d));
    expect(pkt).toEqual({ authType: type, sessionSeq: 0x01020304, sessionId: 0x0a0b0c0d, authCode: want, payload: PAYLOAD });
    expect(verifyV15AuthCode(pkt, PW)).toBe(true);
    expect(verifyV15AuthCode(pkt, Buffer.from('ADMIM'))).toBe(false);
    expect(verifyV15AuthCode({ ...pkt, sessionSeq: 5 }, PW)).toBe(false);
  });

  it('sends the padded password in clear for auth type password', () => {
    const pkt = decodeV15Packet(body(encodeV15Packet({ authType: AUTH_TYPE.password, sessionSeq: 1, sessionId: 2, password: PW, payload: PAYLOAD })));
    expect(pkt.authCode!.toString('hex')).toBe('41444d494e0000000000000000000000');
    expect(verifyV15AuthCode(pkt, PW)).toBe(true);
  });

  it('tolerates the legacy pad byte after the payload but not more', () => {
    const d = encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload: PAYLOAD });
    expect(decodeV15Packet(Buffer.concat([body(d), Buffer.from([0])])).payload).toEqual(PAYLOAD);
    expect(() => decodeV15Packet(Buffer.concat([body(d), Buffer.from([0, 0])]))).toThrow(MalformedPacketError);
    expect(() => decodeV15Packet(body(d).subarray(0, 12))).toThrow(MalformedPacketError);
  });

  it('rejects a password over 16 bytes and never verifies auth type none', () => {
    expect(() => encodeV15Packet({ authType: AUTH_TYPE.md5, sessionSeq: 0, sessionId: 0, password: Buffer.alloc(17, 1), payload: PAYLOAD })).toThrow(
      InvalidArgumentError,
    );
    expect(verifyV15AuthCode({ authType: AUTH_TYPE.none, sessionSeq: 0, sessionId: 0, payload: PAYLOAD }, PW)).toBe(false);
  });
});

describe('peekSessionHeader', () => {
  it('reads an RMCP+ header with the encrypted and authenticated bits', () => {
    expect(peekSessionHeader(Buffer.from('06c00200000003000000', 'hex'))).toEqual({
      format: 'v2.0',
      payloadType: 0,
      encrypted: true,
      authenticated: true,
      sessionId: 2,
      sessionSeq: 3,
    });
  });

  it('skips the OEM IANA and payload id of an OEM explicit payload', () => {
    expect(peekSessionHeader(Buffer.from('0602' + 'a2020000' + '0100' + '07000000' + '09000000', 'hex'))).toMatchObject({
      payloadType: 2,
      sessionId: 7,
      sessionSeq: 9,
    });
  });

  it('throws MalformedPacketError when short', () => {
    expect(() => peekSessionHeader(Buffer.from('0600000000', 'hex'))).toThrow(MalformedPacketError);
    expect(() => peekSessionHeader(Buffer.from('0200000000', 'hex'))).toThrow(MalformedPacketError);
  });
});
