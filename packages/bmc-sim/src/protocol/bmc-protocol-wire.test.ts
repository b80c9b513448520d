// BmcProtocol.handle driven datagram by datagram (no sockets): the wire
// behaviours a client cannot easily provoke, with the console side built from
// packages/ipmi's own codecs.
import { cipherSuite, getChannelCipherSuites } from '@bmc-exporter/ipmi';
import {
  AUTH_TYPE,
  PAYLOAD_TYPE,
  RmcpPlusHandshake,
  decodeAsfPresencePong,
  decodeCipherSuiteRecords,
  decodeLanResponse,
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp3Or4,
  decodeRmcp,
  decodeV15Packet,
  decodeV20Packet,
  encodeAsfPresencePing,
  encodeLanRequest,
  encodeRakp3Or4,
  encodeV15Packet,
  encodeV20Packet,
  type SessionKeys,
} from '@bmc-exporter/ipmi/wire';
import { describe, expect, it } from 'vitest';
import { BmcProtocol } from './bmc-protocol.js';
import type { ProtocolConfig } from './config.js';
import { deviceIdHandler, testConfig } from './testing/fixtures.js';

const FROM = { address: '127.0.0.1', port: 40000 };
let counter = 0;
const random = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (++counter * 37) & 0xff;
  return b;
};

function bmc(patch: Partial<ProtocolConfig> = {}) {
  return new BmcProtocol(testConfig(patch), deviceIdHandler, { random });
}

function one(out: Buffer[]): Buffer {
  expect(out).toHaveLength(1);
  return out[0]!;
}

const v20Payload = (d: Buffer, keys?: SessionKeys) => decodeV20Packet(decodeRmcp(d).body, keys).payload;

function lan(cmd: number, data: Buffer = Buffer.alloc(0), netFn = 0x06) {
  return encodeLanRequest({ netFn, cmd, rqSeq: 5, data });
}

/** Runs Open Session and RAKP 1-3 against `p`, returning the handshake and the raw RAKP4 payload. */
function login(p: BmcProtocol, opts: { suite?: number; username?: string; password?: string; privilege?: number; tamperRakp3?: boolean } = {}) {
  const hs = new RmcpPlusHandshake({
    suite: cipherSuite(opts.suite ?? 3),
    username: opts.username ?? 'admin',
    password: Buffer.from(opts.password ?? 'admin-secret'),
    privilege: opts.privilege ?? 4,
    consoleSessionId: 0xc0ffee,
    random,
  });
  expect(hs.acceptOpenSessionResponse(v20Payload(one(p.handle(hs.openSessionRequest(), FROM))))).toBe('ok');
  expect(hs.acceptRakp2(v20Payload(one(p.handle(hs.rakp1(), FROM))))).toBe('ok');
  let rakp3 = hs.rakp3();
  if (opts.tamperRakp3) {
    const inner = decodeRakp3Or4(v20Payload(rakp3), 'RAKP Message 3');
    inner.authCode[0]! ^= 0xff;
    rakp3 = encodeV20Packet({ payloadType: PAYLOAD_TYPE.rakp3, sessionId: 0, sessionSeq: 0, payload: encodeRakp3Or4(inner) });
  }
  const rakp4 = v20Payload(one(p.handle(rakp3, FROM)));
  if (!opts.tamperRakp3) expect(hs.acceptRakp4(rakp4)).toBe('ok');
  return { hs, rakp4 };
}

function inSession(p: BmcProtocol, hs: RmcpPlusHandshake, seq: number, lanMsg: Buffer): Buffer[] {
  return p.handle(encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: hs.bmcSessionId, sessionSeq: seq, payload: lanMsg, keys: hs.keys }), FROM);
}

describe('BmcProtocol on the wire', () => {
  it('answers an ASF Presence Ping with a Pong that says IPMI', () => {
    const pong = decodeRmcp(one(bmc().handle(encodeAsfPresencePing(9), FROM)));
    expect(decodeAsfPresencePong(pong.body)).toMatchObject({ messageTag: 9, supportsIpmi: true });
  });

  it('drops garbage, RMCP ACKs and unknown session ids without a word', () => {
    const p = bmc();
    expect(p.handle(Buffer.from([1, 2, 3]), FROM)).toEqual([]);
    expect(p.handle(Buffer.from([6, 0, 0xff, 0x87]), FROM)).toEqual([]);
    const stray = encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: 0x1234, sessionSeq: 1, payload: lan(1) });
    expect(p.handle(stray, FROM)).toEqual([]);
    expect(p.handle(encodeV15Packet({ authType: AUTH_TYPE.none, sessionSeq: 1, sessionId: 0x1234, payload: lan(1) }), FROM)).toEqual([]);
  });

  it('outside a session answers only the pre-session commands (and Get System GUID)', () => {
    const p = bmc();
    const seen: number[] = [];
    const q = new BmcProtocol(testConfig(), deviceIdHandler, { hooks: { onCommand: (_n, c) => seen.push(c) } });
    const sessionless = (cmd: number) => q.handle(encodeV15Packet({ authType: 0, sessionSeq: 0, sessionId: 0, payload: lan(cmd) }), FROM);
    expect(sessionless(0x01)).toEqual([]); // Get Device ID needs a session
    expect(decodeLanResponse(decodeV15Packet(decodeRmcp(one(sessionless(0x37))).body).payload).completionCode).toBe(0);
    expect(seen).toEqual([0x37]);
    expect(p.counters.open).toBe(0);
  });

  it('lists the offered suites in sessionless RMCP+ framing too, 16 bytes per index', () => {
    const p = bmc();
    const chunks: Buffer[] = [];
    for (let index = 0; index < 8; index++) {
      const req = encodeV20Packet({
        payloadType: PAYLOAD_TYPE.ipmi,
        sessionId: 0,
        sessionSeq: 0,
        payload: lan(0x54, getChannelCipherSuites.encode({ index })),
      });
      const rsp = decodeLanResponse(v20Payload(one(p.handle(req, FROM))));
      const data = getChannelCipherSuites.decode(rsp.data).recordData;
      chunks.push(data);
      if (data.length < 16) break;
    }
    expect(decodeCipherSuiteRecords(Buffer.concat(chunks))).toEqual([0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17]);
  });

  it('RAKP3 with a bad HMAC gets RAKP4 status 0x0F and the session is gone', () => {
    const p = bmc();
    const { hs, rakp4 } = login(p, { tamperRakp3: true });
    expect(decodeRakp3Or4(rakp4).status).toBe(0x0f);
    expect(p.counters).toMatchObject({ open: 0, openedTotal: 0 });
    expect([...p.sessions()]).toHaveLength(0);
    expect(hs.bmcSessionId).not.toBe(0);
  });

  it('a retransmitted Open Session Request gets the same answer and holds one slot', () => {
    const p = bmc();
    const hs = new RmcpPlusHandshake({ suite: cipherSuite(3), username: 'admin', password: Buffer.from('x'), privilege: 2, consoleSessionId: 7, random });
    const req = hs.openSessionRequest();
    const a = one(p.handle(req, FROM));
    const b = one(p.handle(req, FROM));
    expect(b).toEqual(a);
    expect([...p.sessions()]).toHaveLength(1);
  });

  it('name+privilege lookup (role bit 4 clear) reads a too-high role as an unknown name', () => {
    const p = bmc();
    const hs = new RmcpPlusHandshake({
      suite: cipherSuite(3),
      username: 'viewer',
      password: Buffer.from('viewer-secret'),
      privilege: 4,
      consoleSessionId: 8,
      random,
      quirks: { nameOnlyLookup: false },
    });
    expect(decodeOpenSessionResponse(v20Payload(one(p.handle(hs.openSessionRequest(), FROM)))).status).toBe(0);
    hs.acceptOpenSessionResponse(v20Payload(one(p.handle(hs.openSessionRequest(), FROM))));
    expect(decodeRakp2(v20Payload(one(p.handle(hs.rakp1(), FROM)))).status).toBe(0x0d);
  });

  it('in session: bad integrity and replays far behind are dropped; privilege is capped at the negotiated level', () => {
    const p = bmc();
    const { hs } = login(p, { username: 'viewer', password: 'viewer-secret', privilege: 2 });
    const ok = inSession(p, hs, 100, lan(0x01));
    expect(decodeLanResponse(v20Payload(one(ok), hs.keys)).data.length).toBe(15);
    // Flip a byte inside the encrypted payload: the integrity check fails, no answer.
    const bad = encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: hs.bmcSessionId, sessionSeq: 101, payload: lan(0x01), keys: hs.keys });
    bad[30]! ^= 1;
    expect(p.handle(bad, FROM)).toEqual([]);
    expect(inSession(p, hs, 50, lan(0x01))).toEqual([]); // 50 behind the highest (100)
    const setPriv = (level: number) => decodeLanResponse(v20Payload(one(inSession(p, hs, 102 + level, lan(0x3b, Buffer.from([level])))), hs.keys));
    expect(setPriv(3).completionCode).toBe(0x81);
    expect(setPriv(2)).toMatchObject({ completionCode: 0, data: Buffer.from([2]) });
  });

  it('sessions start at USER and Set Session Privilege Level raises them to the negotiated maximum', () => {
    const levels: number[] = [];
    const p = new BmcProtocol(testConfig(), (req, ctx) => (levels.push(ctx.privilege), deviceIdHandler(req, ctx)), { random });
    const { hs } = login(p, { privilege: 4 });
    inSession(p, hs, 1, lan(0x01));
    expect(decodeLanResponse(v20Payload(one(inSession(p, hs, 2, lan(0x3b, Buffer.from([4])))), hs.keys)).completionCode).toBe(0);
    inSession(p, hs, 3, lan(0x01));
    expect(levels).toEqual([2, 4]);
  });

  it('IPMI 1.5: a packet with a wrong auth code is dropped; Close Session ends the session', () => {
    const p = bmc();
    const send = (pkt: Parameters<typeof encodeV15Packet>[0]) => p.handle(encodeV15Packet(pkt), FROM);
    const pw = Buffer.from('admin-secret');
    const challengeReq = Buffer.concat([Buffer.from([AUTH_TYPE.md5]), Buffer.from('admin'), Buffer.alloc(11)]);
    const ch = decodeLanResponse(
      decodeV15Packet(decodeRmcp(one(send({ authType: 0, sessionSeq: 0, sessionId: 0, payload: lan(0x39, challengeReq) }))).body).payload,
    );
    const tempId = ch.data.readUInt32LE(0);
    const activate = Buffer.concat([Buffer.from([AUTH_TYPE.md5, 4]), ch.data.subarray(4, 20), Buffer.from([0x10, 0, 0, 0])]);
    expect(send({ authType: AUTH_TYPE.md5, sessionSeq: 0, sessionId: tempId, password: Buffer.from('wrong'), payload: lan(0x3a, activate) })).toEqual([]);
    const act = decodeV15Packet(
      decodeRmcp(one(send({ authType: AUTH_TYPE.md5, sessionSeq: 0, sessionId: tempId, password: pw, payload: lan(0x3a, activate) }))).body,
    );
    expect(act.sessionSeq).toBe(0x10);
    const rsp = decodeLanResponse(act.payload);
    const sid = rsp.data.readUInt32LE(1);
    const inbound = rsp.data.readUInt32LE(5);
    expect(send({ authType: AUTH_TYPE.md5, sessionSeq: inbound, sessionId: sid, password: Buffer.from('wrong'), payload: lan(0x01) })).toEqual([]);
    const dev = decodeV15Packet(decodeRmcp(one(send({ authType: AUTH_TYPE.md5, sessionSeq: inbound, sessionId: sid, password: pw, payload: lan(0x01) }))).body);
    expect(dev.sessionSeq).toBe(0x11);
    const close = Buffer.alloc(4);
    close.writeUInt32LE(sid);
    send({ authType: AUTH_TYPE.md5, sessionSeq: inbound + 1, sessionId: sid, password: pw, payload: lan(0x3c, close) });
    expect(p.counters).toMatchObject({ open: 0, openedTotal: 1, closedTotal: 1 });
  });

  it('update(): a new password applies to new logins, a lower limit to new sessions', () => {
    const p = bmc();
    login(p);
    p.update({ users: [{ name: 'admin', password: 'changed', maxPrivilege: 4 }], sessionLimit: 1 });
    const hs = new RmcpPlusHandshake({ suite: cipherSuite(3), username: 'admin', password: Buffer.from('changed'), privilege: 4, consoleSessionId: 9, random });
    expect(decodeOpenSessionResponse(v20Payload(one(p.handle(hs.openSessionRequest(), FROM)))).status).toBe(0x01);
    p.update({ sessionLimit: 2 });
    const { rakp4 } = login(p, { password: 'changed' });
    expect(decodeRakp3Or4(rakp4).status).toBe(0);
    expect(p.counters.open).toBe(2);
  });
});
