import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha1, HmacSha256, type PrehashedHmac } from './prehashed-hmac.js';

const KINDS: { name: string; hash: 'sha1' | 'sha256'; make: (key: Uint8Array) => PrehashedHmac; keyLength: number }[] = [
  { name: 'HmacSha1', hash: 'sha1', make: (k) => new HmacSha1(k), keyLength: 20 },
  { name: 'HmacSha256', hash: 'sha256', make: (k) => new HmacSha256(k), keyLength: 32 },
];

describe('HmacSha1', () => {
  it('gives the RFC 2202 test vectors', () => {
    // RFC 2202 §3 test cases 1 and 2.
    expect(new HmacSha1(Buffer.alloc(20, 0x0b)).digest(Buffer.from('Hi There')).toString('hex')).toBe('b617318655057264e28bc0b6fb378c8ef146be00');
    expect(new HmacSha1(Buffer.from('Jefe')).digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });
});

describe('HmacSha256', () => {
  it('gives the RFC 4231 test vectors', () => {
    // RFC 4231 §4.2 and §4.3 (test cases 1 and 2).
    expect(new HmacSha256(Buffer.alloc(20, 0x0b)).digest(Buffer.from('Hi There')).toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(new HmacSha256(Buffer.from('Jefe')).digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe.each(KINDS)('$name', ({ hash, make, keyLength }) => {
  it('equals node:crypto for every message length 0..300 and keys of 0, K1 and 64 bytes, reused', () => {
    for (const keyLen of [0, keyLength, 64]) {
      const key = Buffer.from(Array.from({ length: keyLen }, (_, i) => (i * 7 + 3) & 0xff));
      const h = make(key);
      for (let n = 0; n <= 300; n++) {
        const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff));
        expect(h.digest(data)).toEqual(createHmac(hash, key).update(data).digest());
      }
    }
  });

  it('digests and checks a range of a larger buffer in place, truncated', () => {
    const key = Buffer.alloc(keyLength, 0x42);
    const h = make(key);
    const buf = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 13) & 0xff));
    for (const [start, end] of [
      [0, 0],
      [3, 58],
      [7, 71],
      [10, 200],
    ] as const) {
      const want = createHmac(hash, key).update(buf.subarray(start, end)).digest();
      const out = Buffer.alloc(40, 0xee);
      h.digestInto(buf, start, end, out, 5, 16);
      expect(out.subarray(5, 21)).toEqual(want.subarray(0, 16));
      expect(out[4]).toBe(0xee);
      expect(out[21]).toBe(0xee);
      expect(h.matches(buf, start, end, out, 5, 16)).toBe(true);
      out[20] = out[20]! ^ 1;
      expect(h.matches(buf, start, end, out, 5, 16)).toBe(false);
    }
  });

  it('keeps instances apart although they share scratch space: interleaved digests under two keys', () => {
    const [ka, kb] = [Buffer.alloc(keyLength, 0xa5), Buffer.alloc(keyLength, 0x5a)];
    const [a, b] = [make(ka), make(kb)];
    const other = KINDS.find((k) => k.hash !== hash)!;
    const c = other.make(ka);
    for (let n = 0; n < 130; n += 7) {
      const data = Buffer.alloc(n, n);
      expect(a.digest(data)).toEqual(createHmac(hash, ka).update(data).digest());
      expect(c.digest(data)).toEqual(createHmac(other.hash, ka).update(data).digest());
      expect(b.digest(data)).toEqual(createHmac(hash, kb).update(data).digest());
    }
  });

  it('refuses keys longer than a block', () => {
    expect(() => make(Buffer.alloc(65))).toThrow(RangeError);
  });
});
