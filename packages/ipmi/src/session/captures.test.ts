/**
 * Replays real ipmitool 1.8.19 <-> ipmi_sim 2.0.33 exchanges (fixtures/captures,
 * see fixtures/README.md): our handshake, key derivation, integrity, AES and
 * v1.5 auth codes must agree byte for byte with software we did not write.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../errors.js';
import { decodeLanRequest, decodeLanResponse } from '../message/lan-message.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { AUTH_TYPE, PRIVILEGE } from './auth-types.js';
import { cipherSuite } from './cipher-suites.js';
import { RmcpPlusHandshake } from './rakp-handshake.js';
import { decodeOpenSessionRequest, decodeRakp1 } from './rakp-messages.js';
import { peekSessionHeader } from './session-packet.js';
import { decodeV15Packet, encodeV15Packet, verifyV15AuthCode } from './v15-packet.js';
import { PAYLOAD_TYPE, decodeV20Packet, encodeV20Packet } from './v20-packet.js';

interface Capture {
  description: string;
  username: string;
  password: string;
  cipherSuite: number | null;
  authType?: string | null;
  privilege: keyof typeof PRIVILEGE_BY_NAME;
  packets: Array<{ dir: 'request' | 'response'; hex: string }>;
}

const PRIVILEGE_BY_NAME = { USER: PRIVILEGE.user, OPERATOR: PRIVILEGE.operator, ADMINISTRATOR: PRIVILEGE.administrator };
const dir = fileURLToPath(new URL('../../../../fixtures/captures/', import.meta.url));
const captures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(dir + f, 'utf8')) as Capture) }));

/** The RMCP body of each class-IPMI datagram (ASF ping/pong left out). */
function ipmiPackets(c: Capture) {
  return c.packets
    .map((p) => ({ dir: p.dir, raw: Buffer.from(p.hex, 'hex') }))
    .map((p) => ({ ...p, rmcp: decodeRmcp(p.raw) }))
    .filter((p) => p.rmcp.messageClass === 0x07)
    .map((p) => ({ dir: p.dir, raw: p.raw, body: p.rmcp.body, header: peekSessionHeader(p.rmcp.body) }));
}

const lanplus = captures.filter((c) => c.cipherSuite !== null);
const lan = captures.filter((c) => c.cipherSuite === null);

describe('captures are present', () => {
  it('has RMCP+ suites 0-3 and 6 and IPMI 1.5 md5', () => {
    expect(lanplus.map((c) => c.cipherSuite).sort()).toEqual(expect.arrayContaining([0, 1, 2, 3, 6]));
    expect(lan.map((c) => c.authType)).toContain('md5');
  });
});

describe.each(lanplus.map((c) => [c.file, c] as const))('RMCP+ capture %s', (_file, c) => {
  const pkts = ipmiPackets(c);
  const byType = (t: number) => {
    const p = pkts.find((x) => x.header.format === 'v2.0' && x.header.payloadType === t);
    if (!p) throw new Error(`no payload type ${t}`);
    return decodeV20Packet(p.body).payload;
  };
  const openReq = decodeOpenSessionRequest(byType(PAYLOAD_TYPE.openSessionRequest));
  const rakp1 = decodeRakp1(byType(PAYLOAD_TYPE.rakp1));
  const suite = cipherSuite(c.cipherSuite!);

  // Feed ipmitool's own tag and console random to our handshake, then the BMC's answers.
  const randoms = [Buffer.from([openReq.messageTag]), rakp1.consoleRandom];
  const hs = new RmcpPlusHandshake({
    suite,
    username: c.username,
    password: Buffer.from(c.password),
    privilege: PRIVILEGE_BY_NAME[c.privilege],
    consoleSessionId: openReq.consoleSessionId,
    random: () => randoms.shift()!,
  });

  it("runs our handshake over the BMC answers and produces ipmitool's RAKP1 and RAKP3 bytes", () => {
    const ours = decodeV20Packet(decodeRmcp(hs.openSessionRequest()).body).payload;
    expect(decodeOpenSessionRequest(ours)).toEqual(openReq);
    expect(hs.acceptOpenSessionResponse(byType(PAYLOAD_TYPE.openSessionResponse))).toBe('ok');
    expect(decodeRmcp(hs.rakp1()).body).toEqual(pkts.find((p) => p.header.format === 'v2.0' && p.header.payloadType === PAYLOAD_TYPE.rakp1)!.body);
    expect(hs.acceptRakp2(byType(PAYLOAD_TYPE.rakp2))).toBe('ok'); // RAKP2 HMAC verified with the password
    expect(decodeRmcp(hs.rakp3()).body).toEqual(pkts.find((p) => p.header.format === 'v2.0' && p.header.payloadType === PAYLOAD_TYPE.rakp3)!.body);
    expect(hs.acceptRakp4(byType(PAYLOAD_TYPE.rakp4))).toBe('ok'); // RAKP4 ICV verified with our SIK
    expect(hs.keys.sik).toHaveLength(suite.authentication === 'none' ? 0 : suite.authentication === 'hmac-md5' ? 16 : 20);
  });

  it('verifies, decrypts and re-encodes every session packet into checksummed LAN messages', () => {
    const keys = hs.keys;
    const session = pkts.filter((p) => p.header.format === 'v2.0' && p.header.sessionId !== 0 && p.header.payloadType === 0);
    expect(session.length).toBeGreaterThan(2);
    const cmds: number[] = [];
    for (const p of session) {
      const d = decodeV20Packet(p.body, keys);
      expect(d.authenticated).toBe(suite.integrity !== 'none');
      expect(d.encrypted).toBe(suite.confidentiality !== 'none');
      const msg = p.dir === 'request' ? decodeLanRequest(d.payload) : decodeLanResponse(d.payload);
      cmds.push(msg.cmd);
      // Our encoder, given the same IV, must produce the captured datagram exactly (pads included).
      const iv = d.encrypted ? p.body.subarray(12, 28) : undefined;
      const again = encodeV20Packet({
        payloadType: d.payloadType,
        sessionId: d.sessionId,
        sessionSeq: d.sessionSeq,
        payload: d.payload,
        keys,
        ...(iv ? { iv } : {}),
      });
      expect(again.toString('hex')).toBe(p.raw.toString('hex'));
    }
    expect(cmds).toContain(0x3c); // Close Session
  });

  if (suite.integrity !== 'none')
    it('rejects a captured packet with one flipped bit, or under the wrong keys', () => {
      const p = pkts.find((x) => x.header.format === 'v2.0' && x.header.sessionId !== 0)!;
      for (const at of [1 + 4, 12, p.body.length - 1]) {
        const bad = Buffer.from(p.body);
        bad[at] = bad[at]! ^ 0x01;
        expect(() => decodeV20Packet(bad, hs.keys)).toThrow(IntegrityError);
      }
      const wrong = { ...hs.keys, k1: Buffer.alloc(hs.keys.k1.length, 0x55) };
      expect(() => decodeV20Packet(p.body, wrong)).toThrow(IntegrityError);
    });
});

describe.each(lan.map((c) => [c.file, c] as const))('IPMI 1.5 capture %s', (_file, c) => {
  const password = Buffer.from(c.password);
  const pkts = ipmiPackets(c).filter((p) => p.header.format === 'v1.5');

  it('verifies every auth code and re-encodes every packet identically', () => {
    let authenticated = 0;
    for (const p of pkts) {
      const d = decodeV15Packet(p.body);
      expect(() => (p.dir === 'request' ? decodeLanRequest(d.payload) : decodeLanResponse(d.payload))).not.toThrow();
      if (d.authType !== AUTH_TYPE.none) {
        expect(verifyV15AuthCode(d, password)).toBe(true);
        expect(verifyV15AuthCode(d, Buffer.from('wrong'))).toBe(false);
        authenticated++;
      }
      const again = encodeV15Packet({ ...d, password });
      // ipmitool may append a legacy pad byte we do not send; everything before it must match.
      expect(p.raw.subarray(0, again.length).toString('hex')).toBe(again.toString('hex'));
      expect(p.raw.length - again.length).toBeLessThanOrEqual(1);
    }
    if (c.authType !== 'none') expect(authenticated).toBeGreaterThan(4);
  });
});
