import { describe, expect, it } from 'vitest';
import { IntegrityError, MalformedPacketError } from '../errors.js';
import { decodeLanRequest, encodeLanRequest, encodeLanResponse } from '../message/lan-message.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { cipherSuite } from '../session/cipher-suites.js';
import { deriveSessionKeys } from '../session/key-derivation.js';
import { peekSessionHeader } from '../session/session-packet.js';
import { decodeV20Packet, encodeV20Packet, PAYLOAD_TYPE, type SessionKeys } from '../session/v20-packet.js';
import { Drop } from './exchanger.js';
import { V20SessionFramer } from './framers.js';
import { SequenceWindow } from './sequence-window.js';

const BMC_ID = 0x0a0b0c0d;
const CONSOLE_ID = 0x11223344;
const keysOf = (suite: number): SessionKeys => deriveSessionKeys(cipherSuite(suite), Buffer.alloc(20, 0x5a));
/** What the exchanger hands a framer: the whole datagram (its 4-byte RMCP header checked). */
const datagram = (d: Buffer): Buffer => d;

/**
 * What V20SessionFramer.unwrap must decide, written with the general
 * decoders: peekSessionHeader, then decodeV20Packet, then the window.
 */
function reference(keys: SessionKeys, window: SequenceWindow, datagram: Buffer): string {
  const d = { messageClass: datagram[3]!, body: datagram.subarray(4) };
  if (d.messageClass !== 0x07) return 'no-match';
  let h;
  try {
    h = peekSessionHeader(d.body);
  } catch {
    return 'malformed';
  }
  if (h.format !== 'v2.0' || h.sessionId !== CONSOLE_ID || h.payloadType !== PAYLOAD_TYPE.ipmi) return 'no-match';
  if (keys.suite.integrity !== 'none' && !h.authenticated) return 'bad-integrity';
  if (keys.suite.confidentiality !== 'none' && !h.encrypted) return 'bad-integrity';
  let pkt;
  try {
    pkt = decodeV20Packet(d.body, keys);
  } catch (err) {
    if (err instanceof IntegrityError) return 'bad-integrity';
    if (err instanceof MalformedPacketError) return 'malformed';
    throw err;
  }
  if (!window.accept(pkt.sessionSeq)) return 'stale-sequence';
  return pkt.payload.toString('hex');
}

const outcome = (r: Buffer | Drop) => (r instanceof Drop ? r.reason : r.toString('hex'));

describe('V20SessionFramer (RMCP+ session, §13.6 and §13.28-13.29)', () => {
  for (const suite of [0, 1, 2, 3, 17]) {
    it(`suite ${suite}: a request written in one buffer is the packet wrap(encodeLanRequest(...)) describes`, () => {
      const keys = keysOf(suite);
      const framer = new V20SessionFramer(keys, BMC_ID, CONSOLE_ID);
      for (const [seq, data] of [
        [1, Buffer.from([0x01])],
        [2, Buffer.alloc(0)],
        [3, Buffer.from('0102030405060708090a0b0c0d0e0f', 'hex')],
        [4, Buffer.alloc(40, 0x33)],
      ] as const) {
        const d = framer.wrapRequest(0x04, 0x2d, 17 + seq, seq & 3, data);
        const p = decodeRmcp(d);
        expect(p.messageClass).toBe(0x07);
        const pkt = decodeV20Packet(p.body, keys);
        expect({ id: pkt.sessionId, seq: pkt.sessionSeq, type: pkt.payloadType }).toEqual({ id: BMC_ID, seq, type: PAYLOAD_TYPE.ipmi });
        expect(pkt.encrypted).toBe(keys.suite.confidentiality !== 'none');
        expect(pkt.authenticated).toBe(keys.suite.integrity !== 'none');
        expect(pkt.payload.toString('hex')).toBe(encodeLanRequest({ netFn: 0x04, cmd: 0x2d, rqSeq: 17 + seq, rsLun: seq & 3, data }).toString('hex'));
        expect(decodeLanRequest(pkt.payload)).toMatchObject({ rsAddr: 0x20, rqAddr: 0x81, rqLun: 0 });
        // The same length as the general encoder's packet (the IV differs, being random).
        const general = encodeV20Packet({ payloadType: 0, sessionId: BMC_ID, sessionSeq: seq, payload: pkt.payload, keys });
        expect(d.length).toBe(general.length);
      }
    });
  }

  for (const suite of [1, 3, 17]) {
    it(`suite ${suite}: takes exactly what the general decoders take, and drops the rest for the same reason (every byte flipped, every truncation)`, () => {
      const keys = keysOf(suite);
      const lan = encodeLanResponse({
        rqAddr: 0x81,
        netFn: 0x05,
        rqLun: 0,
        rsAddr: 0x20,
        rqSeq: 9,
        rsLun: 0,
        cmd: 0x2d,
        completionCode: 0,
        data: Buffer.from('7fc0c000', 'hex'),
      });
      const good = encodeV20Packet({ payloadType: 0, sessionId: CONSOLE_ID, sessionSeq: 5, payload: lan, keys });
      const variants: Buffer[] = [good];
      for (let i = 0; i < good.length; i++) {
        for (const mask of [0x01, 0x40, 0x80]) {
          const v = Buffer.from(good);
          v[i]! ^= mask;
          variants.push(v);
        }
      }
      for (let n = 4; n < good.length; n++) variants.push(good.subarray(0, n));
      variants.push(encodeV20Packet({ payloadType: 0, sessionId: CONSOLE_ID + 1, sessionSeq: 6, payload: lan, keys }));
      variants.push(encodeV20Packet({ payloadType: 0, sessionId: CONSOLE_ID, sessionSeq: 7, payload: lan }));
      variants.push(encodeV20Packet({ payloadType: PAYLOAD_TYPE.sol, sessionId: CONSOLE_ID, sessionSeq: 8, payload: lan, keys }));
      for (const v of variants) {
        // A fresh window each time, so every variant is judged alone.
        const framer = new V20SessionFramer(keys, BMC_ID, CONSOLE_ID);
        const expected = reference(keys, new SequenceWindow(), datagram(v));
        expect(outcome(framer.unwrap(datagram(v)))).toBe(expected);
      }
      expect(outcome(new V20SessionFramer(keys, BMC_ID, CONSOLE_ID).unwrap(datagram(good)))).toBe(lan.toString('hex'));
    });
  }

  it('drops a replayed answer outside the window and takes one a little out of order', () => {
    const keys = keysOf(3);
    const framer = new V20SessionFramer(keys, BMC_ID, CONSOLE_ID);
    const lan = Buffer.from('8114eb2004002d00aa', 'hex');
    const at = (seq: number) => datagram(encodeV20Packet({ payloadType: 0, sessionId: CONSOLE_ID, sessionSeq: seq, payload: lan, keys }));
    expect(framer.unwrap(at(100))).toBeInstanceOf(Buffer);
    expect(framer.unwrap(at(95))).toBeInstanceOf(Buffer);
    expect(outcome(framer.unwrap(at(50)))).toBe('stale-sequence');
    expect(outcome(framer.unwrap(at(0)))).toBe('stale-sequence');
  });
});
