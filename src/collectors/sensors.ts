import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, type Collector } from './collector.js';
import { labelText } from '../metrics/exposition.js';
import { isReadable, labelledSensors } from './sensor-selection.js';
import { sensorTypeLabel, stateLevel } from './sensor-health.js';

export const SENSOR_VALUE = {
  name: 'sensor_value',
  help: 'The reading of each threshold sensor, in the unit its unit label names.',
  labelNames: ['name', 'type', 'unit'],
} as const;
export const SENSOR_STATE = {
  name: 'sensor_state',
  help: 'The worst threshold each threshold sensor is at or beyond: 0 ok, 1 non-critical, 2 critical, 3 non-recoverable.',
  labelNames: ['name', 'type', 'unit'],
} as const;

/**
 * Every readable threshold sensor, one per (name, type, unit) series. A BMC
 * listing a sensor twice (same owner/LUN/number: dropped when the SDR is
 * decoded; same name on the same entity: labelledSensors) gives one series;
 * the same name on different entities gives one each, with the entity added.
 */
export function allThresholdSensors(sensors: readonly SensorDescriptor[]): Array<{ label: string; sensor: SensorDescriptor }> {
  const seriesKey = (s: SensorDescriptor) => `${sensorTypeLabel(s)}/${s.unit}`;
  return labelledSensors(
    sensors.filter((s) => s.isThreshold && isReadable(s)),
    seriesKey,
  );
}

// Fields named, not spread from t: spread-built objects each got a hidden class of their own (~180 B a sensor).
// The label text is built here, once per sensor list, not per scrape.
const allThresholdSeries = perSensorList((sensors) =>
  allThresholdSensors(sensors).map(({ label, sensor }) => ({ sensor, labels: labelText({ name: label, type: sensorTypeLabel(sensor), unit: sensor.unit }) })),
);

/**
 * Opt-in (not in the default set): everything, as prometheus-community's
 * ipmi_exporter offers, for users who want every sensor without naming it.
 * `unit` is the library's stable unit id ("celsius", "volts", "rpm", "watts",
 * "percent", "amperes"; "" for a threshold sensor without an analog reading,
 * which then has a state and no value). Discrete sensors are left out: their
 * state bits mean something different per sensor type, and the families that
 * matter (PSU, SEL events) have their own collectors.
 */
export const sensorsCollector: Collector = {
  name: 'sensors',
  async collect(ctx) {
    for (const { labels, sensor } of allThresholdSeries(await ctx.target.sensors(ctx.signal))) {
      const r = await ctx.readSensor(sensor);
      if (r.value !== null && Number.isFinite(r.value)) ctx.out.setLabelled(SENSOR_VALUE, labels, r.value);
      const level = stateLevel(r.state);
      if (level !== undefined) ctx.out.setLabelled(SENSOR_STATE, labels, level);
    }
  },
};
