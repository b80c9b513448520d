import { InvalidArgumentError } from '../errors.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';

/**
 * The two packed character sets IPMI uses in SDR ID strings (IPMI v2.0
 * §43.15, type/length byte) and FRU fields (Platform Management FRU
 * Information Storage Definition v1.0 §13, §13.1).
 */

/**
 * BCD plus: one character per nibble, high nibble first (0x12 reads "12", as
 * a hex dump shows it). IPMI v2.0 §43.15 names 0h-9h digits, Ah space,
 * Bh dash, Ch period; the FRU spec §13.1 leaves Dh-Fh reserved, and ipmitool,
 * FreeIPMI and OpenIPMI all render them ':' ',' '_' — we do too, so that our
 * output matches theirs byte for byte on real FRUs.
 */
export const BCD_PLUS_CHARS = '0123456789 -.:,_' as const;

/**
 * 6-bit packed ASCII: each 6-bit code is an offset from 0x20, so it covers
 * 0x20 (space) .. 0x5F ('_'): upper case, digits and punctuation only.
 */
const SIX_BIT_BASE = 0x20;

export function decodeBcdPlus(bytes: Buffer): string {
  const r = new ByteReader(bytes, 'BCD plus string');
  let out = '';
  while (r.remaining > 0) {
    const b = r.u8('BCD plus byte');
    out += BCD_PLUS_CHARS[b >> 4]! + BCD_PLUS_CHARS[b & 0x0f]!;
  }
  return out;
}

/**
 * FRU spec §13.1: characters are packed LSB first — char 0 is bits 5:0 of
 * byte 0, char 1 takes bits 7:6 of byte 0 as its low bits and bits 3:0 of
 * byte 1 as its high bits, and so on; 3 bytes carry 4 characters. A length
 * that is not a multiple of 3 yields floor(bits / 6) characters; leftover
 * bits are padding and are dropped.
 */
export function decodeSixBitAscii(bytes: Buffer): string {
  const r = new ByteReader(bytes, '6-bit ASCII string');
  let acc = 0; // bit accumulator, oldest bits lowest
  let bits = 0;
  let out = '';
  while (r.remaining > 0) {
    acc |= r.u8('6-bit ASCII byte') << bits;
    bits += 8;
    while (bits >= 6) {
      out += String.fromCharCode(SIX_BIT_BASE + (acc & 0x3f));
      acc >>>= 6;
      bits -= 6;
    }
  }
  return out;
}

/** Inverse of decodeBcdPlus; an odd-length text is padded with a trailing space (Ah). */
export function encodeBcdPlus(text: string): Buffer {
  const codes = [...text].map((ch) => {
    const i = BCD_PLUS_CHARS.indexOf(ch);
    if (i < 0) throw new InvalidArgumentError(`character ${JSON.stringify(ch)} has no BCD plus code`);
    return i;
  });
  if (codes.length % 2 === 1) codes.push(0x0a);
  const w = new ByteWriter(codes.length / 2);
  for (let i = 0; i < codes.length; i += 2) w.u8((codes[i]! << 4) | codes[i + 1]!);
  return w.toBuffer();
}

/**
 * Inverse of decodeSixBitAscii. Lower case is folded to upper case (the set
 * has none); text is padded with spaces to a multiple of 4 characters so the
 * output is whole 3-byte groups, as FRU writers conventionally emit it.
 */
export function encodeSixBitAscii(text: string): Buffer {
  const chars = [...text.toUpperCase()];
  while (chars.length % 4 !== 0) chars.push(' ');
  const w = new ByteWriter((chars.length / 4) * 3);
  let acc = 0;
  let bits = 0;
  for (const ch of chars) {
    const code = ch.charCodeAt(0) - SIX_BIT_BASE;
    if (ch.length !== 1 || code < 0 || code > 0x3f) {
      throw new InvalidArgumentError(`character ${JSON.stringify(ch)} has no 6-bit ASCII code`);
    }
    acc |= code << bits;
    bits += 6;
    while (bits >= 8) {
      w.u8(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  return w.toBuffer();
}
