/**
 * IPMI v2.0 §35.14 Table 35-15, Get Sensor Reading byte 3:
 * threshold sensors report which thresholds the reading is at or beyond,
 * discrete sensors report asserted states 0-7 (byte 4 [6:0] carries 8-14).
 */

/** Byte 3 bits for threshold sensors. */
export const THRESHOLD_STATUS_BITS = {
  /** at or below lower non-critical */
  lnc: 0x01,
  /** at or below lower critical */
  lc: 0x02,
  /** at or below lower non-recoverable */
  lnr: 0x04,
  /** at or above upper non-critical */
  unc: 0x08,
  /** at or above upper critical */
  uc: 0x10,
  /** at or above upper non-recoverable */
  unr: 0x20,
} as const;

export type ThresholdName = keyof typeof THRESHOLD_STATUS_BITS;

export type ThresholdStatus = Record<ThresholdName, boolean>;

/** Severity of a threshold sensor's reading, worst crossing wins. */
export type ThresholdState = 'ok' | 'non-critical' | 'critical' | 'non-recoverable';

export function thresholdStatus(stateByte: number): ThresholdStatus {
  return {
    lnc: (stateByte & THRESHOLD_STATUS_BITS.lnc) !== 0,
    lc: (stateByte & THRESHOLD_STATUS_BITS.lc) !== 0,
    lnr: (stateByte & THRESHOLD_STATUS_BITS.lnr) !== 0,
    unc: (stateByte & THRESHOLD_STATUS_BITS.unc) !== 0,
    uc: (stateByte & THRESHOLD_STATUS_BITS.uc) !== 0,
    unr: (stateByte & THRESHOLD_STATUS_BITS.unr) !== 0,
  };
}

export function thresholdState(stateByte: number): ThresholdState {
  const s = thresholdStatus(stateByte);
  if (s.lnr || s.unr) return 'non-recoverable';
  if (s.lc || s.uc) return 'critical';
  if (s.lnc || s.unc) return 'non-critical';
  return 'ok';
}

/** Names of the thresholds crossed, most severe first (e.g. ['uc', 'unc']). */
export function crossedThresholds(stateByte: number): ThresholdName[] {
  const order: ThresholdName[] = ['unr', 'lnr', 'uc', 'lc', 'unc', 'lnc'];
  return order.filter((k) => (stateByte & THRESHOLD_STATUS_BITS[k]) !== 0);
}

/** The 15 asserted-state bits of a discrete sensor: byte 3 = states 0-7, byte 4 [6:0] = states 8-14. */
export function discreteStates(stateByte1: number | undefined, stateByte2: number | undefined): number {
  return ((stateByte1 ?? 0) & 0xff) | (((stateByte2 ?? 0) & 0x7f) << 8);
}

/** The offsets (0-14) set in a discrete state word. */
export function assertedOffsets(states: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 15; i++) if (states & (1 << i)) out.push(i);
  return out;
}
