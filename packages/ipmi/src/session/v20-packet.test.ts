import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCbcDecrypt, aesCbcEncrypt } from '../crypto/rmcpplus-crypto.js';
import { IntegrityError, MalformedPacketError } from '../errors.js';
import { decodeRmcp } from '../rmcp/rmcp.js';
import { cipherSuite } from './cipher-suites.js';
import { deriveSessionKeys } from './key-derivation.js';
import { peekSessionHeader } from './session-packet.js';
import { PAYLOAD_TYPE, decodeV20Packet, encodeV20Packet, sessionCrypto } from './v20-packet.js';

const K2 = Buffer.from('000102030405060708090a0b0c0d0e0f10111213', 'hex');
const IV = Buffer.alloc(16, 0xee);
const body = (d: Buffer) => decodeRmcp(d).body;

describe('RMCP+ session packet (IPMI v2.0 §13.6)', () => {
  it('encodes an unauthenticated pre-session packet and peeks its header', () => {
    const d = encodeV20Packet({ payloadType: PAYLOAD_TYPE.ipmi, sessionId: 0, sessionSeq: 0, payload: Buffer.from('2018c88100388e04b5', 'hex') });
    // Same bytes ipmitool sends for Get Channel Auth Capabilities before a lanplus session (fixtures/captures).
    expect(d.toString('hex')).toBe('0600ff07' + '06' + '00' + '00000000' + '00000000' + '0900' + '2018c88100388e04b5');
    expect(peekSessionHeader(body(d))).toEqual({ format: 'v2.0', payloadType: 0, encrypted: false, authenticated: false, sessionId: 0, sessionSeq: 0 });
    expect(decodeV20Packet(body(d)).payload.toString('hex')).toBe('2018c88100388e04b5');
  });

  it('keeps one packet crypto per keys object, on the object, unseen by copies; a copy with another K1 gets its own', () => {
    const keys = deriveSessionKeys(cipherSuite(3), Buffer.alloc(20, 7));
    const crypto = sessionCrypto(keys);
    expect(sessionCrypto(keys)).toBe(crypto);
    expect(Object.keys(keys).sort()).toEqual(['k1', 'k2', 'sik', 'suite']);
    const other = { ...keys, k1: Buffer.alloc(20, 0x55) };
    expect(sessionCrypto(other)).not.toBe(crypto);
    // Sealed under one K1, refused under the other: nothing about the first key leaked into the copy.
    const d = encodeV20Packet({ payloadType: 0, sessionId: 9, sessionSeq: 1, payload: Buffer.from('01', 'hex'), keys });
    expect(decodeV20Packet(body(d), keys).payload.toString('hex')).toBe('01');
    expect(() => decodeV20Packet(body(d), other)).toThrow(IntegrityError);
  });

  it('refuses an authenticated packet without keys and an unauthenticated one inside an integrity session', () => {
    const keys = deriveSessionKeys(cipherSuite(2), Buffer.alloc(20, 7));
    const authed = encodeV20Packet({ payloadType: 0, sessionId: 9, sessionSeq: 1, payload: Buffer.from('01', 'hex'), keys });
    expect(() => decodeV20Packet(body(authed))).toThrow(IntegrityError);
    const plain = encodeV20Packet({ payloadType: 0, sessionId: 9, sessionSeq: 1, payload: Buffer.from('01', 'hex') });
    expect(() => decodeV20Packet(body(plain), keys)).toThrow(IntegrityError);
  });

  it.each([0, 1, 2, 3, 5])('pads the integrity-covered part to a multiple of 4 (payload %i bytes)', (n) => {
    const keys = deriveSessionKeys(cipherSuite(2), Buffer.alloc(20, 7));
    const d = encodeV20Packet({ payloadType: 0, sessionId: 9, sessionSeq: 1, payload: Buffer.alloc(n, 0xab), keys });
    expect((body(d).length - 12) % 4).toBe(0); // covered = body minus the 12-byte HMAC-SHA1-96
    expect(decodeV20Packet(body(d), keys).payload).toEqual(Buffer.alloc(n, 0xab));
  });

  it('round-trips suites 7 (HMAC-MD5-128), 8 (+AES), 12 (MD5-128 + AES) and 16 (HMAC-SHA256-128)', () => {
    for (const id of [7, 8, 12, 16]) {
      const suite = cipherSuite(id);
      const sik = Buffer.alloc(suite.authentication === 'hmac-sha256' ? 32 : 16, 3);
      const keys = deriveSessionKeys(suite, sik, { password: Buffer.from('pw') });
      const d = encodeV20Packet({ payloadType: 0, sessionId: 5, sessionSeq: 2, payload: Buffer.from('hello'), keys });
      expect(decodeV20Packet(body(d), keys).payload.toString()).toBe('hello');
      if (suite.integrity === 'md5-128') {
        expect(() => decodeV20Packet(body(d), { ...keys, password: Buffer.from('other') })).toThrow(IntegrityError);
      }
    }
  });
});

describe('AES-CBC-128 confidentiality (IPMI v2.0 §13.29)', () => {
  it.each([0, 1, 14, 15, 16, 31])('pads %i payload bytes with 01 02 .. n and a length byte to whole blocks', (n) => {
    const field = aesCbcEncrypt(K2, IV, Buffer.alloc(n, 0x42));
    expect((field.length - 16) % 16).toBe(0);
    expect(field.length - 16).toBeGreaterThanOrEqual(n + 1);
    expect(field.length - 16 - (n + 1)).toBeLessThan(16);
    expect(aesCbcDecrypt(K2, field)).toEqual(Buffer.alloc(n, 0x42));
  });

  function encryptRaw(plain: Buffer): Buffer {
    const c = createCipheriv('aes-128-cbc', K2.subarray(0, 16), IV).setAutoPadding(false);
    return Buffer.concat([IV, c.update(plain), c.final()]);
  }

  it('accepts a BMC that pads with a full extra block (pad length 16)', () => {
    // 15 payload bytes + 16 pad bytes (01..10) + length 0x10 = 32 bytes.
    const pad = Buffer.from([...Array(16).keys()].map((i) => i + 1));
    const field = encryptRaw(Buffer.concat([Buffer.alloc(15, 0x42), pad, Buffer.from([16])]));
    expect(aesCbcDecrypt(K2, field)).toEqual(Buffer.alloc(15, 0x42));
  });

  it.each([
    ['a pad length over 16', Buffer.concat([Buffer.alloc(15, 0), Buffer.from([17])])],
    ['pad bytes that do not count up', Buffer.concat([Buffer.alloc(13, 0), Buffer.from([1, 3, 2])])],
  ])('rejects %s', (_n, plain) => {
    expect(() => aesCbcDecrypt(K2, encryptRaw(plain))).toThrow(MalformedPacketError);
  });

  it('rejects a field that is not IV plus whole blocks', () => {
    expect(() => aesCbcDecrypt(K2, Buffer.alloc(20))).toThrow(MalformedPacketError);
    expect(() => aesCbcDecrypt(K2, Buffer.alloc(16))).toThrow(MalformedPacketError);
  });
});
