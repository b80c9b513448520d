import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCbcDecrypt, aesCbcEncrypt, integrityAuthCode, PacketCrypto, randomIv } from './rmcpplus-crypto.js';

const K2 = Buffer.from('00112233445566778899aabbccddeeff0102030405060708', 'hex');
const IV = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');

/** §13.29 padding done the plain way, then one whole-message CBC pass: the reference for the chained-ECB code. */
function reference(payload: Buffer, iv: Buffer): Buffer {
  const padLen = (16 - ((payload.length + 1) % 16)) % 16;
  const pad = Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1));
  const c = createCipheriv('aes-128-cbc', K2.subarray(0, 16), iv).setAutoPadding(false);
  return Buffer.concat([iv, c.update(Buffer.concat([payload, pad, Buffer.from([padLen])])), c.final()]);
}

describe('AES-CBC-128 (§13.29) on cached per-key contexts', () => {
  it('matches a one-shot aes-128-cbc of the padded payload for every length 0..70', () => {
    for (let n = 0; n <= 70; n++) {
      const payload = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      const field = aesCbcEncrypt(K2, IV, payload);
      expect(field).toEqual(reference(payload, IV));
      expect(aesCbcDecrypt(K2, field)).toEqual(payload);
    }
  });

  it('keeps packets independent when one key encrypts and decrypts many in turn', () => {
    const a = aesCbcEncrypt(K2, IV, Buffer.from('first message'));
    const other = Buffer.alloc(16, 0x33);
    const b = aesCbcEncrypt(K2, other, Buffer.from('second message, longer than a block'));
    expect(aesCbcDecrypt(K2, b).toString()).toBe('second message, longer than a block');
    expect(aesCbcDecrypt(K2, a).toString()).toBe('first message');
    expect(aesCbcEncrypt(K2, IV, Buffer.from('first message'))).toEqual(a);
  });

  it('decrypts what a one-shot aes-128-cbc decipher reads back', () => {
    const field = aesCbcEncrypt(K2, IV, Buffer.from('0123456789abcdefXYZ'));
    const d = createDecipheriv('aes-128-cbc', K2.subarray(0, 16), field.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([d.update(field.subarray(16)), d.final()]);
    expect(plain.subarray(0, 19).toString()).toBe('0123456789abcdefXYZ');
  });
});

describe('randomIv', () => {
  it('hands out 16-byte IVs that differ and are never rewritten when the pool refills', () => {
    const first = randomIv();
    const copy = Buffer.from(first);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(randomIv().toString('hex'));
    expect(first.length).toBe(16);
    expect(seen.size).toBe(1000);
    expect(first).toEqual(copy);
  });
});

describe('integrityAuthCode (§13.28.4)', () => {
  it('is HMAC keyed with K1, truncated per algorithm, for repeated use of one key', () => {
    const k1 = Buffer.alloc(20, 7);
    const data = Buffer.from('covered bytes');
    for (let i = 0; i < 3; i++) {
      expect(integrityAuthCode('hmac-sha1-96', k1, undefined, data)).toEqual(createHmac('sha1', k1).update(data).digest().subarray(0, 12));
      expect(integrityAuthCode('hmac-md5-128', k1, undefined, data)).toEqual(createHmac('md5', k1).update(data).digest());
      expect(integrityAuthCode('hmac-sha256-128', k1, undefined, data)).toEqual(createHmac('sha256', k1).update(data).digest().subarray(0, 16));
    }
  });
});

describe('PacketCrypto AuthCodes in place (§13.28.4)', () => {
  // K1 is an HMAC output of the authentication algorithm: 20 bytes under SHA-1 (suites 1-3), 32 under SHA-256 (suite 17).
  const cases = [
    { alg: 'hmac-sha1-96', hash: 'sha1', k1: Buffer.alloc(20, 0x11), n: 12 },
    { alg: 'hmac-sha256-128', hash: 'sha256', k1: Buffer.alloc(32, 0x22), n: 16 },
    { alg: 'hmac-md5-128', hash: 'md5', k1: Buffer.alloc(16, 0x33), n: 16 },
  ] as const;

  it.each(cases)('$alg: writes and checks the AuthCode over a datagram range as node:crypto computes it', ({ alg, hash, k1, n }) => {
    const crypto = new PacketCrypto(alg, k1, Buffer.alloc(20, 0x44), undefined);
    expect(crypto.authCodeLength).toBe(n);
    // The covered range's lengths of real suite-3/17 packets (about 40-90 bytes) and a few around block edges.
    for (const covered of [0, 1, 40, 52, 55, 56, 63, 64, 70, 90, 128]) {
      const start = 4;
      const end = start + covered;
      const buf = Buffer.alloc(end + n);
      for (let i = 0; i < end; i++) buf[i] = (i * 29 + covered) & 0xff;
      crypto.writeAuthCode(buf, start, end, end);
      expect(buf.subarray(end)).toEqual(createHmac(hash, k1).update(buf.subarray(start, end)).digest().subarray(0, n));
      expect(crypto.authCodeMatches(buf, start, end, end)).toBe(true);
      const flip = (i: number, bits: number) => {
        buf[i] = buf[i]! ^ bits;
      };
      // A changed AuthCode, then (AuthCode restored) a changed covered byte, are both refused.
      flip(end + n - 1, 0x80);
      expect(crypto.authCodeMatches(buf, start, end, end)).toBe(false);
      flip(end + n - 1, 0x80);
      if (covered > 0) {
        flip(start + Math.floor(covered / 2), 1);
        expect(crypto.authCodeMatches(buf, start, end, end)).toBe(false);
      }
    }
  });
});
