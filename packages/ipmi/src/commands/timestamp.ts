/**
 * IPMI v2.0 §37 (Timestamp Format): a 32-bit little-endian count of seconds
 * since 1970-01-01 UTC. 0xFFFFFFFF means "unspecified" (SDR/SEL info, §33.9,
 * §31.2) and values up to 0x20000000 count seconds since the controller
 * initialised rather than since the epoch.
 */

/** Wire value for "unspecified / never". */
export const TIMESTAMP_UNSPECIFIED = 0xffffffff;

/** Largest value that is relative to controller initialisation, not the epoch (§37). */
export const TIMESTAMP_PRE_INIT_MAX = 0x20000000;

/** Seconds since the epoch, or null when the BMC says "unspecified". */
export function decodeTimestamp(raw: number): number | null {
  return raw === TIMESTAMP_UNSPECIFIED ? null : raw;
}
