import { describe, expect, it } from 'vitest';
import { aesCbcDecrypt, aesCbcEncrypt } from './rmcpplus-crypto.js';

const k2 = Buffer.alloc(20, 0x33);
const iv = Buffer.alloc(16, 0x44);

describe('AES-CBC-128 full-block pad (simulated vendor quirk)', () => {
  it('pads 16 where the spec pads 0, and the decoder still reads it', () => {
    const payload = Buffer.alloc(15, 0x42);
    expect(aesCbcEncrypt(k2, iv, payload).length).toBe(16 + 16);
    const quirky = aesCbcEncrypt(k2, iv, payload, true);
    expect(quirky.length).toBe(16 + 32);
    expect(aesCbcDecrypt(k2, quirky)).toEqual(payload);
  });

  it('leaves other lengths as the spec has them', () => {
    const payload = Buffer.alloc(20, 0x42);
    expect(aesCbcEncrypt(k2, iv, payload, true)).toEqual(aesCbcEncrypt(k2, iv, payload));
  });
});
