import { rawToSigned, type ReadingFactors } from '@bmc-exporter/ipmi';
import type { SensorDefinition } from './definition.js';

/**
 * Choosing and inverting the §36.3 linear conversion
 *   y = (M * x + B * 10^B_exp) * 10^R_exp
 * for simulated sensors: the model stores engineering values and answers
 * with the raw byte a real BMC would send, so the client's own conversion
 * (packages/ipmi sdr/conversion.ts) gives the value back within one step.
 */
export interface Linear extends Pick<ReadingFactors, 'm' | 'b' | 'bExp' | 'rExp'> {
  /** Two's complement readings (else unsigned). */
  signed: boolean;
}

/** M and B are 10-bit two's complement (Table 43-1 bytes 25-28). */
const M_MAX = 511;

const pow10 = (e: number) => (e >= 0 ? 10 ** e : 1 / 10 ** -e);

/**
 * Factors covering the sensor's values and thresholds with 25% headroom:
 * M = 1 when the values are whole numbers that fit a byte (temperatures),
 * else the smallest step M * 10^R_exp (M in 10..100) that spans the range.
 */
export function deriveLinear(def: SensorDefinition): Linear {
  const values = [def.value, ...Object.values(def.thresholds ?? {})].filter((v): v is number => typeof v === 'number');
  const signed = def.analogFormat === 'twos-complement' || (def.analogFormat === undefined && values.some((v) => v < 0));
  if (def.m !== undefined) {
    return { m: def.m, b: def.b ?? 0, bExp: def.bExp ?? 0, rExp: def.rExp ?? 0, signed };
  }
  const span = signed ? 127 : 255;
  const maxAbs = Math.max(1, ...values.map(Math.abs));
  if (values.every(Number.isInteger) && maxAbs * 1.25 <= span) return { m: 1, b: 0, bExp: 0, rExp: 0, signed };
  const step = (maxAbs * 1.25) / span;
  const rExp = Math.floor(Math.log10(step)) - 1;
  const m = Math.min(M_MAX, Math.ceil(step / pow10(rExp)));
  return { m, b: def.b ?? 0, bExp: def.bExp ?? 0, rExp, signed };
}

/** Nearest raw byte for a value, clamped to the format's range (a pegged sensor, as real ones are). */
export function rawFromValue(value: number, f: Linear): number {
  const x = Math.round((value / pow10(f.rExp) - f.b * pow10(f.bExp)) / f.m);
  const [lo, hi] = f.signed ? [-128, 127] : [0, 255];
  return Math.min(hi, Math.max(lo, x)) & 0xff;
}

/** The raw byte as the signed or unsigned number comparisons use. */
export function rawToNumber(raw: number, f: Linear): number {
  return rawToSigned(raw, f.signed ? 'twos-complement' : 'unsigned') ?? raw;
}

/** Value of one raw step: the resolution the client can see. */
export function resolution(f: Linear): number {
  return Math.abs(f.m) * pow10(f.rExp);
}
