import type { ByteReader } from '../codec/reader.js';
import { decodeBcdPlus, decodeSixBitAscii } from '../codec/packed-text.js';

/**
 * IPMI v2.0 §43.15 type/length byte: [7:6] encoding, [5] reserved,
 * [4:0] length in bytes (0-31, so ID strings are at most 16 chars on most
 * BMCs but up to 31 bytes on the wire).
 */
export const ID_STRING_TYPES = {
  /** 00b: nominally Unicode, in practice 8-bit ASCII on many BMCs (peers.md), so read as Latin-1 */
  0: 'unicode',
  /** 01b: BCD plus */
  1: 'bcd-plus',
  /** 10b: 6-bit packed ASCII */
  2: 'six-bit-ascii',
  /** 11b: 8-bit ASCII + Latin-1 */
  3: 'latin1',
} as const;

export type IdStringType = (typeof ID_STRING_TYPES)[keyof typeof ID_STRING_TYPES];

export function idStringType(typeLength: number): IdStringType {
  return ID_STRING_TYPES[((typeLength >> 6) & 0x03) as 0 | 1 | 2 | 3];
}

export function idStringLength(typeLength: number): number {
  return typeLength & 0x1f;
}

/**
 * Decodes ID string bytes per the type in the type/length byte. 8-bit strings
 * end at the first NUL (C tools print them with %s, so BMC padding after a
 * NUL never shows there either); trailing spaces and NULs are trimmed.
 */
export function decodeIdString(typeLength: number, bytes: Buffer): string {
  let s: string;
  switch (idStringType(typeLength)) {
    case 'bcd-plus':
      s = decodeBcdPlus(bytes);
      break;
    case 'six-bit-ascii':
      s = decodeSixBitAscii(bytes);
      break;
    case 'unicode':
    case 'latin1': {
      const nul = bytes.indexOf(0);
      s = (nul < 0 ? bytes : bytes.subarray(0, nul)).toString('latin1');
      break;
    }
  }
  return s.replace(/[\s\0]+$/u, '');
}

/**
 * Reads a type/length byte and its string from an SDR body. A length running
 * past the record end is clamped to what is there: BMCs get the length wrong
 * more often than the string, and a name is better than a dropped sensor.
 */
export function readIdString(r: ByteReader): { idStringTypeLength: number; name: string } {
  if (r.remaining === 0) return { idStringTypeLength: 0, name: '' };
  const tl = r.u8('ID string type/length');
  const n = Math.min(idStringLength(tl), r.remaining);
  return { idStringTypeLength: tl, name: decodeIdString(tl, r.bytes(n, 'ID string')) };
}
