import type { ChassisReadings, LogEntry, SensorReading } from '@bmc-exporter/redfish';
import { describe, expect, it } from 'vitest';
import { Exposition } from '../metrics/exposition.js';
import { classifyLogEntry } from './log-events.js';
import { cpuLabel, setReadings, thresholdLevel } from './redfish-metrics.js';

const entry = (e: Partial<LogEntry>): LogEntry => ({
  id: '1',
  createdMs: undefined,
  entryType: undefined,
  severity: undefined,
  message: undefined,
  messageId: undefined,
  sensorType: undefined,
  sensorNumber: undefined,
  entryCode: undefined,
  ...e,
});

describe('classifyLogEntry', () => {
  it.each([
    // SEL-type entries: sensor type, then the message where the type alone does not decide.
    [{ entryType: 'SEL', sensorType: 'Temperature', severity: 'Critical', entryCode: 'Assert' }, 'temperature-threshold', 'critical'],
    [{ entryType: 'SEL', sensorType: 'Memory', severity: 'Warning', message: 'Memory: Correctable ECC asserted' }, 'memory-ecc-correctable', 'warning'],
    [{ entryType: 'SEL', sensorType: 'Memory', severity: 'Critical', message: 'Uncorrectable ECC' }, 'memory-ecc-uncorrectable', 'critical'],
    [{ entryType: 'SEL', sensorType: 'Power Supply / Converter', severity: 'Critical', message: 'Power Supply input lost (AC/DC)' }, 'ac-lost', 'critical'],
    [{ entryType: 'SEL', sensorType: 'Power Supply', severity: 'Critical', message: 'Failure detected' }, 'psu-failure', 'critical'],
    [{ entryType: 'SEL', sensorType: 'Fan', severity: 'Critical', entryCode: 'Deassert' }, 'fan-failure', 'info'],
    [{ entryType: 'SEL', sensorType: 'Watchdog 2', severity: 'Warning' }, 'watchdog', 'warning'],
    [{ entryType: 'SEL', sensorType: 'Event Logging Disabled', severity: 'OK', message: 'Log area reset/cleared' }, 'log-cleared', 'info'],
    [{ entryType: 'SEL', sensorType: 'Physical Chassis Security', severity: 'Warning' }, 'other', 'warning'],
    // Event entries: the message registry key.
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.PowerSupplyFailed', severity: 'Critical' }, 'psu-failure', 'critical'],
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.PowerSupplyPowerLost', severity: 'Critical' }, 'ac-lost', 'critical'],
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.FanFailed', severity: 'Critical' }, 'fan-failure', 'critical'],
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.MemoryECCUncorrectable', severity: 'Critical' }, 'memory-ecc-uncorrectable', 'critical'],
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.MemoryECCCorrectable', severity: 'Warning' }, 'memory-ecc-correctable', 'warning'],
    [{ entryType: 'Event', messageId: 'OpenBMC.0.1.SystemPowerOnFailed', severity: 'OK' }, 'system-restart', 'info'],
    [{ entryType: 'Event', messageId: 'ResourceEvent.1.0.ResourceCreated', severity: 'OK' }, 'other', 'info'],
    [{ entryType: 'Event', severity: 'Critical' }, 'other', 'critical'],
  ] as const)('%o -> %s/%s', (e, category, severity) => {
    expect(classifyLogEntry(entry(e))).toEqual({ category, severity });
  });
});

const sensor = (s: Partial<SensorReading>): SensorReading => ({
  kind: 'temperature',
  id: 'T',
  name: 'T',
  reading: 50,
  units: 'Cel',
  physicalContext: undefined,
  thresholds: {},
  status: { state: 'Enabled', health: 'OK', healthRollup: undefined },
  ...s,
});

describe('thresholdLevel', () => {
  const t = { upperCaution: 80, upperCritical: 90, upperFatal: 95, lowerCaution: 10, lowerCritical: 5, lowerFatal: 0 };
  it.each([
    [50, 0],
    [80, 1],
    [90, 2],
    [99, 3],
    [10, 1],
    [5, 2],
    [-1, 3],
  ])('reading %d against every threshold is level %d (at or beyond)', (reading, level) => {
    expect(thresholdLevel(sensor({ reading, thresholds: t }))).toBe(level);
  });

  it('without thresholds, the Health; without a reading, nothing', () => {
    expect(thresholdLevel(sensor({ status: { state: 'Enabled', health: 'Critical', healthRollup: undefined } }))).toBe(2);
    expect(thresholdLevel(sensor({ status: { state: 'Enabled', health: 'Warning', healthRollup: undefined } }))).toBe(1);
    expect(thresholdLevel(sensor({ reading: null }))).toBeUndefined();
  });
});

describe('cpuLabel', () => {
  it('takes the number in the name, else the position', () => {
    expect(cpuLabel('CPU1 Temp', 5)).toBe('1');
    expect(cpuLabel('CPU 02 Temp', 5)).toBe('2');
    expect(cpuLabel('Processor Temp', 2)).toBe('2');
  });
});

describe('setReadings', () => {
  const chassis = (c: Partial<ChassisReadings>): ChassisReadings => ({
    path: '/redfish/v1/Chassis/1',
    generation: 'legacy',
    powerState: 'On',
    intrusion: 'Normal',
    status: { state: 'Enabled', health: 'OK', healthRollup: undefined },
    thermalStatus: { state: 'Enabled', health: 'OK', healthRollup: undefined },
    powerStatus: { state: 'Enabled', health: 'Critical', healthRollup: undefined },
    sensors: [],
    powerSupplies: [],
    power: undefined,
    errors: [],
    ...c,
  });

  it('maps chassis state, PSUs and the chassis power as documented', async () => {
    const exposition = new Exposition('Nan');
    setReadings(exposition, [
      chassis({
        intrusion: 'HardwareIntrusion',
        sensors: [
          sensor({ name: 'CPU1 Temp', physicalContext: 'CPU', reading: 45 }),
          sensor({ name: 'Inlet', physicalContext: 'Intake', reading: 22 }),
          sensor({ name: 'Exhaust Temp', physicalContext: 'SystemBoard', reading: 35 }),
          sensor({ kind: 'fan', name: 'FAN1', units: '%', reading: 40 }),
          sensor({ kind: 'voltage', name: '12V', units: 'V', reading: 12.1, status: { state: 'Absent', health: undefined, healthRollup: undefined } }),
        ],
        powerSupplies: [
          {
            id: 'PSU1',
            name: 'PSU1',
            inputWatts: undefined,
            outputWatts: undefined,
            capacityWatts: undefined,
            status: { state: 'Enabled', health: 'Warning', healthRollup: undefined },
          },
          {
            id: 'PSU2',
            name: 'PSU2',
            inputWatts: undefined,
            outputWatts: undefined,
            capacityWatts: undefined,
            status: { state: 'Absent', health: undefined, healthRollup: undefined },
          },
        ],
        power: { consumedWatts: 410, capacityWatts: undefined, minWatts: 300, maxWatts: 500, averageWatts: 400, intervalSeconds: 60 },
      }),
    ]);
    const text = exposition.text();
    for (const line of [
      'chassis_powered_on 1',
      'chassis_intrusion 1',
      'chassis_power_fault 1',
      'chassis_cooling_fault 0',
      'processor_temperature_celsius{cpu="1"} 45',
      'chassis_intake_temperature_celsius 22',
      'chassis_exhaust_temperature_celsius 35',
      'fan_speed_ratio{fan="FAN1"} 0.4',
      'power_supply_present{psu="PSU1"} 1',
      'power_supply_predictive_failure{psu="PSU1"} 1',
      'power_supply_failed{psu="PSU1"} 0',
      'power_supply_present{psu="PSU2"} 0',
      'power_draw_watts{psu=""} 410',
      'dcmi_power_minimum_watts 300',
      'dcmi_power_sampling_period_seconds 60',
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
    // An absent PSU has no failure series; an absent sensor no reading.
    expect(text).not.toContain('power_supply_failed{psu="PSU2"}');
    expect(text).not.toContain('voltage_volts');
  });
});
