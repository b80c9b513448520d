import type { SensorDescriptor } from '@bmc-exporter/ipmi';
import { perSensorList, type Collector } from './collector.js';
import { isReadable } from './sensor-selection.js';

/** The names gebn/bmc_exporter's README announced as its next step. */
export const CHASSIS_INTAKE_TEMPERATURE = {
  name: 'chassis_intake_temperature_celsius',
  help: 'The temperature of the air entering the chassis, in degrees celsius.',
} as const;
export const CHASSIS_EXHAUST_TEMPERATURE = {
  name: 'chassis_exhaust_temperature_celsius',
  help: 'The temperature of the air leaving the chassis, in degrees celsius.',
} as const;

/** Table 42-3 sensor type 0x01 Temperature. */
const TEMPERATURE_SENSOR_TYPE = 0x01;

/** Table 43-13 entity IDs that mean "the air coming in". */
export const INTAKE_ENTITIES = {
  /** Air Inlet (added in IPMI v2.0 rev 1.1; HPE iLO's "01-Inlet Ambient" is 55.1) */
  airInlet: 0x37,
  /** DCMI v1.5 §6.7 inlet temperature entity (the same thing for DCMI tools) */
  dcmiAirInlet: 0x40,
} as const;

/** Table 43-13 0x0C Front Panel Board: Intel-derived boards measure the inlet there ("Front Panel Temp", NEC's "Fnt Pnl Temp"). */
const FRONT_PANEL_BOARD = 0x0c;

/**
 * Entities of one component rather than the chassis: a name match on these
 * ("PSU1 Inlet Temp", "GPU3 Outlet") is that component's air, not the chassis'.
 */
const COMPONENT_ENTITIES: ReadonlySet<number> = new Set([
  0x03, // processor
  0x04, // disk or disk bay
  0x08, // memory module
  0x09, // processor module
  0x0a, // power supply
  0x0b, // add-in card (GPUs, NICs)
  0x14, // power module / DC-to-DC converter
  0x20, // memory device
  0x28, // battery
  0x41, // DCMI processor
]);

/** Names that say intake (Dell "Inlet Temp", HPE "01-Inlet Ambient") and exhaust (Dell "Exhaust Temp", Intel "Exit Air Temp"). */
export const INTAKE_NAME = /inlet|intake|ambient/i;
export const EXHAUST_NAME = /exhaust|outlet|exit air/i;

/**
 * Which temperature sensor is the intake and which the exhaust; at most one
 * each, never two series. Candidates are readable analog celsius sensors of
 * type Temperature, in SDR order; the first match of the first rule that has
 * any wins (a stable choice, so the series never jumps between sensors):
 *   intake  1. entity 0x37 air inlet or DCMI 0x40 inlet;
 *           2. a name matching INTAKE_NAME on a chassis-level entity — for
 *              BMCs that put the inlet on the system board (Dell: 7.1);
 *           3. entity 0x0C front panel board.
 *   exhaust 1. a name matching EXHAUST_NAME on a chassis-level entity: Table
 *              43-13 has no exhaust entity, so vendors put it on the system
 *              board (Dell 7.1) or elsewhere and only the name tells.
 * The exhaust is never the sensor chosen as intake, and a name matching both
 * patterns ("Inlet/Outlet Temp") is taken for neither.
 */
export function chassisTemperatureSensors(sensors: readonly SensorDescriptor[]): {
  intake: SensorDescriptor | undefined;
  exhaust: SensorDescriptor | undefined;
} {
  const temps = sensors.filter((s) => s.sensorType === TEMPERATURE_SENSOR_TYPE && s.unit === 'celsius' && s.hasAnalogReading && isReadable(s));
  const chassisLevel = temps.filter((s) => !COMPONENT_ENTITIES.has(s.entityId));
  const intakeEntities: ReadonlySet<number> = new Set(Object.values(INTAKE_ENTITIES));
  const intake =
    temps.find((s) => intakeEntities.has(s.entityId)) ??
    chassisLevel.find((s) => INTAKE_NAME.test(s.name) && !EXHAUST_NAME.test(s.name)) ??
    temps.find((s) => s.entityId === FRONT_PANEL_BOARD);
  const exhaust = chassisLevel.find((s) => s !== intake && EXHAUST_NAME.test(s.name) && !INTAKE_NAME.test(s.name));
  // One shape for every result: spread-built objects each got a hidden class of their own.
  return { intake, exhaust };
}

const chassisTemperatureSensorsOf = perSensorList(chassisTemperatureSensors);

/** Up to two Get Sensor Reading per scrape (shared with the other collectors through the scrape's cache). */
export const chassisTemperatureCollector: Collector = {
  name: 'chassis_temperature',
  async collect(ctx) {
    const { intake, exhaust } = chassisTemperatureSensorsOf(await ctx.target.sensors(ctx.signal));
    for (const [sensor, spec] of [
      [intake, CHASSIS_INTAKE_TEMPERATURE],
      [exhaust, CHASSIS_EXHAUST_TEMPERATURE],
    ] as const) {
      if (!sensor) continue;
      const r = await ctx.readSensor(sensor);
      if (r.value !== null && Number.isFinite(r.value)) ctx.out.set(spec, r.value);
    }
  },
};
