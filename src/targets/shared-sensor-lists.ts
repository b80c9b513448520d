import { createHash } from 'node:crypto';
import type { DeviceId, SensorDescriptor } from '@bmc-exporter/ipmi';

/**
 * One frozen copy of each distinct value in the process, held weakly: a
 * value no target uses any more goes with its last target. Values are equal
 * when every field is (see identity); Buffers inside are compared by their
 * bytes and left unfrozen (a typed array cannot be frozen), so they must not
 * be written to once interned.
 */
export class SharedValues<T extends object> {
  private readonly values = new Map<string, WeakRef<T>>();
  private readonly cleanup = new FinalizationRegistry<string>((key) => {
    if (this.values.get(key)?.deref() === undefined) this.values.delete(key);
  });

  /** The shared value equal to `value` (`value` itself, frozen, when it is the first of its kind). */
  intern(value: T): T {
    const key = identity(value);
    const known = this.values.get(key)?.deref();
    if (known) return known;
    const frozen = deepFreeze(value);
    this.values.set(key, new WeakRef(frozen));
    this.cleanup.register(frozen, key);
    return frozen;
  }

  /** Distinct values alive (tests). */
  get size(): number {
    return this.values.size;
  }
}

/**
 * One copy of each distinct sensor list in the process. A fleet is mostly a
 * few server models, and BMCs of one model and firmware describe the same
 * sensors in the same SDR. A target's own ~40 descriptors (names, keys,
 * conversion and threshold objects) would be most of a warm target's heap, so
 * targets whose lists are equal, field by field, hold the same frozen array, and collectors' per-list selections (perSensorList) are made
 * once for all of them.
 */
export class SharedSensorLists extends SharedValues<readonly SensorDescriptor[]> {}

/**
 * SHA-256 of every field (every descriptor's, for a sensor list), unambiguous: undefined, NaN and
 * ±Infinity are spelled out, not dropped or turned into null. A digest, not
 * the text: a list seen once (BMCs whose SDRs differ) costs 44 bytes of key, not kilobytes.
 */
function identity(value: object): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
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

/**
 * The shared sensor list of an SDR, found by the SDR's bytes: SHA-256 over
 * every record with its length. A target whose records are byte for byte
 * those of one seen before (the same model and firmware) gets that list
 * without decoding its records, building descriptors or computing their
 * identity, which costs more than the digest. Built lists go through
 * `lists`, so SDRs that differ in bytes but describe the same sensors still
 * share one. Held weakly, as the lists are.
 */
export class SensorListsBySdr {
  private readonly byBytes = new Map<string, WeakRef<readonly SensorDescriptor[]>>();
  private readonly cleanup = new FinalizationRegistry<string>((key) => {
    if (this.byBytes.get(key)?.deref() === undefined) this.byBytes.delete(key);
  });

  constructor(private readonly lists: SharedSensorLists) {}

  /** The list for `records`; `build` (which must depend on nothing but those bytes) runs only for bytes not seen before. */
  get(records: readonly Buffer[], build: () => SensorDescriptor[]): readonly SensorDescriptor[] {
    const h = createHash('sha256');
    const length = Buffer.alloc(4);
    for (const r of records) {
      length.writeUInt32LE(r.length);
      h.update(length).update(r);
    }
    const key = h.digest('base64');
    const known = this.byBytes.get(key)?.deref();
    if (known) return known;
    const list = this.lists.intern(build());
    this.byBytes.set(key, new WeakRef(list));
    this.cleanup.register(list, key);
    return list;
  }

  /** Distinct SDRs (by bytes) alive (tests). */
  get size(): number {
    return this.byBytes.size;
  }
}

/** The process's table: a fleet's targets share across the whole pool. */
export const sharedSensorLists = new SharedSensorLists();

/** The process's SDR-bytes index into sharedSensorLists. */
export const sensorListsBySdr = new SensorListsBySdr(sharedSensorLists);

/**
 * Get Device ID answers, shared the same way: BMCs of one model and firmware
 * answer alike (~450 bytes a target with the auxiliary firmware bytes' own
 * Buffer). The GUID, which differs per BMC, is kept apart from it.
 */
export const sharedDeviceIds = new SharedValues<DeviceId>();
