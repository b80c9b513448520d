import type { SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';
import { describe, expect, it } from 'vitest';
import { SensorSnapshot } from './sensor-snapshot.js';

function sensor(key: string, o: Partial<SensorDescriptor> = {}): SensorDescriptor {
  return { key, name: key, hasAnalogReading: true, isThreshold: true, readable: true, bridged: false, unit: 'celsius', ...o } as unknown as SensorDescriptor;
}
const reading = (descriptor: SensorDescriptor, o: Partial<SensorReading>): SensorReading => ({ descriptor, value: null, state: 'ok', available: true, ...o });

describe('SensorSnapshot', () => {
  const temp = sensor('32:0:1');
  const psu = { ...sensor('32:0:64'), hasAnalogReading: false, isThreshold: false } as SensorDescriptor;
  const other = sensor('32:0:2');
  const list = [temp, psu, other];

  it('keeps the last value and state per sensor, unread ones marked so, and the worst threshold level', () => {
    const s = new SensorSnapshot();
    expect(s.sensors()).toEqual([]);
    expect(s.worstLevel()).toBe(-1);
    s.record(list, temp, reading(temp, { value: 45.5, state: 'ok' }), 1000);
    s.record(list, psu, reading(psu, { state: 'discrete', discreteStates: 0b101 }), 1000);
    expect(s.sensors().map((v) => [v.state, v.value, v.discreteStates])).toEqual([
      ['ok', 45.5, null],
      ['discrete', null, 0b101],
      ['unread', null, null],
    ]);
    expect(s.worstLevel()).toBe(0);
    s.record(list, temp, reading(temp, { value: 92, state: 'critical' }), 2000);
    expect(s.sensors()[0]).toMatchObject({ state: 'critical', value: 92 });
    expect(s.worstLevel()).toBe(2);
    expect(s.readAt).toBe(2000);
  });

  it('a failed read shows as failed with no value; unavailable keeps no value; a new SDR list starts afresh', () => {
    const s = new SensorSnapshot();
    s.record(list, temp, reading(temp, { value: 50 }), 1);
    s.record(list, temp, new Error('timeout'), 2);
    s.record(list, other, reading(other, { state: 'unavailable', available: false }), 2);
    expect(s.sensors().map((v) => [v.state, v.value])).toEqual([
      ['failed', null],
      ['unread', null],
      ['unavailable', null],
    ]);
    expect(s.worstLevel()).toBe(-1);
    const next = [other];
    s.record(next, other, reading(other, { value: 3, state: 'non-recoverable' }), 3);
    expect(s.sensors().map((v) => [v.sensor.key, v.state])).toEqual([['32:0:2', 'non-recoverable']]);
    expect(s.worstLevel()).toBe(3);
    // A descriptor not in the list is ignored rather than written anywhere.
    s.record(next, temp, reading(temp, { value: 1 }), 4);
    expect(s.sensors()).toHaveLength(1);
  });

  it('keeps the DCMI reading only while the measurement is active', () => {
    const s = new SensorSnapshot();
    const p = {
      currentWatts: 400,
      minimumWatts: 300,
      maximumWatts: 500,
      averageWatts: 390,
      timestamp: 0,
      statisticsReportingPeriodSeconds: 60,
      powerMeasurementActive: true,
    };
    s.power(p);
    expect(s.powerView).toEqual({ currentWatts: 400, minimumWatts: 300, maximumWatts: 500, averageWatts: 390, periodSeconds: 60 });
    s.power({ ...p, powerMeasurementActive: false });
    expect(s.powerView).toBeUndefined();
    s.power(null);
    expect(s.powerView).toBeUndefined();
  });

  it('keeps the power reading and the sensor readings apart in its one array, whichever comes first and when the SDR list changes', () => {
    const s = new SensorSnapshot();
    const p = {
      currentWatts: 410,
      minimumWatts: 1,
      maximumWatts: 2,
      averageWatts: 3,
      timestamp: 0,
      statisticsReportingPeriodSeconds: 4,
      powerMeasurementActive: true,
    };
    const watts = { currentWatts: 410, minimumWatts: 1, maximumWatts: 2, averageWatts: 3, periodSeconds: 4 };
    s.power(p);
    expect(s.sensors()).toEqual([]);
    expect(s.worstLevel()).toBe(-1);
    s.record(list, temp, reading(temp, { value: 95, state: 'ok' }), 1);
    s.record(list, other, reading(other, { value: 7 }), 1);
    expect(s.powerView).toEqual(watts);
    expect(s.sensors().map((v) => v.value)).toEqual([95, null, 7]);
    // Power values never read as sensor states (4 would be non-recoverable's code): only the sensors' slots count.
    s.power({ ...p, minimumWatts: 4, averageWatts: 4 });
    expect(s.worstLevel()).toBe(0);
    const next = [other];
    s.record(next, other, reading(other, { value: 8 }), 2);
    expect(s.powerView).toEqual({ ...watts, minimumWatts: 4, averageWatts: 4 });
    expect(s.sensors().map((v) => v.value)).toEqual([8]);
    s.power(null);
    s.record(list, temp, reading(temp, { value: 1 }), 3);
    expect(s.powerView).toBeUndefined();
    expect(s.sensors().map((v) => v.value)).toEqual([1, null, null]);
  });
});
