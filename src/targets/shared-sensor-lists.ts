import { createHash } from 'node:crypto';
import type { SensorDescriptor } from '@bmc-exporter/ipmi';

/**
 * One copy of each distinct sensor list in the process. A fleet is mostly a
 * few server models, and BMCs of one model and firmware describe the same
 * sensors in the same SDR. A target's own ~40 descriptors (names, keys,
 * conversion and threshold objects) would be most of a warm target's heap, so
 * targets whose lists are equal, field by field, hold the same frozen array, and collectors' per-list selections (perSensorList) are made
 * once for all of them. Lists are held weakly: one no target uses any more
 * goes with its last target.
 */
export class SharedSensorLists {
  private readonly lists = new Map<string, WeakRef<readonly SensorDescriptor[]>>();
  private readonly cleanup = new FinalizationRegistry<string>((key) => {
    if (this.lists.get(key)?.deref() === undefined) this.lists.delete(key);
  });

  /** The shared list equal to `sensors` (`sensors` itself, frozen, when it is the first of its kind). */
  intern(sensors: readonly SensorDescriptor[]): readonly SensorDescriptor[] {
    const key = identity(sensors);
    const known = this.lists.get(key)?.deref();
    if (known) return known;
    const list = deepFreeze(sensors);
    this.lists.set(key, new WeakRef(list));
    this.cleanup.register(list, key);
    return list;
  }

  /** Distinct lists alive (tests). */
  get size(): number {
    return this.lists.size;
  }
}

/**
 * SHA-256 of every field of every descriptor, unambiguous: undefined, NaN and
 * ±Infinity are spelled out, not dropped or turned into null. A digest, not
 * the text: a list seen once (BMCs whose SDRs differ) costs 44 bytes of key, not kilobytes.
 */
function identity(sensors: readonly SensorDescriptor[]): string {
  const text = JSON.stringify(sensors, (_k, v: unknown) =>
    v === undefined ? '\u0000undefined' : typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v,
  );
  return createHash('sha256').update(text).digest('base64');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The process's table: a fleet's targets share across the whole pool. */
export const sharedSensorLists = new SharedSensorLists();
