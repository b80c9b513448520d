import type { SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';
import { setGauge, type GaugeSpec } from '../../collectors/collector.js';
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

function stateOf(r: SensorReading): FreeIpmiState {
  if (!r.available) return 'N/A';
  const d = r.descriptor;
  if (d.isThreshold) return r.state === 'critical' || r.state === 'non-recoverable' ? 'Critical' : 'Nominal';
  return discreteSensorState(d.sensorType, d.eventReadingType, r.discreteStates ?? 0);
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
    const sensors = (await ctx.target.sensors(ctx.signal)).filter((d) => d.readable && !d.bridged && !ctx.module.excludeSensorIds.has(d.recordId));
    for (const d of sensors) {
      // One at a time: the BMC's queue serialises them anyway, and each read holds an abort listener.
      const r = await ctx.readSensor(d);
      const state = STATE_VALUES[stateOf(r)];
      const raw = r.available && d.isThreshold && r.value !== null ? twoDecimals(r.value) : NaN;
      const id = String(d.recordId);
      const typed = d.isThreshold ? family(d) : undefined;
      if (typed) {
        setGauge(ctx.registry, typed.value, raw * typed.scale, { id, name: d.name });
        setGauge(ctx.registry, typed.state, state, { id, name: d.name });
      } else {
        const labels = { id, name: d.name, type: freeipmiSensorTypeName(d.sensorType) };
        setGauge(ctx.registry, GENERIC_SENSOR.value, raw, labels);
        setGauge(ctx.registry, GENERIC_SENSOR.state, state, labels);
      }
    }
  },
};
