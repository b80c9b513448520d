import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { decodeBcdPlus, decodeSixBitAscii, encodeBcdPlus, encodeSixBitAscii } from './packed-text.js';

describe('decodeSixBitAscii', () => {
  // "IPMI": codes I=0x29 P=0x30 M=0x2D I=0x29 (char - 0x20), packed LSB first:
  //   byte0 = P[1:0]<<6 | I        = 00_101001 = 0x29
  //   byte1 = M[3:0]<<4 | P[5:2]   = 1101_1100 = 0xDC
  //   byte2 = I<<2      | M[5:4]   = 101001_10 = 0xA6
  // This is the worked example in the FRU spec §13.1.
  const cases: Array<[string, number[], string]> = [
    ['FRU spec example', [0x29, 0xdc, 0xa6], 'IPMI'],
    ['two bytes: 16 bits give two characters', [0x29, 0xdc], 'IP'],
    ['one byte gives one character', [0x29], 'I'],
    ['all-zero codes are spaces', [0x00, 0x00, 0x00], '    '],
    // '_' is code 0x3F; four of them fill all 24 bits.
    ['top of the table', [0xff, 0xff, 0xff], '____'],
    // "A1" + two pad spaces: A=0x21, '1'=0x11 -> 0x61, 0x04, 0x00
    ['digits and padding', [0x61, 0x04, 0x00], 'A1  '],
    ['empty', [], ''],
  ];
  it.each(cases)('%s', (_name, bytes, text) => {
    expect(decodeSixBitAscii(Buffer.from(bytes))).toBe(text);
  });

  it('decodes six bytes as eight characters', () => {
    expect(decodeSixBitAscii(Buffer.from([0x29, 0xdc, 0xa6, 0x29, 0xdc, 0xa6]))).toBe('IPMIIPMI');
  });
});

describe('decodeBcdPlus', () => {
  const cases: Array<[string, number[], string]> = [
    ['high nibble first', [0x12, 0x34], '1234'],
    ['every code', [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef], '0123456789 -.:,_'],
    ['a date-like serial', [0x20, 0x24, 0xb0, 0x7b, 0x15], '2024-07-15'],
    ['empty', [], ''],
  ];
  it.each(cases)('%s', (_name, bytes, text) => {
    expect(decodeBcdPlus(Buffer.from(bytes))).toBe(text);
  });
});

describe('encoders round-trip', () => {
  it.each(['IPMI', 'ACME CORP', 'SN-0042/7', 'A', ''])('6-bit %j', (text) => {
    const enc = encodeSixBitAscii(text);
    expect(enc.length).toBe(Math.ceil(text.length / 4) * 3);
    expect(decodeSixBitAscii(enc).trimEnd()).toBe(text);
  });

  it('6-bit folds lower case and encodes the spec example', () => {
    expect(encodeSixBitAscii('ipmi')).toEqual(Buffer.from([0x29, 0xdc, 0xa6]));
  });

  it.each(['1234', '12-34.56', '0123456789 -.:,_'])('BCD plus %j', (text) => {
    expect(decodeBcdPlus(encodeBcdPlus(text))).toBe(text);
  });

  it('BCD plus pads an odd length with a space', () => {
    expect(encodeBcdPlus('123')).toEqual(Buffer.from([0x12, 0x3a]));
  });

  it('rejects characters outside each set', () => {
    expect(() => encodeSixBitAscii('a~b')).toThrow(InvalidArgumentError);
    expect(() => encodeSixBitAscii('é')).toThrow(InvalidArgumentError);
    expect(() => encodeBcdPlus('12a')).toThrow(InvalidArgumentError);
  });
});
