import { describe, expect, it } from 'vitest';
import { cipherSuite } from './cipher-suites.js';
import { deriveSessionKeys, deriveSik, rakp2AuthCode, rakp3AuthCode, rakp4Icv, type RakpExchange } from './key-derivation.js';
import { RmcpPlusHandshake } from './rakp-handshake.js';
import {
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  encodeOpenSessionRefusal,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp2Refusal,
  encodeRakp3Or4,
} from './rakp-messages.js';
import { decodeV20Packet } from './v20-packet.js';

const body = (d: Buffer) => decodeV20Packet(d.subarray(4)).payload;

// Plays the BMC with the BMC-side codecs and HMACs against the console state
// machine, which itself was proven against ipmitool/ipmi_sim captures.
describe('RAKP, BMC side', () => {
  for (const id of [1, 3, 7, 17]) {
    it(`suite ${id}: the console accepts our RAKP2/RAKP4 and we verify its RAKP3`, () => {
      const suite = cipherSuite(id);
      const password = Buffer.from('secret');
      let n = 0;
      const random = (len: number) => Buffer.alloc(len, ++n);
      const hs = new RmcpPlusHandshake({ suite, username: 'admin', password, privilege: 4, consoleSessionId: 0x1111, random });
      const open = decodeOpenSessionRequest(body(hs.openSessionRequest()));
      const bmcSessionId = 0x2222;
      hs.acceptOpenSessionResponse(
        encodeOpenSessionResponse({
          messageTag: open.messageTag,
          status: 0,
          privilege: 4,
          consoleSessionId: open.consoleSessionId,
          bmcSessionId,
          authentication: open.authentication,
          integrity: open.integrity,
          confidentiality: open.confidentiality,
        }),
      );
      const r1 = decodeRakp1(body(hs.rakp1()));
      const x: RakpExchange = {
        suite,
        consoleSessionId: 0x1111,
        bmcSessionId,
        consoleRandom: r1.consoleRandom,
        bmcRandom: Buffer.alloc(16, 0x5a),
        bmcGuid: Buffer.alloc(16, 0xa5),
        role: r1.role,
        username: r1.username,
      };
      expect(
        hs.acceptRakp2(
          encodeRakp2({
            messageTag: r1.messageTag,
            status: 0,
            consoleSessionId: 0x1111,
            bmcRandom: x.bmcRandom,
            bmcGuid: x.bmcGuid,
            authCode: rakp2AuthCode(x, password),
          }),
        ),
      ).toBe('ok');
      const r3 = decodeRakp3(body(hs.rakp3()));
      expect(r3.sessionId).toBe(bmcSessionId);
      expect(r3.authCode).toEqual(rakp3AuthCode(x, password));
      const sik = deriveSik(suite, password, x.consoleRandom, x.bmcRandom, x.role, x.username);
      expect(hs.acceptRakp4(encodeRakp3Or4({ messageTag: r1.messageTag, status: 0, sessionId: 0x1111, authCode: rakp4Icv(x, sik) }))).toBe('ok');
      expect(hs.keys).toEqual(deriveSessionKeys(suite, sik, { password: Buffer.concat([password, Buffer.alloc(14)]) }));
    });
  }

  it('refusals carry tag, status and the console session id', () => {
    expect(decodeOpenSessionResponse(encodeOpenSessionRefusal({ messageTag: 3, status: 0x11, consoleSessionId: 9 }))).toEqual({
      messageTag: 3,
      status: 0x11,
      privilege: 0,
      consoleSessionId: 9,
    });
    expect(decodeRakp2(encodeRakp2Refusal({ messageTag: 3, status: 0x0d, consoleSessionId: 9 }))).toEqual({ messageTag: 3, status: 0x0d, consoleSessionId: 9 });
  });
});
