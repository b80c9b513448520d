import { describe, expect, it } from 'vitest';
import { md2 } from './md2.js';

// RFC 1319 appendix A.5 test suite (the 80-byte input is an exact block multiple,
// so it also covers the full 16-byte pad block).
const VECTORS: Array<[string, string]> = [
  ['', '8350e5a3e24c153df2275c9f80692773'],
  ['a', '32ec01ec4a6dac72c0ab96fb34c0b5d1'],
  ['abc', 'da853b0d3f88d99b30283a69e6ded6bb'],
  ['message digest', 'ab4f496bfb2a530b219ff33031fe06b0'],
  ['abcdefghijklmnopqrstuvwxyz', '4e8ddff3650292ab5a4108c3aa47940b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'da33def2a42df13975352846c30338cd'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'd5976f79d83d3a0dc9806c3c66f3efd8'],
];

describe('md2', () => {
  it.each(VECTORS)('MD2(%j)', (input, digest) => {
    expect(md2(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });
});
