import type { SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';
import type { CollectContext } from './collector.js';

/** Table 43-13 note: bit 7 of the instance byte is device-relative vs system-relative; the number is bits 6:0. */
export const instanceNumber = (s: SensorDescriptor): number => s.entityInstance & 0x7f;

/** A sensor we can ask for a reading ourselves: not event-only, not behind another controller. */
export const isReadable = (s: SensorDescriptor): boolean => s.readable && !s.bridged;

/**
 * One sensor per label value: the first in SDR order wins when a BMC lists the
 * same entity instance twice (duplicate records, a second sensor for the same
 * CPU), so there is never a duplicate series. Only full records with an
 * analog reading qualify (bmc_exporter reads full sensor records only).
 */
export function onePerInstance(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  const out = new Map<string, SensorDescriptor>();
  for (const s of sensors) {
    if (!s.hasAnalogReading || !isReadable(s)) continue;
    const label = String(instanceNumber(s));
    if (!out.has(label)) out.set(label, s);
  }
  return new Map([...out].sort(([a], [b]) => Number(a) - Number(b)));
}

/**
 * Sensor-name labels, one per physical sensor, in SDR order. `group` gives the
 * series' other labels (e.g. the sensor type), so only sensors that would
 * share a whole label set are compared:
 * - same name on the same entity (id and instance) is the same sensor listed
 *   twice (duplicate or overlapping SDR records): the first in SDR order wins;
 * - same name on different entities is different hardware (Dell names both
 *   CPU temperatures "Temp", on entities 3.1 and 3.2): each gets the entity
 *   appended as ipmitool prints it, "Temp (3.1)" and "Temp (3.2)", so neither
 *   is lost and the labels do not depend on which one the SDR lists first.
 * A nameless sensor is labelled by its number ("0x1f").
 */
export function labelledSensors(
  sensors: readonly SensorDescriptor[],
  group: (s: SensorDescriptor) => string = () => '',
): Array<{ label: string; sensor: SensorDescriptor }> {
  const nameOf = (s: SensorDescriptor) => s.name || `0x${s.number.toString(16).padStart(2, '0')}`;
  const entityOf = (s: SensorDescriptor) => `${s.entityId}.${instanceNumber(s)}`;
  const firstPerEntity = new Map<string, Map<string, SensorDescriptor>>();
  const kept: SensorDescriptor[] = [];
  for (const s of sensors) {
    const k = `${group(s)}\u0000${nameOf(s)}`;
    let entities = firstPerEntity.get(k);
    if (!entities) firstPerEntity.set(k, (entities = new Map()));
    if (entities.has(entityOf(s))) continue;
    entities.set(entityOf(s), s);
    kept.push(s);
  }
  const out: Array<{ label: string; sensor: SensorDescriptor }> = [];
  const taken = new Set<string>();
  for (const s of kept) {
    const clash = firstPerEntity.get(`${group(s)}\u0000${nameOf(s)}`)!.size > 1;
    const label = clash ? `${nameOf(s)} (${entityOf(s)})` : nameOf(s);
    // A sensor literally named like a disambiguated one: first in SDR order keeps the label.
    if (taken.has(`${group(s)}\u0000${label}`)) continue;
    taken.add(`${group(s)}\u0000${label}`);
    out.push({ label, sensor: s });
  }
  return out;
}

/**
 * Read each chosen sensor (through the scrape's reading cache) and hand over
 * those with a value; absent/unavailable sensors are skipped (readSensor maps
 * the "not present" completion codes to an unavailable reading), anything else throws.
 */
export async function readEach(
  ctx: Pick<CollectContext, 'readSensor'>,
  chosen: Iterable<readonly [string, SensorDescriptor]>,
  emit: (label: string, value: number, reading: SensorReading) => void,
): Promise<void> {
  for (const [label, descriptor] of chosen) {
    const r = await ctx.readSensor(descriptor);
    if (r.value !== null && Number.isFinite(r.value)) emit(label, r.value, r);
  }
}
