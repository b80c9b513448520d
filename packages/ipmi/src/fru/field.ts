import { decodeBcdPlus, decodeSixBitAscii, encodeBcdPlus, encodeSixBitAscii } from '../codec/packed-text.js';
import type { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * FRU spec v1.0 §13: every variable field starts with a type/length byte —
 * bits 7:6 type, bits 5:0 length in bytes. 0xC1 (type 11, length 1) ends
 * the field list; 0xC0 is an empty field.
 */
export const FIELD_TYPES = {
  /** 00: binary or unspecified; we show it as hex, as ipmitool does */
  binary: 0,
  /** 01: BCD plus (4 bits per character) */
  bcdPlus: 1,
  /** 10: 6-bit packed ASCII */
  sixBitAscii: 2,
  /** 11: 8-bit ASCII + Latin-1 for English, else 16-bit Unicode */
  text: 3,
} as const;

export type FieldType = keyof typeof FIELD_TYPES;

/** §13: end-of-fields marker. */
export const END_OF_FIELDS = 0xc1;

/** FRU spec §15 (language codes): 0 and 25 both mean English. */
export function isEnglish(languageCode: number): boolean {
  return languageCode === 0 || languageCode === 25;
}

/**
 * Reads one type/length field; undefined at the end marker (or at the end of
 * the area, which sloppy FRUs reach without a marker).
 */
export function readField(r: ByteReader, languageCode: number): string | undefined {
  const tl = r.peek();
  if (tl === undefined || tl === END_OF_FIELDS) return undefined;
  r.u8('type/length');
  const data = r.bytes(tl & 0x3f, 'field data');
  switch (tl >> 6) {
    case FIELD_TYPES.binary:
      return data.toString('hex');
    case FIELD_TYPES.bcdPlus:
      return decodeBcdPlus(data);
    case FIELD_TYPES.sixBitAscii:
      // Packing fills whole 3-byte groups, so short text ends in pad spaces.
      return decodeSixBitAscii(data).trimEnd();
    default:
      // Trailing NULs are padding some vendors use instead of a shorter length.
      return (isEnglish(languageCode) ? data.toString('latin1') : data.toString('utf16le')).replace(/\0+$/, '');
  }
}

/** A field value for the encoder: plain text is written as type 11 (8-bit ASCII/Latin-1). */
export type FieldValue = string | { type: FieldType; value: string };

/** Inverse of readField, for fixtures and the simulated BMC. */
export function writeField(w: ByteWriter, v: FieldValue): void {
  const { type, value } = typeof v === 'string' ? { type: 'text' as const, value: v } : v;
  const data =
    type === 'binary'
      ? Buffer.from(value, 'hex')
      : type === 'bcdPlus'
        ? encodeBcdPlus(value)
        : type === 'sixBitAscii'
          ? encodeSixBitAscii(value)
          : Buffer.from(value, 'latin1');
  if (data.length > 0x3f) throw new InvalidArgumentError(`FRU field is ${data.length} bytes; at most 63 fit`);
  if (type === 'text' && data.length === 1) {
    // §13: type 11 with length 1 would read as the end marker 0xC1.
    throw new InvalidArgumentError('FRU text fields cannot be 1 byte long (it would read as the end marker)');
  }
  w.u8((FIELD_TYPES[type] << 6) | data.length).bytes(data);
}

export function encodeField(v: FieldValue): Buffer {
  const w = new ByteWriter(16);
  writeField(w, v);
  return w.toBuffer();
}
