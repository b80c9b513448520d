import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, withLabelText, type Collector } from './collector.js';
import { isReadable, labelledSensors, readEach } from './sensor-selection.js';

export const FAN_SPEED_RPM = {
  name: 'fan_speed_rpm',
  help: 'The speed of each fan that reports revolutions per minute.',
  labelNames: ['fan'],
} as const;

/** A ratio, not a percentage: Prometheus base units (0.4 = 40 % duty cycle). */
export const FAN_SPEED_RATIO = {
  name: 'fan_speed_ratio',
  help: 'The speed of each fan that reports a percentage (duty cycle or share of full speed), as a ratio from 0 to 1.',
  labelNames: ['fan'],
} as const;

/** Table 42-3: 0x04 Fan, 0x0A Cooling Device. */
const FAN_SENSOR_TYPES: ReadonlySet<number> = new Set([0x04, 0x0a]);
/** Table 43-13: 0x1D Fan / Cooling Device. */
const FAN_ENTITY = 0x1d;

const isFanLike = (s: SensorDescriptor) => FAN_SENSOR_TYPES.has(s.sensorType) || s.entityId === FAN_ENTITY;

/**
 * Fan speed sensors, labelled by sensor name (what operators see on the
 * chassis and in the BMC's UI; entity instances repeat across fan banks):
 * unit RPM on any sensor (only fans and pumps spin), and percent on fan-typed
 * sensors or the fan entity (HPE iLO reports "Fan 1 | 43.51 percent").
 */
export function fanSensors(sensors: readonly SensorDescriptor[]): { rpm: Map<string, SensorDescriptor>; ratio: Map<string, SensorDescriptor> } {
  const analog = sensors.filter((s) => s.hasAnalogReading && isReadable(s));
  const pick = (f: (s: SensorDescriptor) => boolean) => new Map(labelledSensors(analog.filter(f)).map(({ label, sensor }) => [label, sensor] as const));
  return {
    rpm: pick((s) => s.unit === 'rpm'),
    ratio: pick((s) => s.unit === 'percent' && isFanLike(s)),
  };
}

const fanSeriesOf = perSensorList((sensors) => {
  const { rpm, ratio } = fanSensors(sensors);
  return { rpm: withLabelText(rpm, 'fan'), ratio: withLabelText(ratio, 'fan') };
});

/** One Get Sensor Reading per fan per scrape (shared through the scrape's cache with sensor_health). */
export const fansCollector: Collector = {
  name: 'fans',
  async collect(ctx) {
    const { rpm, ratio } = fanSeriesOf(await ctx.target.sensors(ctx.signal));
    await readEach(ctx, rpm, (labels, value) => ctx.out.setLabelled(FAN_SPEED_RPM, labels, value));
    await readEach(ctx, ratio, (labels, value) => ctx.out.setLabelled(FAN_SPEED_RATIO, labels, value / 100));
  },
};
