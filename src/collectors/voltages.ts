import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, withLabelText, type Collector } from './collector.js';
import { isReadable, labelledSensors, readEach } from './sensor-selection.js';

export const VOLTAGE = {
  name: 'voltage_volts',
  help: 'The voltage of each rail the BMC measures, in volts.',
  labelNames: ['rail'],
} as const;

/**
 * Voltage sensors (unit volts, whatever the sensor type), labelled by sensor
 * name ("12V", "CPU1 VCore"): the name is what identifies a rail; entities
 * (mostly the system board) do not.
 */
export function voltageSensors(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  const volts = sensors.filter((s) => s.unit === 'volts' && s.hasAnalogReading && isReadable(s));
  return new Map(labelledSensors(volts).map(({ label, sensor }) => [label, sensor] as const));
}

const voltageSeriesOf = perSensorList((sensors) => withLabelText(voltageSensors(sensors), 'rail'));

/** One Get Sensor Reading per rail per scrape (shared through the scrape's cache with sensor_health). */
export const voltagesCollector: Collector = {
  name: 'voltages',
  async collect(ctx) {
    const chosen = voltageSeriesOf(await ctx.target.sensors(ctx.signal));
    await readEach(ctx, chosen, (labels, value) => ctx.out.setLabelled(VOLTAGE, labels, value));
  },
};
