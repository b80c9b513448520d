import { describe, expect, it } from 'vitest';
import { encodeBcdPlus, encodeSixBitAscii } from '../codec/packed-text.js';
import { ByteReader } from '../codec/reader.js';
import { decodeIdString, idStringLength, idStringType, readIdString } from './id-string.js';

describe('SDR ID strings (§43.15)', () => {
  it.each([
    ['8-bit ASCII (11b)', 0xc8, Buffer.from('CPU Temp'), 'CPU Temp'],
    ['8-bit Latin-1 (11b)', 0xc4, Buffer.from([0x54, 0xe9, 0x6d, 0x70]), 'T\u00e9mp'],
    ['type 00b is 8-bit ASCII on real BMCs (peers.md)', 0x05, Buffer.from('Fan 1'), 'Fan 1'],
    ['trailing spaces and NULs trimmed', 0xc8, Buffer.from('PSU1  \0\0'), 'PSU1'],
    ['text after a NUL ignored', 0xc8, Buffer.from('Temp\0xyz'), 'Temp'],
    ['empty', 0xc0, Buffer.alloc(0), ''],
  ])('%s', (_name, tl, bytes, want) => {
    expect(decodeIdString(tl, bytes)).toBe(want);
  });

  it('6-bit packed ASCII (10b) via the codec', () => {
    const packed = encodeSixBitAscii('SYS FAN');
    expect(decodeIdString(0x80 | packed.length, packed)).toBe('SYS FAN');
  });

  it('BCD plus (01b) via the codec', () => {
    const bcd = encodeBcdPlus('12-34');
    expect(decodeIdString(0x40 | bcd.length, bcd).startsWith('12-34')).toBe(true);
  });

  it('splits the type/length byte', () => {
    expect(idStringType(0xc8)).toBe('latin1');
    expect(idStringType(0x88)).toBe('six-bit-ascii');
    expect(idStringType(0x48)).toBe('bcd-plus');
    expect(idStringType(0x08)).toBe('unicode');
    expect(idStringLength(0xdf)).toBe(31);
    expect(idStringLength(0xe3)).toBe(3); // bit 5 reserved
  });

  it('readIdString consumes the type/length byte and clamps the length', () => {
    const r = new ByteReader(Buffer.from([0xcf, 0x41, 0x42]));
    expect(readIdString(r)).toEqual({ idStringTypeLength: 0xcf, name: 'AB' });
    expect(r.remaining).toBe(0);
    expect(readIdString(new ByteReader(Buffer.alloc(0)))).toEqual({ idStringTypeLength: 0, name: '' });
  });
});
