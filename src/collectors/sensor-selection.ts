import { readSensor, type Execute, type SensorDescriptor } from '@bmc-exporter/ipmi';

/**
 * One sensor per label value: the first in SDR order wins when a BMC lists the
 * same entity instance twice (duplicate records, a second sensor for the same
 * CPU), so there is never a duplicate series. Only full records with an
 * analog reading qualify (bmc_exporter reads full sensor records only).
 */
export function onePerInstance(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  const out = new Map<string, SensorDescriptor>();
  const sorted = [...sensors].filter((s) => s.hasAnalogReading && s.readable && !s.bridged);
  for (const s of sorted) {
    // Table 43-13 note: bit 7 of the instance byte is device-relative vs system-relative; the number is bits 6:0.
    const label = String(s.entityInstance & 0x7f);
    if (!out.has(label)) out.set(label, s);
  }
  return new Map([...out].sort(([a], [b]) => Number(a) - Number(b)));
}

/**
 * Read each chosen sensor (one Get Sensor Reading each) and hand over those
 * with a value; absent/unavailable sensors are skipped (readSensor maps the
 * "not present" completion codes to an unavailable reading), anything else throws.
 */
export async function readEach(
  execute: Execute,
  chosen: Map<string, SensorDescriptor>,
  signal: AbortSignal,
  emit: (label: string, value: number) => void,
): Promise<void> {
  for (const [label, descriptor] of chosen) {
    const r = await readSensor(execute, descriptor, { signal });
    if (r.value !== null && Number.isFinite(r.value)) emit(label, r.value);
  }
}
