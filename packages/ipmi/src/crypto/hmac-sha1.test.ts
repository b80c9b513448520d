import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha1 } from './hmac-sha1.js';

describe('HmacSha1', () => {
  it('gives the RFC 2202 test vectors', () => {
    // RFC 2202 §3 test cases 1 and 2.
    expect(new HmacSha1(Buffer.alloc(20, 0x0b)).digest(Buffer.from('Hi There')).toString('hex')).toBe('b617318655057264e28bc0b6fb378c8ef146be00');
    expect(new HmacSha1(Buffer.from('Jefe')).digest(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });

  it('equals node:crypto for every message length 0..300 and keys of 0, 20 and 64 bytes, reused', () => {
    for (const keyLen of [0, 20, 64]) {
      const key = Buffer.from(Array.from({ length: keyLen }, (_, i) => (i * 7 + 3) & 0xff));
      const h = new HmacSha1(key);
      for (let n = 0; n <= 300; n++) {
        const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff));
        expect(h.digest(data)).toEqual(createHmac('sha1', key).update(data).digest());
      }
    }
  });

  it('keeps instances apart although they share scratch space: interleaved digests under two keys', () => {
    const [ka, kb] = [Buffer.alloc(20, 0xa5), Buffer.alloc(20, 0x5a)];
    const [a, b] = [new HmacSha1(ka), new HmacSha1(kb)];
    for (let n = 0; n < 130; n += 7) {
      const data = Buffer.alloc(n, n);
      expect(a.digest(data)).toEqual(createHmac('sha1', ka).update(data).digest());
      expect(b.digest(data)).toEqual(createHmac('sha1', kb).update(data).digest());
    }
  });

  it('refuses keys longer than a block', () => {
    expect(() => new HmacSha1(Buffer.alloc(65))).toThrow(RangeError);
  });
});
