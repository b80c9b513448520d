import type { SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';
import type { GaugeSpec } from '../../collectors/collector.js';
import { labelText } from '../../metrics/exposition.js';
import { freeipmiSensorTypeName } from '../freeipmi-names.js';
import { discreteSensorState, STATE_VALUES, type FreeIpmiState } from '../sensor-state.js';
import type { CompatCollector } from './compat-collector.js';

type IdName = 'id' | 'name';
const spec = (name: string, help: string): GaugeSpec<IdName> => ({ name, help, labelNames: ['id', 'name'] });
const stateHelp = (what: string) => `Reported state of a ${what} sensor (0=nominal, 1=warning, 2=critical).`;

/** ipmi_exporter 1.6.1 collector_ipmi.go: one value and one state family per unit. */
export const SENSOR_FAMILIES = {
  fanRpm: spec('ipmi_fan_speed_rpm', 'Fan speed in rotations per minute.'),
  fanRatio: spec('ipmi_fan_speed_ratio', 'Fan speed as a proportion of the maximum speed.'),
  fanState: spec('ipmi_fan_speed_state', stateHelp('fan speed')),
  temperature: spec('ipmi_temperature_celsius', 'Temperature reading in degree Celsius.'),
  temperatureState: spec('ipmi_temperature_state', stateHelp('temperature')),
  voltage: spec('ipmi_voltage_volts', 'Voltage reading in Volts.'),
  voltageState: spec('ipmi_voltage_state', stateHelp('voltage')),
  current: spec('ipmi_current_amperes', 'Current reading in Amperes.'),
  currentState: spec('ipmi_current_state', stateHelp('current')),
  power: spec('ipmi_power_watts', 'Power reading in Watts.'),
  powerState: spec('ipmi_power_state', stateHelp('power')),
} as const;

export const GENERIC_SENSOR = {
  value: {
    name: 'ipmi_sensor_value',
    help: 'Generic data read from an IPMI sensor of unknown type, relying on labels for context.',
    labelNames: ['id', 'name', 'type'],
  } as GaugeSpec<'id' | 'name' | 'type'>,
  state: {
    name: 'ipmi_sensor_state',
    help: 'Indicates the severity of the state reported by an IPMI sensor (0=nominal, 1=warning, 2=critical).',
    labelNames: ['id', 'name', 'type'],
  } as GaugeSpec<'id' | 'name' | 'type'>,
};

/** Which typed family a sensor's unit selects, as ipmi_exporter switches on FreeIPMI's unit abbreviation. */
function family(d: SensorDescriptor): { value: GaugeSpec<IdName>; state: GaugeSpec<IdName>; scale: number } | undefined {
  const f = SENSOR_FAMILIES;
  switch (d.unit) {
    case 'rpm':
      return { value: f.fanRpm, state: f.fanState, scale: 1 };
    case 'celsius':
      return { value: f.temperature, state: f.temperatureState, scale: 1 };
    case 'amperes':
      return { value: f.current, state: f.currentState, scale: 1 };
    case 'volts':
      return { value: f.voltage, state: f.voltageState, scale: 1 };
    case 'watts':
      return { value: f.power, state: f.powerState, scale: 1 };
    case 'percent':
      return d.sensorType === 0x04 ? { value: f.fanRatio, state: f.fanState, scale: 0.01 } : undefined;
    default:
      return undefined;
  }
}

/** FreeIPMI prints readings with two decimals; ipmi_exporter parses that text. */
const twoDecimals = (v: number) => Number(v.toFixed(2));

/** A reading as the sensor's family exports it: rounded as FreeIPMI prints it, scaled. */
function exported(p: SensorPlan, reading: number): number {
  if (reading !== p.lastReading) {
    p.lastValue = twoDecimals(reading) * p.scale;
    p.lastReading = reading;
  }
  return p.lastValue;
}

function stateOf(r: SensorReading): FreeIpmiState {
  if (!r.available) return 'N/A';
  const d = r.descriptor;
  if (d.isThreshold) return r.state === 'critical' || r.state === 'non-recoverable' ? 'Critical' : 'Nominal';
  return discreteSensorState(d.sensorType, d.eventReadingType, r.discreteStates ?? 0);
}

/** How one sensor is exported: its two families and their label text (fixed for a sensor list), and its last value. */
interface SensorPlan {
  descriptor: SensorDescriptor;
  value: GaugeSpec<string>;
  state: GaugeSpec<string>;
  /** `{id="…",name="…"}`, or with `type` for the generic families. */
  labels: string;
  /** Applied to the reading: 0.01 for a fan's percent as ipmi_fan_speed_ratio, else 1. */
  scale: number;
  /**
   * The last reading and the value exported for it (twoDecimals, scaled): a
   * sensor mostly reads the same from one scrape to the next, and the
   * rounding goes through a string. Any BMC with this sensor list may set
   * it; the value is a function of the reading alone.
   */
  lastReading: number;
  lastValue: number;
}

/**
 * The sensors a module exports and how, per sensor list and exclude set:
 * the list is a new array only when the SDR is re-walked (and is shared by
 * BMCs with identical SDRs), the set a new one only when the modules file is
 * reloaded, so a warm scrape builds no label text and picks no family.
 */
const plans = new WeakMap<readonly SensorDescriptor[], WeakMap<ReadonlySet<number>, readonly SensorPlan[]>>();

function planFor(sensors: readonly SensorDescriptor[], exclude: ReadonlySet<number>): readonly SensorPlan[] {
  let byExclude = plans.get(sensors);
  if (!byExclude) plans.set(sensors, (byExclude = new WeakMap()));
  let plan = byExclude.get(exclude);
  if (plan) return plan;
  plan = sensors
    .filter((d) => d.readable && !d.bridged && !exclude.has(d.recordId))
    .map((d): SensorPlan => {
      const id = String(d.recordId);
      const typed = d.isThreshold ? family(d) : undefined;
      return typed
        ? {
            descriptor: d,
            value: typed.value,
            state: typed.state,
            labels: labelText({ id, name: d.name }),
            scale: typed.scale,
            lastReading: NaN,
            lastValue: NaN,
          }
        : {
            descriptor: d,
            value: GENERIC_SENSOR.value,
            state: GENERIC_SENSOR.state,
            labels: labelText({ id, name: d.name, type: freeipmiSensorTypeName(d.sensorType) }),
            scale: 1,
            lastReading: NaN,
            lastValue: NaN,
          };
    });
  byExclude.set(exclude, plan);
  return plan;
}

/**
 * The `ipmi` collector (ipmimonitoring in ipmi_exporter): every sensor the
 * BMC itself owns, labelled with FreeIPMI's record id and ID string, minus the
 * module's exclude_sensor_ids. Readings are one Get Sensor Reading each on
 * the cached SDR; a sensor with no reading is NaN with state NaN, as
 * ipmimonitoring's N/A.
 */
export const ipmiSensorsCollector: CompatCollector = {
  name: 'ipmi',
  async collect(ctx) {
    const plan = planFor(await ctx.target.sensors(ctx.signal), ctx.module.excludeSensorIds);
    for (const p of plan) {
      const d = p.descriptor;
      // One at a time: the BMC's queue serialises them anyway, and each read holds an abort listener.
      const r = await ctx.readSensor(d);
      ctx.out.setLabelled(p.value, p.labels, r.available && d.isThreshold && r.value !== null ? exported(p, r.value) : NaN);
      ctx.out.setLabelled(p.state, p.labels, STATE_VALUES[stateOf(r)]);
    }
  },
};
