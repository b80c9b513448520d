import { describe, expect, it } from 'vitest';
import { entityIdName } from './entity-ids.js';
import { eventReadingClass, genericEventStateName } from './event-reading-types.js';
import { UNITS, unitDisplayName, unitId, unitInfo, type SensorUnits } from './units.js';

const u = (over: Partial<SensorUnits>): SensorUnits => ({
  percentage: false,
  modifier: 'none',
  rate: 0,
  baseUnit: 0,
  modifierUnit: 0,
  ...over,
});

describe('units (Table 43-15)', () => {
  it('covers codes 0-92 with ipmitool names', () => {
    expect(UNITS).toHaveLength(93);
    expect(unitInfo(1)).toEqual({ id: 'celsius', name: 'degrees C' });
    expect(unitInfo(4).name).toBe('Volts');
    expect(unitInfo(5).name).toBe('Amps');
    expect(unitInfo(6).name).toBe('Watts');
    expect(unitInfo(18).name).toBe('RPM');
    expect(unitInfo(92).name).toBe('grams');
    expect(unitInfo(93).name).toBe('invalid');
  });

  it.each([
    [u({ baseUnit: 1 }), 'degrees C', 'celsius'],
    [u({ percentage: true }), 'percent', 'percent'],
    [u({ percentage: true, baseUnit: 18 }), '% RPM', 'percent'],
    [u({ baseUnit: 17, modifier: 'divide', modifierUnit: 18 }), 'CFM/RPM', 'cfm_per_rpm'],
    [u({ baseUnit: 6, modifier: 'multiply', modifierUnit: 24 }), 'Watts*hour', 'watts_hours'],
    [u({}), 'unspecified', ''],
  ])('%j -> "%s"', (units, display, id) => {
    expect(unitDisplayName(units)).toBe(display);
    expect(unitId(units)).toBe(id);
  });
});

describe('entity IDs (Table 43-13)', () => {
  it.each([
    [0x03, 'Processor'],
    [0x07, 'System Board'],
    [0x0a, 'Power Supply'],
    [0x1d, 'Fan / Cooling Device'],
    [0x37, 'Air Inlet'],
    [0x42, 'Baseboard / Main System Board'],
    [0x36, 'Reserved (0x36)'],
    [0x95, 'Chassis-specific (0x95)'],
    [0xb0, 'Board-set specific (0xb0)'],
    [0xd1, 'OEM (0xd1)'],
  ])('0x%s -> %s', (code, name) => {
    expect(entityIdName(code)).toBe(name);
  });
});

describe('event/reading types (Tables 42-1, 42-2)', () => {
  it.each([
    [0x00, 'unspecified'],
    [0x01, 'threshold'],
    [0x07, 'generic'],
    [0x0c, 'generic'],
    [0x6f, 'sensor-specific'],
    [0x70, 'oem'],
    [0x81, 'threshold'], // bit 7 (assertion/deassertion in SEL) ignored
    [0x20, 'reserved'],
  ])('0x%s -> %s', (code, cls) => {
    expect(eventReadingClass(code)).toBe(cls);
  });

  it('names generic states', () => {
    expect(genericEventStateName(0x01, 9)).toBe('Upper Critical - going high');
    expect(genericEventStateName(0x08, 1)).toBe('Device Inserted / Device Present');
    expect(genericEventStateName(0x0b, 1)).toBe('Redundancy Lost');
    expect(genericEventStateName(0x6f, 0)).toBeUndefined();
  });
});
