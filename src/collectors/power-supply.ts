import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, withLabelText, type Collector } from './collector.js';
import { instanceNumber, isReadable } from './sensor-selection.js';

const psuGauge = (name: string, help: string) => ({ name, help, labelNames: ['psu'] as const });

/** `psu` = the PSU's entity instance, the same label power_draw_watts uses. */
export const POWER_SUPPLY_METRICS = {
  present: psuGauge('power_supply_present', 'Whether the power supply is present, from its status sensor.'),
  failed: psuGauge('power_supply_failed', 'Whether the power supply reports a failure.'),
  predictiveFailure: psuGauge('power_supply_predictive_failure', 'Whether the power supply predicts its own failure.'),
  inputLost: psuGauge('power_supply_input_lost', 'Whether the power supply has lost its input (AC/DC) or it is out of range.'),
} as const;

/** Table 42-3 sensor type 0x08 Power Supply, sensor-specific offsets. */
export const PSU_OFFSETS = {
  /** presence detected */
  presence: 0,
  /** power supply failure detected */
  failure: 1,
  /** predictive failure */
  predictiveFailure: 2,
  /** power supply input lost (AC/DC) */
  inputLost: 3,
  /** power supply input lost or out-of-range */
  inputLostOrOutOfRange: 4,
  /** input out-of-range but present: still powering, so not "lost" */
  inputOutOfRange: 5,
  /** configuration error */
  configurationError: 6,
} as const;

/** Table 42-3 0x08 Power Supply; Table 42-1 0x6F sensor-specific discrete. */
const POWER_SUPPLY_SENSOR_TYPE = 0x08;
const SENSOR_SPECIFIC = 0x6f;

/** PSU status sensors, one per entity instance (first in SDR order), sorted by instance. */
export function powerSupplyStatusSensors(sensors: readonly SensorDescriptor[]): Map<string, SensorDescriptor> {
  const out = new Map<string, SensorDescriptor>();
  for (const s of sensors) {
    if (s.sensorType !== POWER_SUPPLY_SENSOR_TYPE || s.eventReadingType !== SENSOR_SPECIFIC || !isReadable(s)) continue;
    const psu = String(instanceNumber(s));
    if (!out.has(psu)) out.set(psu, s);
  }
  return new Map([...out].sort(([a], [b]) => Number(a) - Number(b)));
}

const bit = (states: number, offset: number) => ((states >> offset) & 1) === 1;

const powerSupplyStatusSeriesOf = perSensorList((sensors) => withLabelText(powerSupplyStatusSensors(sensors), 'psu'));

/**
 * Four 0/1 gauges per PSU from one Get Sensor Reading of its status sensor
 * (IPMI v2.0 §35.14: bytes 3-4 carry the asserted offsets). failed is offset
 * 1 only: a predictive failure is a warning with its own gauge. input_lost is
 * offset 3 or 4. A status sensor the BMC reports unavailable exports nothing.
 */
export const powerSupplyCollector: Collector = {
  name: 'power_supply',
  async collect(ctx) {
    const m = POWER_SUPPLY_METRICS;
    for (const [labels, sensor] of powerSupplyStatusSeriesOf(await ctx.target.sensors(ctx.signal))) {
      const r = await ctx.readSensor(sensor);
      if (!r.available || r.discreteStates === undefined) continue;
      const s = r.discreteStates;
      ctx.out.setLabelled(m.present, labels, bit(s, PSU_OFFSETS.presence) ? 1 : 0);
      ctx.out.setLabelled(m.failed, labels, bit(s, PSU_OFFSETS.failure) ? 1 : 0);
      ctx.out.setLabelled(m.predictiveFailure, labels, bit(s, PSU_OFFSETS.predictiveFailure) ? 1 : 0);
      ctx.out.setLabelled(m.inputLost, labels, bit(s, PSU_OFFSETS.inputLost) || bit(s, PSU_OFFSETS.inputLostOrOutOfRange) ? 1 : 0);
    }
  },
};
