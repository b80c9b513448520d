import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getSensorReading } from './get-sensor-reading.js';
import { getSensorReadingFactors } from './get-sensor-reading-factors.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get Sensor Reading (§35.14)', () => {
  it('encodes the sensor number', () => {
    expect([getSensorReading.netFn, getSensorReading.cmd]).toEqual([0x04, 0x2d]);
    expect(getSensorReading.encode({ sensorNumber: 0x30 })).toEqual(h('30'));
  });

  it('encodes every sensor number as its one byte, and the low byte of any other number as a writer would', () => {
    for (let n = 0; n < 256; n++) expect([...getSensorReading.encode({ sensorNumber: n })]).toEqual([n]);
    expect([...getSensorReading.encode({ sensorNumber: 0x105 })]).toEqual([0x05]);
    expect([...getSensorReading.encode({ sensorNumber: -1 })]).toEqual([0xff]);
    // Shared: the same object for the same number, its byte intact after being handed out again.
    expect(getSensorReading.encode({ sensorNumber: 7 })).toBe(getSensorReading.encode({ sensorNumber: 7 }));
    expect([...getSensorReading.encode({ sensorNumber: 7 })]).toEqual([7]);
  });

  it.each([
    {
      name: 'threshold sensor, scanning, upper critical crossed',
      bytes: '5a c0 18 80',
      want: { raw: 0x5a, eventMessagesEnabled: true, scanningEnabled: true, readingUnavailable: false, stateByte1: 0x18, stateByte2: 0x80 },
    },
    {
      // ipmi_sim, sensor 0x04 "Exhaust Temp" at raw 52, above UNC (ipmitool shows "unc").
      name: 'ipmi_sim threshold sensor',
      bytes: '34 c0 08 00',
      want: { raw: 52, eventMessagesEnabled: true, scanningEnabled: true, readingUnavailable: false, stateByte1: 0x08, stateByte2: 0 },
    },
    {
      // ipmi_sim, sensor 0x40 "PSU1 Status": state 0 (presence detected) asserted.
      name: 'ipmi_sim discrete sensor',
      bytes: '00 c0 01 00',
      want: { raw: 0, stateByte1: 0x01, stateByte2: 0 },
    },
    {
      name: 'reading unavailable, no state bytes',
      bytes: '00 60',
      want: { raw: 0, eventMessagesEnabled: false, scanningEnabled: true, readingUnavailable: true, stateByte1: undefined, stateByte2: undefined },
    },
    {
      name: 'discrete sensor with states 0 and 8 asserted',
      bytes: '00 c0 01 01',
      want: { stateByte1: 1, stateByte2: 1 },
    },
    {
      name: 'scanning disabled, one state byte',
      bytes: 'ff 00 00',
      want: { raw: 0xff, scanningEnabled: false, stateByte1: 0, stateByte2: undefined },
    },
  ])('$name', ({ bytes, want }) => {
    expect(getSensorReading.decode(h(bytes))).toMatchObject(want);
  });

  it('rejects short data', () => {
    expect(() => getSensorReading.decode(h('5a'))).toThrow(MalformedPacketError);
  });
});

describe('Get Sensor Reading Factors (§35.5)', () => {
  it('encodes sensor and reading, decodes 10-bit signed M/B and 4-bit signed exponents', () => {
    expect(getSensorReadingFactors.encode({ sensorNumber: 7, reading: 0x80 })).toEqual(h('07 80'));
    // next 0x90; M = 0x3FF (-1); tolerance 5; B = 0x200 (-512); accuracy 0x3c5; acc exp 2; R_exp -3, B_exp 2
    expect(getSensorReadingFactors.decode(h('90 ff c5 00 85 f8 d2'))).toEqual({
      nextReading: 0x90,
      m: -1,
      tolerance: 5,
      b: -512,
      accuracy: 0x3c5,
      accuracyExp: 2,
      direction: 0,
      rExp: -3,
      bExp: 2,
    });
    expect(() => getSensorReadingFactors.decode(h('90 ff c5 00 85 f8'))).toThrow(MalformedPacketError);
  });
});
