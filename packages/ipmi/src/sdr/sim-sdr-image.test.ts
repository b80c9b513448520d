import { describe, expect, it } from 'vitest';
import { decodeSdrHeader, decodeSdrRecord, type SdrRecord } from './records.js';
import { interpretReading, sensorsFromSdr } from './sensor.js';
import { SIM_SDR_IMAGE } from './sim-sdr-image.test-data.js';

function splitImage(img: Buffer): SdrRecord[] {
  const out: SdrRecord[] = [];
  for (let off = 0; off < img.length; ) {
    const len = 5 + decodeSdrHeader(img.subarray(off)).length;
    out.push(decodeSdrRecord(img.subarray(off, off + len)));
    off += len;
  }
  return out;
}

describe('the ipmi_sim SDR image (sdrcomp output)', () => {
  const records = splitImage(SIM_SDR_IMAGE);
  const sensors = sensorsFromSdr(records);

  it('decodes every record', () => {
    expect(records.map((r) => r.kind)).toEqual(['mc-locator', ...Array(13).fill('full'), ...Array(4).fill('compact')]);
    expect(records[0]).toMatchObject({ kind: 'mc-locator', deviceSlaveAddress: 0x20, name: 'BMC' });
  });

  it('matches what ipmitool sdr elist shows: names, numbers, entities, units', () => {
    const row = (n: string) => {
      const d = sensors.find((s) => s.name === n)!;
      return [d.number, `${d.entityId}.${d.entityInstance}`, d.unitName, d.sensorTypeName];
    };
    expect(row('CPU1 Temp')).toEqual([0x01, '3.1', 'degrees C', 'Temperature']);
    expect(row('Inlet Temp')).toEqual([0x03, '64.1', 'degrees C', 'Temperature']);
    expect(row('FAN4')).toEqual([0x13, '29.4', 'RPM', 'Fan']);
    expect(row('3.3V')).toEqual([0x22, '7.1', 'Volts', 'Voltage']);
    expect(row('PSU2 Input Power')).toEqual([0x31, '10.2', 'Watts', 'Other Units-based Sensor']);
    expect(row('PSU1 Status')).toEqual([0x40, '10.1', '', 'Power Supply']);
    expect(row('Memory ECC')).toEqual([0x60, '8.1', '', 'Memory']);
    expect(sensors).toHaveLength(17);
    expect(new Set(sensors.map((s) => s.key)).size).toBe(17);
  });

  it('converts the start raw values to what ipmitool printed', () => {
    const value = (n: string, raw: number, state = 0) =>
      interpretReading(sensors.find((s) => s.name === n)!, {
        raw,
        eventMessagesEnabled: true,
        scanningEnabled: true,
        readingUnavailable: false,
        stateByte1: state,
        stateByte2: 0,
      });
    expect(value('CPU1 Temp', 45).value).toBe(45);
    expect(value('FAN1', 90).value).toBe(5400);
    expect(value('12V', 172).value).toBe(12.04);
    expect(value('5V', 168).value).toBe(5.04);
    expect(value('3.3V', 166).value).toBe(3.32);
    expect(value('PSU2 Input Power', 98).value).toBe(196);
    // ipmi_sim answered Get Sensor Reading 0x04 with 34 c0 08 00: 52, UNC crossed ("unc").
    expect(value('Exhaust Temp', 0x34, 0x08)).toMatchObject({ value: 52, state: 'non-critical' });
  });
});
