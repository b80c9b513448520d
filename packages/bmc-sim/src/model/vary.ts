import { createHash } from 'node:crypto';
import { deriveLinear, resolution } from './conversion.js';
import type { BmcDefinition, SensorDefinition } from './definition.js';

/** mulberry32: a small, fast, seedable PRNG; good enough to make BMCs differ, not for anything secret. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The conversion factors of the model, written into the sensor. Left to be
 * derived, they would come from each variant's jittered value (a fan or PSU
 * sensor without upper thresholds takes its range from the value), so BMCs
 * of one model would describe the same sensor with different M and R_exp in
 * their SDRs — as no firmware does: factors are fixed per model, only
 * readings move.
 */
function pinConversion(s: SensorDefinition): SensorDefinition {
  if (s.m !== undefined || s.value === undefined) return s;
  const f = deriveLinear(s);
  return { ...s, m: f.m, b: f.b, bExp: f.bExp, rExp: f.rExp, analogFormat: s.analogFormat ?? (f.signed ? 'twos-complement' : 'unsigned') };
}

/** Moves a threshold sensor's value by up to ±8% while staying strictly inside its non-critical band. */
function jitter(s: SensorDefinition, r: () => number): SensorDefinition {
  if (s.value === undefined) return s;
  const t = s.thresholds ?? {};
  const lo = t.lnc ?? t.lcr ?? t.lnr ?? -Infinity;
  const hi = t.unc ?? t.ucr ?? t.unr ?? Infinity;
  const span = Math.abs(s.value) * 0.08;
  let v = s.value + (r() * 2 - 1) * span;
  // Stay more than one raw step clear of a threshold, so rounding to the raw byte cannot cross it.
  const step = resolution(deriveLinear(s));
  const margin = Math.max(Number.isFinite(hi - lo) ? (hi - lo) * 0.05 : 0, 1.5 * step);
  // Whole-number sensors with whole steps (temperatures, RPM) stay whole; others keep 3 decimals.
  v = Number.isInteger(s.value) && step >= 1 ? Math.round(v) : Math.round(v * 1000) / 1000;
  v = Math.min(hi - margin, Math.max(lo + margin, v));
  return { ...s, value: v };
}

function serial(base: unknown, tag: string): string | undefined {
  if (typeof base !== 'string') return undefined;
  return `${base.slice(0, Math.max(0, base.length - 6))}${tag}`;
}

/**
 * A per-BMC variant of a definition: sensor values jittered within their
 * thresholds, DCMI numbers moved, GUID and FRU serials derived from the seed;
 * the SDR's description of each sensor (conversion, thresholds, names) stays the model's.
 * The same (definition, seed) always gives the same result.
 */
export function varyDefinition(def: BmcDefinition, seed: number): BmcDefinition {
  const r = rng(seed ^ 0x9e3779b9);
  const digest = createHash('sha256').update(`${def.guid}/${seed}`).digest();
  // RFC 4122 version 4 / variant bits, so ipmitool prints it as a proper GUID.
  digest[6] = (digest[6]! & 0x0f) | 0x40;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const h = digest.subarray(0, 16).toString('hex');
  const guid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  const tag = (seed >>> 0).toString(16).toUpperCase().padStart(6, '0').slice(-6);
  const out: BmcDefinition = { ...def, guid, sensors: def.sensors.map((s) => jitter(pinConversion(s), r)) };
  if (def.fru) {
    const f = def.fru;
    out.fru = {
      ...(f.board ? { board: { ...f.board, ...(serial(f.board.serialNumber, tag) ? { serialNumber: serial(f.board.serialNumber, tag)! } : {}) } } : {}),
      ...(f.product
        ? { product: { ...f.product, ...(serial(f.product.serialNumber, tag) ? { serialNumber: serial(f.product.serialNumber, tag)! } : {}) } }
        : {}),
      ...(f.chassis
        ? { chassis: { ...f.chassis, ...(serial(f.chassis.serialNumber, tag) ? { serialNumber: serial(f.chassis.serialNumber, tag)! } : {}) } }
        : {}),
    };
  }
  if (typeof def.dcmi === 'object') {
    const p = def.dcmi.powerWatts;
    const k = 0.9 + r() * 0.2;
    const w = (x: number) => Math.max(0, Math.round(x * k));
    out.dcmi = { ...def.dcmi, powerWatts: { current: w(p.current), min: w(p.min), max: w(p.max), average: w(p.average) } };
  }
  return out;
}
