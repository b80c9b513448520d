import { ENTITY_IDS, SENSOR_TYPES, UNITS } from '@bmc-exporter/ipmi';

/**
 * Name lookups for definitions: slugs of the library's own tables (so a
 * definition says 'power-supply' and the SDR says 0x0A with no second
 * table to drift), plus a few short aliases people actually type.
 */

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function slugTable(table: Record<number, string>, aliases: Record<string, number>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [code, name] of Object.entries(table)) {
    const s = slug(name);
    if (!m.has(s)) m.set(s, Number(code)); // first code wins (0x37 Air Inlet over DCMI's 0x40)
  }
  for (const [k, v] of Object.entries(aliases)) m.set(k, v);
  return m;
}

/** Short names for the sensor types definitions use most. */
const SENSOR_TYPE_ALIASES: Record<string, number> = {
  'other-units': 0x0b,
  other: 0x0b,
  'chassis-intrusion': 0x05,
  'system-acpi-power-state': 0x22,
};

/** Short names for common entities (Table 43-13). */
const ENTITY_ALIASES: Record<string, number> = {
  fan: 0x1d,
  'cooling-device': 0x1d,
  'memory-module': 0x08,
  'memory-device': 0x20,
  dimm: 0x20,
  bmc: 0x06,
  'system-management-module': 0x06,
  chassis: 0x17,
  'power-unit': 0x13,
  'add-in-card': 0x0b,
  gpu: 0x0b,
  'disk-bay': 0x04,
  'processor-memory-module': 0x2b,
};

const SENSOR_TYPE_CODES = slugTable(SENSOR_TYPES, SENSOR_TYPE_ALIASES);
const ENTITY_CODES = slugTable(ENTITY_IDS, ENTITY_ALIASES);
const UNIT_CODES = new Map<string, number>(UNITS.map((u, i) => [u.id, i] as const).filter(([id]) => id !== ''));
UNIT_CODES.set('amps', 5);
UNIT_CODES.set('degrees-c', 1);

function lookup(kind: string, table: Map<string, number>, v: number | string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`${kind} code ${v} is not a byte`);
    return v;
  }
  const code = table.get(slug(v));
  if (code === undefined) throw new RangeError(`unknown ${kind} "${v}" (known: ${[...table.keys()].slice(0, 12).join(', ')}, ...)`);
  return code;
}

export const sensorTypeCode = (v: number | string): number => lookup('sensor type', SENSOR_TYPE_CODES, v);
export const entityCode = (v: number | string): number => lookup('entity', ENTITY_CODES, v);

/** Base unit code and percentage flag; 'percent' is the percentage bit over "unspecified". */
export function unitCode(unit: string | undefined): { baseUnit: number; percentage: boolean } {
  if (unit === undefined || unit === '') return { baseUnit: 0, percentage: false };
  if (unit === 'percent') return { baseUnit: 0, percentage: true };
  const code = UNIT_CODES.get(unit) ?? UNIT_CODES.get(unit.toLowerCase());
  if (code === undefined) throw new RangeError(`unknown unit "${unit}"`);
  return { baseUnit: code, percentage: false };
}
