/**
 * A sensor's state as FreeIPMI's sensor interpretation reports it
 * (ipmimonitoring --output-sensor-state, with the defaults of its
 * freeipmi_interpret_sensor.conf), which is what ipmi_exporter turns into
 * ipmi_*_state: Nominal 0, Warning 1, Critical 2, N/A NaN.
 *
 * The defaults, restated here from that file's documented table in our own
 * form: a threshold sensor is Critical at or past a critical or
 * non-recoverable threshold and Nominal otherwise (a non-critical crossing
 * is Nominal by default). A discrete sensor takes the worst severity of its
 * asserted offsets; offsets not listed are Nominal; a sensor type and
 * reading type pair the interpretation does not know is N/A.
 */
export type FreeIpmiState = 'Nominal' | 'Warning' | 'Critical' | 'N/A';

export const STATE_VALUES: Record<FreeIpmiState, number> = { Nominal: 0, Warning: 1, Critical: 2, 'N/A': NaN };

type Severity = 'W' | 'C';
/** offset -> severity for the non-nominal offsets of one state group. */
type Offsets = Readonly<Record<number, Severity>>;

const range = (from: number, to: number, s: Severity): Record<number, Severity> => {
  const out: Record<number, Severity> = {};
  for (let i = from; i <= to; i++) out[i] = s;
  return out;
};

/** Sensor-specific offsets (event/reading type 0x6F), IPMI v2.0 Table 42-3, by sensor type. */
const SENSOR_SPECIFIC: Readonly<Record<number, Offsets>> = {
  0x05: range(0, 6, 'C'), // physical security: every intrusion / leash-lost offset
  0x06: range(0, 5, 'C'), // platform security violation attempts
  0x07: { ...range(0, 6, 'C'), 8: 'C', 9: 'C', 10: 'W', 11: 'C', 12: 'W' }, // processor (7 = presence)
  0x08: { ...range(1, 6, 'C'), 7: 'W' }, // power supply (0 = presence)
  0x09: { 2: 'W', 3: 'W', 4: 'C', 5: 'C', 6: 'C', 7: 'C' }, // power unit
  0x0c: { 0: 'W', 1: 'C', 2: 'C', 3: 'C', 4: 'C', 5: 'W', 7: 'C', 9: 'W', 10: 'C' }, // memory
  0x0d: { 1: 'C', 2: 'C', 5: 'C', 6: 'C', 8: 'C' }, // drive slot
  0x0f: { 0: 'C', 1: 'C' }, // system firmware progress: error, hang
  0x10: { 0: 'C', 1: 'C', 3: 'C', 4: 'C', 5: 'W', 6: 'C' }, // event logging disabled
  0x12: { 0: 'W', 2: 'C', 5: 'W' }, // system event
  0x13: { ...range(0, 11, 'C'), 3: 'W', 7: 'W', 11: 'W' }, // critical interrupt
  0x14: { 3: 'W', 4: 'W' }, // button/switch: FRU latch open, service request
  0x1b: { 1: 'C' }, // cable/interconnect configuration error
  0x1e: { ...range(0, 3, 'C'), 4: 'W' }, // boot error
  0x1f: { 6: 'W', 9: 'W', 10: 'C' }, // OS boot
  0x21: { 0: 'C', 1: 'W', 6: 'W', 7: 'W', 8: 'W' }, // slot/connector
  0x22: {}, // system ACPI power state
  0x23: { 0: 'W', 1: 'C', 2: 'C', 3: 'C', 8: 'W' }, // watchdog 2
  0x25: { 1: 'C', 2: 'C' }, // entity presence: absent, disabled
  0x28: range(0, 5, 'C'), // management subsystem health
  0x29: { 0: 'W', 1: 'C' }, // battery low, failed
  0x2a: { 2: 'W', 3: 'C' }, // session audit
  0x2b: { 0: 'W', 1: 'W', 2: 'C', 3: 'C', 4: 'C', 5: 'C' }, // version change
  0x2c: { 0: 'C', 1: 'C', 2: 'W', 3: 'W', 5: 'W', 6: 'W', 7: 'C' }, // FRU state
};

const T = {
  temperature: 0x01,
  voltage: 0x02,
  current: 0x03,
  fan: 0x04,
  processor: 0x07,
  powerSupply: 0x08,
  powerUnit: 0x09,
  cooling: 0x0a,
  memory: 0x0c,
  driveSlot: 0x0d,
  postResize: 0x0e,
  firmwareProgress: 0x0f,
  systemEvent: 0x12,
  button: 0x14,
  moduleBoard: 0x15,
  chassis: 0x18,
  chipSet: 0x19,
  cable: 0x1b,
  bootError: 0x1e,
  osStop: 0x20,
  slot: 0x21,
  platformAlert: 0x24,
  entityPresence: 0x25,
  mgmtHealth: 0x28,
} as const;

/** Generic event/reading types (IPMI v2.0 Table 42-2): the sensor types each is interpreted for, and its offsets. */
const GENERIC: ReadonlyArray<{ readingType: number; types: Readonly<Record<number, Offsets>> }> = [
  // 0x03 state deasserted (0) / asserted (1)
  {
    readingType: 0x03,
    types: {
      [T.temperature]: { 1: 'W' },
      [T.voltage]: { 1: 'W' },
      [T.fan]: { 1: 'W' },
      [T.processor]: { 1: 'C' },
      [T.powerSupply]: { 1: 'W' },
      [T.powerUnit]: { 1: 'W' },
      [T.memory]: { 1: 'C' },
      [T.driveSlot]: { 0: 'W' },
      [T.postResize]: { 1: 'W' },
      [T.firmwareProgress]: { 1: 'W' },
      [T.systemEvent]: { 1: 'W' },
      [T.button]: {},
      [T.moduleBoard]: { 1: 'C' },
      [T.bootError]: { 1: 'C' },
      [T.osStop]: { 1: 'C' },
      [T.platformAlert]: { 1: 'C' },
    },
  },
  // 0x04 predictive failure deasserted / asserted
  { readingType: 0x04, types: { [T.driveSlot]: { 1: 'C' } } },
  // 0x05 limit not exceeded / exceeded
  { readingType: 0x05, types: { [T.temperature]: { 1: 'C' }, [T.voltage]: { 1: 'C' } } },
  // 0x06 performance met / lags
  { readingType: 0x06, types: { [T.voltage]: { 1: 'C' } } },
  // 0x07 severity: 1 to non-critical from OK, 2/3 to critical/non-recoverable from less severe,
  // 4 non-critical from more severe, 5 critical from non-recoverable, 6 non-recoverable, 7 monitor
  {
    readingType: 0x07,
    types: Object.fromEntries(
      [
        T.temperature,
        T.voltage,
        T.current,
        T.fan,
        T.powerSupply,
        T.powerUnit,
        T.memory,
        T.driveSlot,
        T.firmwareProgress,
        T.systemEvent,
        T.button,
        T.chassis,
        T.chipSet,
        T.cable,
        T.bootError,
        T.slot,
        T.mgmtHealth,
      ].map((t) => [t, { 1: 'W', 2: 'C', 3: 'C', 4: 'W', 5: 'C', 6: 'C', 7: 'W' } as Offsets]),
    ),
  },
  // 0x08 device removed/absent (0) / inserted/present (1)
  {
    readingType: 0x08,
    types: Object.fromEntries(
      [T.fan, T.powerUnit, T.driveSlot, T.firmwareProgress, T.moduleBoard, T.entityPresence, T.mgmtHealth].map((t) => [t, { 0: 'C' } as Offsets]),
    ),
  },
  // 0x0A availability: 1 in test ... 7 power save, 6 degraded, 8 install error
  { readingType: 0x0a, types: { [T.fan]: { ...range(1, 7, 'W'), 6: 'C', 8: 'C' } } },
  // 0x0B redundancy: 1 lost, 2 degraded, 3-5 non-redundant, 6/7 degraded
  {
    readingType: 0x0b,
    types: Object.fromEntries(
      [T.fan, T.powerSupply, T.powerUnit, T.cooling, T.memory].map((t) => [t, { 1: 'C', 2: 'W', 3: 'C', 4: 'C', 5: 'C', 6: 'W', 7: 'W' } as Offsets]),
    ),
  },
];

/** Threshold comparison status (Get Sensor Reading byte 3, IPMI v2.0 Table 35-15): bits 1, 2 (lower critical, non-recoverable), 4, 5 (upper). */
export function thresholdSensorState(stateByte: number | undefined): FreeIpmiState {
  if (stateByte === undefined) return 'Nominal';
  return (stateByte & 0b0011_0110) !== 0 ? 'Critical' : 'Nominal';
}

/** A discrete sensor's state from its asserted offsets (bit n = offset n). */
export function discreteSensorState(sensorType: number, readingType: number, asserted: number): FreeIpmiState {
  const table = readingType === 0x6f ? SENSOR_SPECIFIC[sensorType] : GENERIC.find((g) => g.readingType === readingType)?.types[sensorType];
  if (!table) return 'N/A';
  let worst: FreeIpmiState = 'Nominal';
  for (let offset = 0; offset < 15; offset++) {
    if ((asserted & (1 << offset)) === 0) continue;
    const s = table[offset];
    if (s === 'C') return 'Critical';
    if (s === 'W') worst = 'Warning';
  }
  return worst;
}
