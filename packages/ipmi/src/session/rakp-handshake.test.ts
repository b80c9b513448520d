import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, InvalidArgumentError, IntegrityError, SessionError, UnsupportedCipherSuiteError } from '../errors.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { PRIVILEGE } from './auth-types.js';
import { CIPHER_SUITES, cipherSuite } from './cipher-suites.js';
import { RmcpPlusHandshake, type RakpQuirks } from './rakp-handshake.js';
import {
  decodeOpenSessionRequest,
  decodeRakp1,
  decodeRakp3Or4,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp3Or4,
  suiteAlgorithms,
} from './rakp-messages.js';
import { decodeV20Packet, encodeV20Packet } from './v20-packet.js';

/*
 * Vectors computed independently with Python 3 hashlib/hmac and the
 * `cryptography` package's AES-CBC (script kept in the commit message of this
 * test; reproduced here):
 *   user=b'admin'; pw=b'secret'.ljust(20,b'\0'); SIDm=0xa0a2a3a4; SIDc=0x200
 *   Rm=bytes(range(0,16)); Rc=bytes(range(16,32)); GUID=bytes(range(32,48)); role=0x14
 *   rakp2 = HMAC(pw, pack('<II',SIDm,SIDc)+Rm+Rc+GUID+bytes([role,5])+user)
 *   sik   = HMAC(pw, Rm+Rc+bytes([role,5])+user)
 *   rakp3 = HMAC(pw, Rc+pack('<I',SIDm)+bytes([role,5])+user)
 *   icv   = HMAC(sik, Rm+pack('<I',SIDc)+GUID)[:12 or 16]
 *   k1/k2 = HMAC(sik, b'\x01'*20 / b'\x02'*20); *digest = constant of len(sik)
 *   packet: Get Device ID LAN request 2018c88104017a, session 0x200 seq 3,
 *     IV=bytes(range(48,64)), AES-128-CBC(k2[:16]) over payload+01..n+n,
 *     integrity pad 0xFF to a multiple of 4, pad length, 0x07, HMAC(k1)[:12 or 16].
 */
const VECTORS = {
  3: {
    rakp2: '04e879d40edf5d5d7731089831d64e0ee3698672',
    sik: 'a39ae2b160a1e5efe017ffd6ec1a4ff8eeac6f54',
    rakp3: 'f2b8ed7378ab0857e9301e06537ccf674459a8f2',
    icv: '477e871a965388d60b5199f7',
    k1: '58dbc1afa00eb3f9487c9eaef0dc7892cc43e496',
    k2: '8bd9b8ce0674b5d745ced91e728ac1a51464fcaf',
    k1digest: '58dbc1afa00eb3f9487c9eaef0dc7892cc43e496',
    packet: '0600ff0706c000020000030000002000303132333435363738393a3b3c3d3e3f54970f12fd150360f4590bb5fb5ac57cffff0207845da24d925cbe6d6c268530',
  },
  17: {
    rakp2: '86b68b6c2ac57e5999dd775a0a2f0023cdc24dfe7f6bec93d31048abfa5793bd',
    sik: '0c4b7464110cf18fd94ec46aa0242c66ab06157709c02ea7db1653aac04b1023',
    rakp3: '99d823aeca7b41dd4edc23e3c14dfece8b0932ea37602d5957b3ad6978c1c23d',
    icv: 'c176e3f302240d7ac04e9a3c7a75f442',
    k1: 'b56faef1c37759ee6f92dccb3dfb8a7610c83e064883aa735d3e84c1cb0c5728',
    k2: '45d88aac4a3d9b6ac2cdf022f1f31a5a82ac0aecfe8d8559b4060eb4a13b4334',
    k1digest: '6156285b8edfe6df8bb994483a8a76c26b587a3fc6c0b5ec6b2d7ad1fb4f5d35',
    packet: '0600ff0706c000020000030000002000303132333435363738393a3b3c3d3e3f5975028142ad8ebf77a31da8ecb77ebeffff0207fc5e505c50c8cb19aad7ac8b82b6327a',
  },
} as const;

const SIDM = 0xa0a2a3a4;
const SIDC = 0x200;
const RM = Buffer.from([...Array(16).keys()]);
const RC = Buffer.from([...Array(16).keys()].map((i) => i + 16));
const GUID = Buffer.from([...Array(16).keys()].map((i) => i + 32));
const IV = Buffer.from([...Array(16).keys()].map((i) => i + 48));
const TAG = 0x5a;
const payloadOf = (datagram: Buffer) => decodeV20Packet(decodeRmcp(datagram).body).payload;

function newHandshake(suiteId: number, o: { password?: string; quirks?: RakpQuirks; privilege?: number } = {}) {
  const randoms = [Buffer.from([TAG]), RM];
  return new RmcpPlusHandshake({
    suite: cipherSuite(suiteId),
    username: 'admin',
    password: Buffer.from(o.password ?? 'secret'),
    privilege: o.privilege ?? PRIVILEGE.administrator,
    consoleSessionId: SIDM,
    random: () => randoms.shift()!,
    ...(o.quirks ? { quirks: o.quirks } : {}),
  });
}

function openResponse(suiteId: number, status = 0, privilege = PRIVILEGE.administrator) {
  return encodeOpenSessionResponse({
    messageTag: TAG,
    status,
    privilege,
    consoleSessionId: SIDM,
    bmcSessionId: SIDC,
    ...suiteAlgorithms(cipherSuite(suiteId)),
  });
}

function rakp2(authCode: Buffer, status = 0) {
  return encodeRakp2({ messageTag: TAG, status, consoleSessionId: SIDM, bmcRandom: RC, bmcGuid: GUID, authCode });
}

function toRakp3(hs: RmcpPlusHandshake, suiteId: 3 | 17) {
  expect(decodeOpenSessionRequest(payloadOf(hs.openSessionRequest()))).toMatchObject({ messageTag: TAG, consoleSessionId: SIDM, privilege: 0 });
  expect(hs.acceptOpenSessionResponse(openResponse(suiteId))).toBe('ok');
  expect(decodeRakp1(payloadOf(hs.rakp1()))).toEqual({ messageTag: TAG, bmcSessionId: SIDC, consoleRandom: RM, role: 0x14, username: Buffer.from('admin') });
  expect(hs.acceptRakp2(rakp2(Buffer.from(VECTORS[suiteId].rakp2, 'hex')))).toBe('ok');
  return decodeRakp3Or4(payloadOf(hs.rakp3()), 'RAKP Message 3');
}

describe.each([3, 17] as const)('RMCP+ handshake and packet protection, suite %i (computed vectors)', (suiteId) => {
  const v = VECTORS[suiteId];

  it('derives SIK/K1/K2 and the RAKP3/RAKP4 codes, and protects a packet byte for byte', () => {
    const hs = newHandshake(suiteId);
    expect(toRakp3(hs, suiteId)).toEqual({ messageTag: TAG, status: 0, sessionId: SIDC, authCode: Buffer.from(v.rakp3, 'hex') });
    expect(hs.acceptRakp4(encodeRakp3Or4({ messageTag: TAG, status: 0, sessionId: SIDM, authCode: Buffer.from(v.icv, 'hex') }))).toBe('ok');
    const keys = hs.keys;
    expect([keys.sik, keys.k1, keys.k2].map((b) => b.toString('hex'))).toEqual([v.sik, v.k1, v.k2]);
    expect(hs.bmcSessionId).toBe(SIDC);

    const lan = Buffer.from('2018c88104017a', 'hex');
    const pkt = encodeV20Packet({ payloadType: 0, sessionId: SIDC, sessionSeq: 3, payload: lan, keys, iv: IV });
    expect(pkt.toString('hex')).toBe(v.packet);
    expect(decodeV20Packet(decodeRmcp(pkt).body, keys)).toEqual({
      payloadType: 0,
      encrypted: true,
      authenticated: true,
      sessionId: SIDC,
      sessionSeq: 3,
      payload: lan,
    });
    // Random IV by default: still round-trips.
    const rnd = encodeV20Packet({ payloadType: 0, sessionId: SIDC, sessionSeq: 4, payload: lan, keys });
    expect(decodeV20Packet(decodeRmcp(rnd).body, keys).payload).toEqual(lan);
  });

  it('rejects every single flipped bit and a wrong key with IntegrityError', () => {
    const hs = newHandshake(suiteId);
    toRakp3(hs, suiteId);
    hs.acceptRakp4(encodeRakp3Or4({ messageTag: TAG, status: 0, sessionId: SIDM, authCode: Buffer.from(v.icv, 'hex') }));
    const body = decodeRmcp(Buffer.from(v.packet, 'hex')).body;
    for (let byte = 1; byte < body.length; byte++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(body);
        bad[byte] = bad[byte]! ^ bit;
        expect(() => decodeV20Packet(bad, hs.keys), `byte ${byte} bit ${bit}`).toThrow(IntegrityError);
      }
    }
    expect(() => decodeV20Packet(body, { ...hs.keys, k1: Buffer.from(v.k2, 'hex') })).toThrow(IntegrityError);
  });

  it('takes K1/K2 from a digest-length constant when shortKConstant is false', () => {
    const hs = newHandshake(suiteId, { quirks: { shortKConstant: false } });
    toRakp3(hs, suiteId);
    hs.acceptRakp4(encodeRakp3Or4({ messageTag: TAG, status: 0, sessionId: SIDM, authCode: Buffer.from(v.icv, 'hex') }));
    expect(hs.keys.k1.toString('hex')).toBe(v.k1digest);
  });

  it('reports a RAKP2 made with another password as wrong-password, and a bad RAKP4 ICV as a SessionError', () => {
    const wrong = newHandshake(suiteId, { password: 'other' });
    wrong.openSessionRequest();
    wrong.acceptOpenSessionResponse(openResponse(suiteId));
    wrong.rakp1();
    expect(() => wrong.acceptRakp2(rakp2(Buffer.from(v.rakp2, 'hex')))).toThrow(
      expect.objectContaining({ constructor: AuthenticationError, reason: 'wrong-password' }),
    );
    const hs = newHandshake(suiteId);
    toRakp3(hs, suiteId);
    const icv = Buffer.from(v.icv, 'hex');
    icv[0] = icv[0]! ^ 1;
    expect(() => hs.acceptRakp4(encodeRakp3Or4({ messageTag: TAG, status: 0, sessionId: SIDM, authCode: icv }))).toThrow(SessionError);
  });
});

describe('RmcpPlusHandshake', () => {
  it('accepts a BMC that hashed the bare privilege instead of the RAKP1 role byte, and keeps that role for RAKP3', () => {
    const hs = newHandshake(3);
    hs.openSessionRequest();
    hs.acceptOpenSessionResponse(openResponse(3));
    hs.rakp1();
    const pw = Buffer.alloc(20);
    Buffer.from('secret').copy(pw);
    const ids = Buffer.alloc(8);
    ids.writeUInt32LE(SIDM, 0);
    ids.writeUInt32LE(SIDC, 4);
    const name = Buffer.from('admin');
    const code = createHmac('sha1', pw)
      .update(Buffer.concat([ids, RM, RC, GUID, Buffer.from([0x04, 5]), name]))
      .digest();
    expect(hs.acceptRakp2(rakp2(code))).toBe('ok');
    const sid = Buffer.alloc(4);
    sid.writeUInt32LE(SIDM);
    const want = createHmac('sha1', pw)
      .update(Buffer.concat([RC, sid, Buffer.from([0x04, 5]), name]))
      .digest();
    expect(decodeRakp3Or4(payloadOf(hs.rakp3())).authCode).toEqual(want);
  });

  it.each([
    [PRIVILEGE.administrator, undefined, 0],
    [PRIVILEGE.user, undefined, PRIVILEGE.user],
    [PRIVILEGE.administrator, 'requested', PRIVILEGE.administrator],
    [PRIVILEGE.operator, 'highest', 0],
  ] as const)('proposes privilege %i (mode %s) in Open Session as %i', (privilege, mode, sent) => {
    const hs = newHandshake(3, { privilege, ...(mode ? { quirks: { openSessionPrivilege: mode } } : {}) });
    expect(decodeOpenSessionRequest(payloadOf(hs.openSessionRequest())).privilege).toBe(sent);
  });

  it('tolerates an Open Session Response naming another privilege (ipmi_sim)', () => {
    const hs = newHandshake(3, { privilege: PRIVILEGE.user });
    hs.openSessionRequest();
    expect(hs.acceptOpenSessionResponse(openResponse(3, 0, PRIVILEGE.administrator))).toBe('ok');
    expect(hs.openSessionPrivilege).toBe(PRIVILEGE.administrator);
  });

  it("answers mismatch for another handshake's messages and keeps waiting", () => {
    const hs = newHandshake(3);
    hs.openSessionRequest();
    const other = Buffer.from(openResponse(3));
    other[0] = TAG + 1;
    expect(hs.acceptOpenSessionResponse(other)).toBe('mismatch');
    const otherSid = Buffer.from(openResponse(3));
    otherSid.writeUInt32LE(0x1234, 4);
    expect(hs.acceptOpenSessionResponse(otherSid)).toBe('mismatch');
    expect(hs.acceptOpenSessionResponse(openResponse(3))).toBe('ok');
  });

  it('runs suite 0 (no authentication) with any password', () => {
    const hs = newHandshake(0, { password: 'anything' });
    hs.openSessionRequest();
    hs.acceptOpenSessionResponse(openResponse(0));
    hs.rakp1();
    expect(hs.acceptRakp2(rakp2(Buffer.alloc(0)))).toBe('ok');
    expect(decodeRakp3Or4(payloadOf(hs.rakp3())).authCode).toHaveLength(0);
    expect(hs.acceptRakp4(encodeRakp3Or4({ messageTag: TAG, status: 0, sessionId: SIDM, authCode: Buffer.alloc(0) }))).toBe('ok');
    expect(hs.keys.sik).toHaveLength(0);
    const pkt = encodeV20Packet({ payloadType: 0, sessionId: SIDC, sessionSeq: 1, payload: Buffer.from('aa', 'hex'), keys: hs.keys });
    expect(decodeV20Packet(decodeRmcp(pkt).body, hs.keys)).toMatchObject({ encrypted: false, authenticated: false });
  });

  it.each([
    [0x0d, AuthenticationError, 'unknown-user'],
    [0x0c, AuthenticationError, 'unknown-user'],
    [0x09, AuthenticationError, 'privilege-refused'],
    [0x0a, AuthenticationError, 'privilege-refused'],
    [0x0f, AuthenticationError, 'wrong-password'],
    [0x04, UnsupportedCipherSuiteError, undefined],
    [0x11, UnsupportedCipherSuiteError, undefined],
    [0x01, SessionError, undefined],
    [0x12, SessionError, undefined],
  ] as const)('maps RMCP+ status 0x%s to a typed error', (status, type, reason) => {
    const hs = newHandshake(3);
    hs.openSessionRequest();
    hs.acceptOpenSessionResponse(openResponse(3));
    hs.rakp1();
    let err: unknown;
    try {
      hs.acceptRakp2(rakp2(Buffer.alloc(0), status).subarray(0, 8));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(type);
    if (reason) expect((err as AuthenticationError).reason).toBe(reason);
    if (status === 0x01) expect((err as SessionError).temporary).toBe(true);
  });

  it('maps an Open Session refusal of the algorithms to UnsupportedCipherSuiteError', () => {
    const hs = newHandshake(17);
    hs.openSessionRequest();
    expect(() => hs.acceptOpenSessionResponse(openResponse(17, 0x04).subarray(0, 8))).toThrow(UnsupportedCipherSuiteError);
  });

  it('validates its arguments', () => {
    const base = { suite: CIPHER_SUITES[3]!, username: 'admin', password: Buffer.from('x'), privilege: 2, consoleSessionId: 1 };
    expect(() => new RmcpPlusHandshake({ ...base, username: 'a'.repeat(17) })).toThrow(InvalidArgumentError);
    expect(() => new RmcpPlusHandshake({ ...base, password: Buffer.alloc(21, 0x61) })).toThrow(InvalidArgumentError);
    expect(() => new RmcpPlusHandshake({ ...base, consoleSessionId: 0 })).toThrow(InvalidArgumentError);
    expect(() => new RmcpPlusHandshake({ ...base, suite: CIPHER_SUITES[4]! })).toThrow(UnsupportedCipherSuiteError);
    expect(() => new RmcpPlusHandshake(base).rakp1()).toThrow(SessionError);
    expect(() => new RmcpPlusHandshake(base).keys).toThrow(SessionError);
  });
});
