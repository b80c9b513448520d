import type { SensorDescriptor, SensorState } from '@bmc-exporter/ipmi';
import { perSensorList, type Collector } from './collector.js';
import { labelText } from '../metrics/exposition.js';
import { isReadable, labelledSensors } from './sensor-selection.js';

export const SENSOR_THRESHOLD_STATE = {
  name: 'sensor_threshold_state',
  help: 'The worst threshold each threshold sensor is at or beyond: 0 ok, 1 non-critical, 2 critical, 3 non-recoverable.',
  labelNames: ['sensor', 'type'],
} as const;

/**
 * One number per sensor, worst crossing wins, so `> 0` is an alert that needs
 * no per-vendor threshold (the BMC applied its own) and `>= 2` a page. A
 * state-set (one series per state) would quadruple the series for the same facts.
 */
export const STATE_LEVELS = {
  ok: 0,
  'non-critical': 1,
  critical: 2,
  'non-recoverable': 3,
} as const satisfies Partial<Record<SensorState, number>>;

/** The level of a threshold sensor's reading; undefined when there is none (unavailable, or not a threshold sensor). */
export function stateLevel(state: SensorState): number | undefined {
  return (STATE_LEVELS as Partial<Record<SensorState, number>>)[state];
}

/** Table 42-3 name as a label value: lower-case snake ("Other Units-based Sensor" → "other_units_based_sensor"). */
export function sensorTypeLabel(s: Pick<SensorDescriptor, 'sensorTypeName'>): string {
  return s.sensorTypeName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Threshold sensors we can read, one per (name, type) series, named as labelledSensors says. */
export function thresholdSensors(sensors: readonly SensorDescriptor[]): Array<{ label: string; sensor: SensorDescriptor }> {
  return labelledSensors(
    sensors.filter((s) => s.isThreshold && isReadable(s)),
    sensorTypeLabel,
  );
}

// Fields named, not spread from t: spread-built objects each got a hidden class of their own (~180 B a sensor).
// The label text is built here, once per sensor list, not per scrape.
const thresholdSeries = perSensorList((sensors) =>
  thresholdSensors(sensors).map(({ label, sensor }) => ({ sensor, labels: labelText({ sensor: label, type: sensorTypeLabel(sensor) }) })),
);

/**
 * sensor_threshold_state{sensor,type} from the threshold status bits of Get
 * Sensor Reading (IPMI v2.0 §35.14 byte 3), one per threshold sensor, the
 * compact threshold records without an analog reading included. Costs one
 * Get Sensor Reading per threshold sensor per scrape, shared through the
 * scrape's cache with every other collector reading the same sensor.
 */
export const sensorHealthCollector: Collector = {
  name: 'sensor_health',
  async collect(ctx) {
    for (const { labels, sensor } of thresholdSeries(await ctx.target.sensors(ctx.signal))) {
      const level = stateLevel((await ctx.readSensor(sensor)).state);
      if (level !== undefined) ctx.out.setLabelled(SENSOR_THRESHOLD_STATE, labels, level);
    }
  },
};
