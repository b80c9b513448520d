import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, withLabelText, type Collector } from './collector.js';
import { onePerInstance, readEach } from './sensor-selection.js';

/** gebn/bmc_exporter bmc/subcollector/processor_temperatures.go. */
export const PROCESSOR_TEMPERATURE = {
  name: 'processor_temperature_celsius',
  help: 'The temperature of each CPU in degrees celsius.',
  labelNames: ['cpu'],
} as const;

/** Table 42-3 sensor type 0x01 Temperature. */
const TEMPERATURE_SENSOR_TYPE = 0x01;
/** Table 43-13: 0x03 processor; 0x41 the DCMI-era "processor" some BMCs use instead. */
const PROCESSOR_ENTITY = 0x03;
const DCMI_PROCESSOR_ENTITY = 0x41;

/** Processor temperature sensors: entity 0x03 if there are any, else 0x41 — never a mix, so no CPU is counted twice. */
export function processorTemperatureSensors(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  const temps = sensors.filter((s) => s.sensorType === TEMPERATURE_SENSOR_TYPE && s.unit === 'celsius');
  const primary = temps.filter((s) => s.entityId === PROCESSOR_ENTITY);
  return onePerInstance(primary.length > 0 ? primary : temps.filter((s) => s.entityId === DCMI_PROCESSOR_ENTITY));
}

const processorTemperatureSeriesOf = perSensorList((sensors) => withLabelText(processorTemperatureSensors(sensors), 'cpu'));

export const processorTemperatureCollector: Collector = {
  name: 'processor_temperature',
  async collect(ctx) {
    const chosen = processorTemperatureSeriesOf(await ctx.target.sensors(ctx.signal));
    await readEach(ctx, chosen, (labels, value) => ctx.out.setLabelled(PROCESSOR_TEMPERATURE, labels, value));
  },
};
