/**
 * IPMI v2.0 §36.3 sensor reading conversion:
 *   y = L[(M * x + B * 10^B_exp) * 10^R_exp]
 * where x is the raw reading interpreted per the analog data format (full
 * SDR byte 21 [7:6], Table 43-1) and L the linearization function (byte 24,
 * Table 43-1 "Linearization").
 */

/** Full SDR byte 21 bits [7:6]. */
export const ANALOG_FORMATS = {
  /** unsigned */
  0: 'unsigned',
  /** 1's complement (signed) */
  1: 'ones-complement',
  /** 2's complement (signed) */
  2: 'twos-complement',
  /** no analog reading: the sensor is discrete-only */
  3: 'none',
} as const;

export type AnalogFormat = (typeof ANALOG_FORMATS)[keyof typeof ANALOG_FORMATS];

/** Full SDR byte 24 [6:0]: linearization functions. 0x70-0x7F are non-linear (factors per reading). */
export const LINEARIZATIONS = {
  /** y = x */
  0x00: 'linear',
  0x01: 'ln',
  0x02: 'log10',
  0x03: 'log2',
  0x04: 'e',
  0x05: 'exp10',
  0x06: 'exp2',
  /** 1/x */
  0x07: '1/x',
  0x08: 'sqr',
  0x09: 'cube',
  0x0a: 'sqrt',
  /** x^(1/3), written "cube^-1" in the spec */
  0x0b: 'cube-root',
} as const;

/** First linearization code meaning "non-linear: ask Get Sensor Reading Factors". */
export const NON_LINEAR_MIN = 0x70;
export const NON_LINEAR_MAX = 0x7f;

export interface ConversionFactors {
  analogFormat: AnalogFormat;
  /** 10-bit signed. */
  m: number;
  /** 10-bit signed. */
  b: number;
  /** 4-bit signed. */
  bExp: number;
  /** 4-bit signed. */
  rExp: number;
  /** Linearization code (Table 43-1), bit 7 ignored. */
  linearization: number;
}

/** The raw byte as a number per the analog format; null when the sensor has no analog reading. */
export function rawToSigned(raw: number, format: AnalogFormat): number | null {
  const x = raw & 0xff;
  switch (format) {
    case 'unsigned':
      return x;
    case 'ones-complement':
      // 0xFF is -0; 0x80 is -127.
      return x & 0x80 ? 0 - (~x & 0x7f) || 0 : x;
    case 'twos-complement':
      return x & 0x80 ? x - 0x100 : x;
    case 'none':
      return null;
  }
}

function linearize(code: number, v: number): number {
  switch (code) {
    case 0x00:
      return v;
    case 0x01:
      return Math.log(v);
    case 0x02:
      return Math.log10(v);
    case 0x03:
      return Math.log2(v);
    case 0x04:
      return Math.exp(v);
    case 0x05:
      return 10 ** v;
    case 0x06:
      return 2 ** v;
    case 0x07:
      return 1 / v;
    case 0x08:
      return v * v;
    case 0x09:
      return v * v * v;
    case 0x0a:
      return Math.sqrt(v);
    case 0x0b:
      return Math.cbrt(v);
    default:
      return Number.NaN;
  }
}

/**
 * Removes binary floating-point noise from the decimal scaling (0.1 * 3 is
 * 0.30000000000000004): the result has at most 15 significant digits, which
 * is more than any 8-bit reading with 10-bit factors carries.
 */
function tidy(v: number): number {
  if (v === 0) return 0; // no -0 in output
  return Number.isFinite(v) ? Number.parseFloat(v.toPrecision(15)) : v;
}

/** 10^e, exact for the 4-bit exponents (|e| <= 8): scaling by a negative exponent divides by 10^-e, as 10^-2 is inexact and /100 is better. */
function scale(v: number, e: number): number {
  return e >= 0 ? v * 10 ** e : v / 10 ** -e;
}

/**
 * Integers below this (in magnitude) are written with at most 15
 * significant digits, so tidy() gives them back unchanged; they are also
 * below 2^53, so every integer up to here is exact.
 */
const TIDY_EXACT_BELOW = 1e15;

/**
 * The linear result when it is exactly what tidy() would make of it, without
 * tidy()'s decimal round trip (toPrecision and parseFloat: most of the
 * conversion's cost, paid on every reading of every scrape); undefined when
 * tidy() is needed. With B_exp >= 0, M * x + B * 10^B_exp is an integer
 * well below 2^53 (|M|, |B| <= 512, |x| <= 255, B_exp <= 7), so exact.
 * R_exp >= 0: the product is an exact integer while below TIDY_EXACT_BELOW,
 * which tidy() keeps as it is. R_exp < 0: the quotient of that integer (at
 * most 10 digits) by the exact 10^-R_exp is the double nearest the decimal
 * n / 10^-R_exp, which has at most 10 significant digits; that decimal is
 * what toPrecision(15) writes for the double, and parseFloat reads it back
 * to the same double: tidy() returns it unchanged. (conversion.test.ts
 * checks both paths agree over every raw byte and a grid of factors.)
 * B_exp < 0 scales B inexactly before the sum, a second rounding: tidy().
 */
function exactLinear(x: number, m: number, b: number, bExp: number, rExp: number): number | undefined {
  if (bExp < 0) return undefined;
  const n = m * x + b * 10 ** bExp;
  // + 0: a -0 is written 0, as tidy() does.
  if (rExp < 0) return n / 10 ** -rExp + 0;
  const y = n * 10 ** rExp;
  return y < TIDY_EXACT_BELOW && y > -TIDY_EXACT_BELOW ? y + 0 : undefined;
}

/**
 * Converts a raw 8-bit reading. Returns null for discrete-only sensors
 * (analog format 'none'), for non-linear sensors (0x70-0x7F) unless the
 * caller passes the factors from Get Sensor Reading Factors (then treated as
 * linear), for reserved linearization codes, and for results that are not
 * finite numbers (ln of a non-positive value, 1/0).
 */
export function convertReading(raw: number, f: ConversionFactors, readingFactors?: Pick<ConversionFactors, 'm' | 'b' | 'bExp' | 'rExp'>): number | null {
  const x = rawToSigned(raw, f.analogFormat);
  if (x === null) return null;
  const code = f.linearization & 0x7f;
  let factors: Pick<ConversionFactors, 'm' | 'b' | 'bExp' | 'rExp'> = f;
  if (code >= NON_LINEAR_MIN && code <= NON_LINEAR_MAX) {
    if (!readingFactors) return null;
    factors = readingFactors;
  } else if (code !== 0x00) {
    return convertReadingGeneral(x, code, factors);
  }
  // Linear (or non-linear with this reading's factors, then linear too): most sensors.
  return exactLinear(x, factors.m, factors.b, factors.bExp, factors.rExp) ?? convertReadingGeneral(x, 0x00, factors);
}

/**
 * The conversion of a signed reading `x` by any linearization `code`, its
 * result tidied: what convertReading() returns when exactLinear() does not
 * apply. Exported for the test that compares the two paths.
 */
export function convertReadingGeneral(x: number, code: number, factors: Pick<ConversionFactors, 'm' | 'b' | 'bExp' | 'rExp'>): number | null {
  const linear = scale(factors.m * x + scale(factors.b, factors.bExp), factors.rExp);
  const y = linearize(code, linear);
  return Number.isFinite(y) ? tidy(y) : null;
}
