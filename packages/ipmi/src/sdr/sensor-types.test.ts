import { describe, expect, it } from 'vitest';
import { SENSOR_TYPES, sensorTypeName } from './sensor-types.js';

describe('sensorTypeName', () => {
  it.each([
    [0x01, 'Temperature'],
    [0x04, 'Fan'],
    [0x0b, 'Other Units-based Sensor'],
    [0x0c, 'Memory'],
    [0x2c, 'FRU State'],
    [0xc0, 'OEM reserved (0xc0)'],
    [0xff, 'OEM reserved (0xff)'],
    [0x2d, 'Unknown (0x2d)'],
  ])('0x%s -> %s', (code, name) => {
    expect(sensorTypeName(code)).toBe(name);
  });

  it('covers every code of Table 42-3 (0x00-0x2C)', () => {
    expect(Object.keys(SENSOR_TYPES)).toHaveLength(0x2d);
  });
});
