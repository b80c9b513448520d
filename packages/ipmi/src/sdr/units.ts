/**
 * IPMI v2.0 §43.17 Table 43-15: sensor unit type codes (full SDR bytes 22-23,
 * compact SDR bytes 22-23). `name` is how ipmitool prints the unit, so our
 * output can be compared with `ipmitool sdr`; `id` is a stable lowercase
 * identifier for metric names and JSON.
 */
export const UNITS = [
  /* 0 */ { id: '', name: 'unspecified' },
  { id: 'celsius', name: 'degrees C' },
  { id: 'fahrenheit', name: 'degrees F' },
  { id: 'kelvin', name: 'degrees K' },
  { id: 'volts', name: 'Volts' },
  /* 5 */ { id: 'amperes', name: 'Amps' },
  { id: 'watts', name: 'Watts' },
  { id: 'joules', name: 'Joules' },
  { id: 'coulombs', name: 'Coulombs' },
  { id: 'volt_amperes', name: 'VA' },
  /* 10 */ { id: 'nits', name: 'Nits' },
  { id: 'lumens', name: 'lumen' },
  { id: 'lux', name: 'lux' },
  { id: 'candelas', name: 'Candela' },
  { id: 'kilopascals', name: 'kPa' },
  /* 15 */ { id: 'psi', name: 'PSI' },
  { id: 'newtons', name: 'Newton' },
  { id: 'cfm', name: 'CFM' },
  { id: 'rpm', name: 'RPM' },
  { id: 'hertz', name: 'Hz' },
  /* 20 */ { id: 'microseconds', name: 'microsecond' },
  { id: 'milliseconds', name: 'millisecond' },
  { id: 'seconds', name: 'second' },
  { id: 'minutes', name: 'minute' },
  { id: 'hours', name: 'hour' },
  /* 25 */ { id: 'days', name: 'day' },
  { id: 'weeks', name: 'week' },
  { id: 'mils', name: 'mil' },
  { id: 'inches', name: 'inches' },
  { id: 'feet', name: 'feet' },
  /* 30 */ { id: 'cubic_inches', name: 'cu in' },
  { id: 'cubic_feet', name: 'cu feet' },
  { id: 'millimeters', name: 'mm' },
  { id: 'centimeters', name: 'cm' },
  { id: 'meters', name: 'm' },
  /* 35 */ { id: 'cubic_centimeters', name: 'cu cm' },
  { id: 'cubic_meters', name: 'cu m' },
  { id: 'liters', name: 'liters' },
  { id: 'fluid_ounces', name: 'fluid ounce' },
  { id: 'radians', name: 'radians' },
  /* 40 */ { id: 'steradians', name: 'steradians' },
  { id: 'revolutions', name: 'revolutions' },
  { id: 'cycles', name: 'cycles' },
  { id: 'gravities', name: 'gravities' },
  { id: 'ounces', name: 'ounce' },
  /* 45 */ { id: 'pounds', name: 'pound' },
  { id: 'foot_pounds', name: 'ft-lb' },
  { id: 'ounce_inches', name: 'oz-in' },
  { id: 'gauss', name: 'gauss' },
  { id: 'gilberts', name: 'gilberts' },
  /* 50 */ { id: 'henries', name: 'henry' },
  { id: 'millihenries', name: 'millihenry' },
  { id: 'farads', name: 'farad' },
  { id: 'microfarads', name: 'microfarad' },
  { id: 'ohms', name: 'ohms' },
  /* 55 */ { id: 'siemens', name: 'siemens' },
  { id: 'moles', name: 'mole' },
  { id: 'becquerels', name: 'becquerel' },
  { id: 'ppm', name: 'PPM' },
  { id: 'reserved', name: 'reserved' },
  /* 60 */ { id: 'decibels', name: 'Decibels' },
  { id: 'dba', name: 'DbA' },
  { id: 'dbc', name: 'DbC' },
  { id: 'grays', name: 'gray' },
  { id: 'sieverts', name: 'sievert' },
  /* 65 */ { id: 'color_temperature_kelvin', name: 'color temp deg K' },
  { id: 'bits', name: 'bit' },
  { id: 'kilobits', name: 'kilobit' },
  { id: 'megabits', name: 'megabit' },
  { id: 'gigabits', name: 'gigabit' },
  /* 70 */ { id: 'bytes', name: 'byte' },
  { id: 'kilobytes', name: 'kilobyte' },
  { id: 'megabytes', name: 'megabyte' },
  { id: 'gigabytes', name: 'gigabyte' },
  { id: 'words', name: 'word' },
  /* 75 */ { id: 'dwords', name: 'dword' },
  { id: 'qwords', name: 'qword' },
  { id: 'lines', name: 'line' },
  { id: 'hits', name: 'hit' },
  { id: 'misses', name: 'miss' },
  /* 80 */ { id: 'retries', name: 'retry' },
  { id: 'resets', name: 'reset' },
  { id: 'overflows', name: 'overflow' },
  { id: 'underruns', name: 'underrun' },
  { id: 'collisions', name: 'collision' },
  /* 85 */ { id: 'packets', name: 'packets' },
  { id: 'messages', name: 'messages' },
  { id: 'characters', name: 'characters' },
  { id: 'errors', name: 'error' },
  { id: 'correctable_errors', name: 'correctable error' },
  /* 90 */ { id: 'uncorrectable_errors', name: 'uncorrectable error' },
  { id: 'fatal_errors', name: 'fatal error' },
  { id: 'grams', name: 'grams' },
] as const satisfies readonly { id: string; name: string }[];

/** Table 43-15 entry for a code; codes past the table print as "invalid" (as ipmitool does) rather than throw. */
export function unitInfo(code: number): { id: string; name: string } {
  return UNITS[code] ?? { id: `unit_${code}`, name: 'invalid' };
}

/** Full SDR byte 21 bits [5:3]: the rate the base unit is measured per (Table 43-1). */
export const RATE_UNITS = {
  /** no rate */
  0: '',
  1: 'per microsecond',
  2: 'per millisecond',
  3: 'per second',
  4: 'per minute',
  5: 'per hour',
  6: 'per day',
  /** reserved */
  7: 'per reserved',
} as const;

/** Full SDR byte 21 bits [2:1]: how the modifier unit combines with the base unit. */
export const UNIT_MODIFIERS = {
  /** base unit only */
  0: 'none',
  /** base / modifier, e.g. CFM per fan */
  1: 'divide',
  /** base * modifier */
  2: 'multiply',
  /** reserved */
  3: 'reserved',
} as const;

export type UnitModifier = (typeof UNIT_MODIFIERS)[keyof typeof UNIT_MODIFIERS];

export interface SensorUnits {
  percentage: boolean;
  modifier: UnitModifier;
  rate: number;
  baseUnit: number;
  modifierUnit: number;
}

/**
 * The unit string ipmitool prints for a sensor: "percent" for a percentage of
 * nothing, "% " before a base unit, "base*mod" / "base/mod" with a modifier.
 */
export function unitDisplayName(u: SensorUnits): string {
  const base = unitInfo(u.baseUnit).name;
  const pct = u.percentage ? '% ' : '';
  if (u.modifier === 'multiply') return `${pct}${base}*${unitInfo(u.modifierUnit).name}`;
  if (u.modifier === 'divide') return `${pct}${base}/${unitInfo(u.modifierUnit).name}`;
  if (u.percentage && u.baseUnit === 0) return 'percent';
  return `${pct}${base}`;
}

/** A stable identifier for the unit ('percent' for percentages, '' when unspecified). */
export function unitId(u: SensorUnits): string {
  if (u.percentage) return 'percent';
  const base = unitInfo(u.baseUnit).id;
  if (u.modifier === 'divide' && base) return `${base}_per_${unitInfo(u.modifierUnit).id}`;
  if (u.modifier === 'multiply' && base) return `${base}_${unitInfo(u.modifierUnit).id}`;
  return base;
}
