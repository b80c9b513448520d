import { describe, expect, it } from 'vitest';
import { convertReading, convertReadingGeneral, rawToSigned, type ConversionFactors } from './conversion.js';

const f = (over: Partial<ConversionFactors>): ConversionFactors => ({
  analogFormat: 'unsigned',
  m: 1,
  b: 0,
  bExp: 0,
  rExp: 0,
  linearization: 0,
  ...over,
});

describe('rawToSigned (§43.1 byte 21 [7:6])', () => {
  it.each([
    [0x00, 'unsigned', 0],
    [0xff, 'unsigned', 255],
    [0x7f, 'twos-complement', 127],
    [0x80, 'twos-complement', -128],
    [0xff, 'twos-complement', -1],
    [0xf6, 'twos-complement', -10],
    [0xff, 'ones-complement', 0], // -0
    [0xfe, 'ones-complement', -1],
    [0x80, 'ones-complement', -127],
    [0x05, 'ones-complement', 5],
  ] as const)('0x%s as %s -> %s', (raw, format, want) => {
    expect(rawToSigned(raw, format)).toBe(want);
  });

  it('has no value for analog format "none"', () => {
    expect(rawToSigned(0x10, 'none')).toBeNull();
  });
});

describe('convertReading (§36.3)', () => {
  it.each([
    ['temperature, M=1', 0x2d, f({}), 45],
    ['12V rail, M=63 R_exp=-3', 0xbe, f({ m: 63, rExp: -3 }), 11.97],
    ['3.3V rail, M=17 R_exp=-3', 0xc2, f({ m: 17, rExp: -3 }), 3.298],
    ['fan, M=75 (RPM)', 0x50, f({ m: 75 }), 6000],
    ['offset: M=2 B=-40 (B_exp 0)', 0x32, f({ m: 2, b: -40 }), 60],
    ['B_exp scales B: M=1 B=5 B_exp=1 R_exp=-1', 10, f({ b: 5, bExp: 1, rExp: -1 }), 6],
    ["negative temperature, 2's complement", 0xf6, f({ analogFormat: 'twos-complement' }), -10],
    ["1's complement -0", 0xff, f({ analogFormat: 'ones-complement', m: 10 }), 0],
    ['negative M', 0x10, f({ m: -2, b: 100 }), 68],
    ['sqr linearization', 4, f({ linearization: 0x08 }), 16],
    ['cube', 3, f({ linearization: 0x09 }), 27],
    ['sqrt', 81, f({ linearization: 0x0a }), 9],
    ['cube root', 27, f({ linearization: 0x0b }), 3],
    ['1/x', 4, f({ linearization: 0x07 }), 0.25],
    ['exp10', 2, f({ linearization: 0x05 }), 100],
    ['exp2', 10, f({ linearization: 0x06 }), 1024],
    ['log10', 100, f({ linearization: 0x02 }), 2],
    ['log2', 8, f({ linearization: 0x03 }), 3],
    ['ln(e^2) via e then ln', 2, f({ linearization: 0x04 }), Math.exp(2)],
    ['bit 7 of linearization ignored', 5, f({ linearization: 0x80 }), 5],
  ])('%s', (_name, raw, factors, want) => {
    expect(convertReading(raw, factors)).toBeCloseTo(want, 10);
  });

  it('ln', () => {
    expect(convertReading(1, f({ linearization: 0x01 }))).toBe(0);
  });

  it('returns clean decimals (no 0.30000000000000004)', () => {
    expect(convertReading(3, f({ rExp: -1 }))).toBe(0.3);
    expect(convertReading(0xbe, f({ m: 63, rExp: -3 }))).toBe(11.97);
  });

  it('non-linear sensors need reading factors', () => {
    expect(convertReading(0x40, f({ linearization: 0x70 }))).toBeNull();
    expect(convertReading(0x40, f({ linearization: 0x7f }), { m: 2, b: 0, bExp: 0, rExp: -1 })).toBe(12.8);
  });

  it('null for discrete-only, reserved linearization and non-finite results', () => {
    expect(convertReading(1, f({ analogFormat: 'none' }))).toBeNull();
    expect(convertReading(1, f({ linearization: 0x0c }))).toBeNull();
    expect(convertReading(0, f({ linearization: 0x07 }))).toBeNull(); // 1/0
    expect(convertReading(0, f({ linearization: 0x01 }))).toBeNull(); // ln 0
  });
});

describe('convertReading: the linear path without tidying', () => {
  // Every raw byte in every analog format, by a grid of factors around the
  // extremes of their fields (10-bit signed M and B, 4-bit signed exponents):
  // the result must be what the general path (scale, then tidy) gives, to the
  // bit, including 0 rather than -0.
  const FORMATS = ['unsigned', 'ones-complement', 'twos-complement'] as const;
  const MS = [-512, -511, -75, -1, 0, 1, 2, 7, 63, 511];
  const BS = [-512, -40, -1, 0, 1, 5, 511];
  const B_EXPS = [-1, 0, 1, 7];
  const R_EXPS = [-8, -7, -3, -2, -1, 0, 1, 2, 7];

  it('agrees with the general path for every raw value and factor on the grid', () => {
    let cases = 0;
    let mismatches = 0;
    const first: string[] = [];
    for (const analogFormat of FORMATS) {
      for (const m of MS) {
        for (const b of BS) {
          for (const bExp of B_EXPS) {
            for (const rExp of R_EXPS) {
              const factors = f({ analogFormat, m, b, bExp, rExp });
              for (let raw = 0; raw < 256; raw++) {
                cases++;
                const fast = convertReading(raw, factors);
                const general = convertReadingGeneral(rawToSigned(raw, analogFormat)!, 0x00, factors);
                if (!Object.is(fast, general)) {
                  mismatches++;
                  if (first.length < 5) first.push(`${JSON.stringify(factors)} raw ${raw}: ${fast} != ${general}`);
                }
              }
            }
          }
        }
      }
    }
    expect(first).toEqual([]);
    expect(mismatches).toBe(0);
    expect(cases).toBe(3 * MS.length * BS.length * B_EXPS.length * R_EXPS.length * 256);
  });

  it('takes the same path for a non-linear sensor given its reading factors', () => {
    for (const rExp of [-3, 0, 2]) {
      for (let raw = 0; raw < 256; raw++) {
        const rf = { m: 17, b: -3, bExp: 1, rExp };
        expect(convertReading(raw, f({ linearization: 0x70 }), rf)).toBe(convertReadingGeneral(raw, 0x00, rf));
      }
    }
  });

  it('gives the decimal value where the general path is taken: results past 10^15, B scaled down', () => {
    // 511 * 255 + 511 * 10^7 = 5,110,130,305, times 10^7: past 2^53, tidied as before.
    expect(convertReading(255, f({ m: 511, b: 511, bExp: 7, rExp: 7 }))).toBe(51101303050000000);
    expect(convertReading(3, f({ b: 1, bExp: -1 }))).toBe(3.1);
    expect(convertReading(0, f({ m: -5 }))).toBe(0);
    expect(Object.is(convertReading(0, f({ m: -5 })), -0)).toBe(false);
  });
});
