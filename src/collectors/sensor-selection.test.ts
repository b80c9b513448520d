import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { chassisTemperatureSensors } from './chassis-temperature.js';
import { fanSensors } from './fans.js';
import { COLLECTOR_NAMES, DEFAULT_COLLECTORS, parseCollectorList, selectCollectors } from './index.js';
import { powerSupplyStatusSensors } from './power-supply.js';
import { sensorTypeLabel, thresholdSensors } from './sensor-health.js';
import { labelledSensors } from './sensor-selection.js';

const TYPES: Record<number, string> = { 0x01: 'Temperature', 0x02: 'Voltage', 0x04: 'Fan', 0x08: 'Power Supply', 0x0b: 'Other Units-based Sensor' };
let n = 0;
/** A readable full threshold sensor on the BMC, as sensorsFromSdr would describe it. */
function d(name: string, sensorType: number, entityId: number, entityInstance: number, unit: string, extra: Partial<SensorDescriptor> = {}): SensorDescriptor {
  const number = ++n;
  return {
    key: `32:0:${number}`,
    name,
    number,
    ownerId: 0x20,
    lun: 0,
    channel: 0,
    recordId: number,
    recordKind: 'full',
    sensorType,
    sensorTypeName: TYPES[sensorType] ?? 'Unknown',
    eventReadingType: 0x01,
    entityId,
    entityIdName: '',
    entityInstance,
    unit,
    unitName: '',
    isThreshold: true,
    hasAnalogReading: true,
    readable: true,
    bridged: false,
    conversion: undefined,
    thresholds: undefined,
    ...extra,
  };
}
const temp = (name: string, entity: number, instance = 1, extra: Partial<SensorDescriptor> = {}) => d(name, 0x01, entity, instance, 'celsius', extra);

describe('chassisTemperatureSensors', () => {
  it('intake by the air-inlet entities first (0x37 or DCMI 0x40, first in SDR order), even when a name says inlet elsewhere', () => {
    const named = temp('Inlet Temp', 0x07);
    const hpe = temp('01-Inlet Ambient', 0x37);
    const dcmi = temp('Inlet 2', 0x40);
    expect(chassisTemperatureSensors([named, hpe, dcmi]).intake).toBe(hpe);
    expect(chassisTemperatureSensors([named, dcmi, hpe]).intake).toBe(dcmi);
  });

  it('Dell: "Inlet Temp" and "Exhaust Temp" both on the system board 7.1, CPUs named "Temp"', () => {
    const sensors = [temp('Inlet Temp', 0x07), temp('Exhaust Temp', 0x07), temp('Temp', 0x03, 1), temp('Temp', 0x03, 2)];
    expect(chassisTemperatureSensors(sensors)).toEqual({ intake: sensors[0], exhaust: sensors[1] });
  });

  it('names on component entities (PSU, GPU, processor, memory) are never the chassis air; Intel "Exit Air Temp"; the front panel board as a last resort', () => {
    const psuInlet = temp('PS1 Inlet Temp', 0x0a);
    const gpuOutlet = temp('GPU1 Outlet', 0x0b);
    const frontPanel = temp('Front Panel Temp', 0x0c);
    const exitAir = temp('Exit Air Temp', 0x07);
    expect(chassisTemperatureSensors([psuInlet, gpuOutlet, frontPanel, exitAir])).toEqual({ intake: frontPanel, exhaust: exitAir });
    expect(chassisTemperatureSensors([psuInlet, gpuOutlet])).toEqual({});
  });

  it('only readable analog celsius temperature sensors; one sensor is never both', () => {
    const bridged = temp('Inlet Temp', 0x37, 1, { bridged: true });
    const fahrenheit = temp('Ambient', 0x37, 1, { unit: 'fahrenheit' });
    const both = temp('Inlet/Outlet Temp', 0x07);
    expect(chassisTemperatureSensors([bridged, fahrenheit, both])).toEqual({});
  });
});

describe('labelledSensors', () => {
  it('drops the same name on the same entity (listed twice), keeps the same name on different entities with the entity appended', () => {
    const a = temp('Temp', 0x03, 1);
    const dup = temp('Temp', 0x03, 1);
    const b = temp('Temp', 0x03, 2);
    const inlet = temp('Inlet Temp', 0x37);
    expect(labelledSensors([a, dup, b, inlet]).map(({ label, sensor }) => [label, sensor])).toEqual([
      ['Temp (3.1)', a],
      ['Temp (3.2)', b],
      ['Inlet Temp', inlet],
    ]);
  });

  it('sensors in different series (their other labels differ) do not clash', () => {
    const amps = d('PSU1', 0x03, 0x0a, 1, 'amperes');
    const volts = d('PSU1', 0x02, 0x0a, 1, 'volts');
    expect(thresholdSensors([amps, volts]).map((x) => x.label)).toEqual(['PSU1', 'PSU1']);
    expect(labelledSensors([amps, volts]).map((x) => x.label)).toEqual(['PSU1']);
  });
});

describe('fanSensors', () => {
  it('RPM fans by name; percent only on fan-typed sensors or the fan entity (HPE "Fan 1 43.51 percent")', () => {
    const rpm = d('FAN1', 0x04, 0x1d, 1, 'rpm');
    const hpe = d('Fan 1', 0x04, 0x1d, 1, 'percent');
    const cpuUtil = d('CPU Utilization', 0x0b, 0x03, 1, 'percent');
    const { rpm: r, ratio } = fanSensors([rpm, hpe, cpuUtil]);
    expect([...r.keys()]).toEqual(['FAN1']);
    expect([...ratio.keys()]).toEqual(['Fan 1']);
  });
});

describe('powerSupplyStatusSensors', () => {
  it('sensor-specific Power Supply sensors, one per entity instance, first in SDR order', () => {
    const discrete = { isThreshold: false, hasAnalogReading: false, eventReadingType: 0x6f, unit: '' };
    const ps1 = d('PS1 Status', 0x08, 0x0a, 1, '', discrete);
    const ps1again = d('PS1 Status', 0x08, 0x0a, 1, '', discrete);
    const ps2 = d('PS2 Status', 0x08, 0x0a, 0x82, '', discrete); // device-relative instance 2
    const watts = d('PS1 Input', 0x0b, 0x0a, 1, 'watts');
    expect([...powerSupplyStatusSensors([ps2, ps1, ps1again, watts])]).toEqual([
      ['1', ps1],
      ['2', ps2],
    ]);
  });
});

describe('sensorTypeLabel', () => {
  it.each([
    ['Temperature', 'temperature'],
    ['Other Units-based Sensor', 'other_units_based_sensor'],
    ['Drive Slot (Bay)', 'drive_slot_bay'],
    ['OEM reserved (0xc0)', 'oem_reserved_0xc0'],
  ])('%s → %s', (name, label) => expect(sensorTypeLabel({ sensorTypeName: name })).toBe(label));
});

describe('collector lists', () => {
  it('parseCollectorList takes comma lists and repeated values, drops repeats, refuses empty and unknown names', () => {
    expect(parseCollectorList(['fans, voltages', 'fans'])).toEqual(['fans', 'voltages']);
    expect(() => parseCollectorList([''])).toThrow(/name at least one collector; known collectors: bmc_info/);
    expect(() => parseCollectorList(['fans,'])).toThrow(/a collector name is empty/);
    expect(() => parseCollectorList(['fans,x,y'])).toThrow(/unknown collectors "x", "y"; known collectors: /);
  });

  it('selectCollectors runs the named ones in registry order, opt-in ones included; the default set leaves out only the opt-in sensors', () => {
    expect(selectCollectors(['sensors', 'chassis']).map((c) => c.name)).toEqual(['chassis', 'sensors']);
    expect(selectCollectors(undefined)).toBe(DEFAULT_COLLECTORS);
    expect(COLLECTOR_NAMES.filter((name) => !DEFAULT_COLLECTORS.some((c) => c.name === name))).toEqual(['sensors']);
  });
});
