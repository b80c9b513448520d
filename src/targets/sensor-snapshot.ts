import type { DcmiPowerReading, SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';

/**
 * What a reading left in the snapshot, one small integer per sensor. The
 * threshold levels are sensor_threshold_state's numbers plus one.
 */
export const READING_STATES = {
  /** no scrape has read this sensor yet */
  unread: 0,
  ok: 1,
  'non-critical': 2,
  critical: 3,
  'non-recoverable': 4,
  /** the BMC says the sensor is absent or has no reading now */
  unavailable: 5,
  /** a discrete sensor: its asserted states, no threshold level */
  discrete: 6,
  /** Get Sensor Reading failed (timeout, BMC error) */
  failed: 7,
} as const;

export type ReadingState = keyof typeof READING_STATES;
const STATE_NAMES = Object.keys(READING_STATES) as ReadingState[];

/** A sensor as the console shows it. */
export interface SensorView {
  sensor: SensorDescriptor;
  state: ReadingState;
  /** Engineering value; null without an analog reading. */
  value: number | null;
  /** Discrete sensors: the asserted offsets 0-14 as a bit field. */
  discreteStates: number | null;
}

export interface PowerView {
  currentWatts: number;
  minimumWatts: number;
  maximumWatts: number;
  averageWatts: number;
  periodSeconds: number;
}

/** Per sensor list (shared by every target with the same SDR): where each sensor sits. */
const indexes = new WeakMap<readonly SensorDescriptor[], Map<string, number>>();
function indexOf(list: readonly SensorDescriptor[], key: string): number | undefined {
  let m = indexes.get(list);
  if (!m) indexes.set(list, (m = new Map(list.map((s, i) => [s.key, i] as const))));
  return m.get(key);
}

/** The DCMI power reading's five values, after the sensors' slots. */
const POWER_SLOTS = 5;

/**
 * The latest reading of each sensor of one BMC, kept between scrapes so the
 * console shows them without asking the BMC again. Compact on purpose (the
 * exporter holds one per target): the sensor descriptors are the SDR list the
 * scrapes already share; per sensor there are two float64 slots, the value
 * and the state code plus the discrete bits, and after them the DCMI power
 * reading, all in one typed array (each typed array costs ~200 bytes of
 * bookkeeping besides its data) reused from scrape to scrape while the SDR
 * stays the same. A sensor a scrape did not read keeps its earlier reading.
 */
export class SensorSnapshot {
  private list: readonly SensorDescriptor[] | undefined;
  /** [value, state | discrete << 3] per sensor, in list order, then POWER_SLOTS for DCMI. */
  private slots: Float64Array | undefined;
  /** The DCMI slots hold an active power reading. */
  private hasPower = false;
  /** When a scrape last read any sensor (ms since the epoch); 0: never. */
  readAt = 0;

  /** The slots for `list` (`list` undefined: for whatever list is held), the power reading carried over. */
  private slotsFor(list: readonly SensorDescriptor[] | undefined): Float64Array {
    if (this.slots && (list === undefined || list === this.list)) return this.slots;
    const sensors = (list ?? this.list)?.length ?? 0;
    const slots = new Float64Array(sensors * 2 + POWER_SLOTS);
    if (this.slots && this.hasPower) slots.set(this.slots.subarray(this.slots.length - POWER_SLOTS), sensors * 2);
    if (list) this.list = list;
    return (this.slots = slots);
  }

  /** A reading (or a failed read) of `sensor`, one of `list`'s descriptors, at wall-clock `now`. */
  record(list: readonly SensorDescriptor[], sensor: SensorDescriptor, reading: SensorReading | Error, now: number): void {
    const i = indexOf(list, sensor.key);
    if (i === undefined) return;
    const slots = this.slotsFor(list);
    this.readAt = now;
    if (reading instanceof Error) {
      slots[2 * i + 1] = READING_STATES.failed;
      return;
    }
    slots[2 * i] = reading.value !== null && Number.isFinite(reading.value) ? reading.value : Number.NaN;
    const state = reading.state === 'discrete' && !reading.available ? 'unavailable' : reading.state;
    slots[2 * i + 1] = READING_STATES[state] + (reading.discreteStates ?? 0) * 8;
  }

  power(p: DcmiPowerReading | null): void {
    if (!p?.powerMeasurementActive) {
      this.hasPower = false;
      return;
    }
    const slots = this.slotsFor(undefined);
    slots.set([p.currentWatts, p.minimumWatts, p.maximumWatts, p.averageWatts, p.statisticsReportingPeriodSeconds], slots.length - POWER_SLOTS);
    this.hasPower = true;
  }

  /** The last DCMI power reading, when the BMC had an active one. */
  get powerView(): PowerView | undefined {
    if (!this.hasPower || !this.slots) return undefined;
    const d = this.slots.subarray(this.slots.length - POWER_SLOTS);
    return { currentWatts: d[0]!, minimumWatts: d[1]!, maximumWatts: d[2]!, averageWatts: d[3]!, periodSeconds: d[4]! };
  }

  /** Every sensor of the SDR, in SDR order, with what the scrapes last read of it. */
  sensors(): SensorView[] {
    const list = this.list;
    const slots = this.slots;
    if (!list || !slots) return [];
    return list.map((sensor, i) => {
      const code = slots[2 * i + 1]!;
      const state = STATE_NAMES[code % 8]!;
      const v = slots[2 * i]!;
      const discrete = Math.floor(code / 8);
      return {
        sensor,
        state,
        value: state === 'failed' || state === 'unread' || Number.isNaN(v) || !sensor.hasAnalogReading ? null : v,
        discreteStates: state === 'discrete' ? discrete : null,
      };
    });
  }

  /** The worst threshold level now (0 ok … 3 non-recoverable); -1 when no threshold sensor was read. */
  worstLevel(): number {
    const slots = this.slots;
    if (!slots || !this.list) return -1;
    let worst = -1;
    for (let i = 1; i < this.list.length * 2; i += 2) {
      const code = slots[i]! % 8;
      if (code >= READING_STATES.ok && code <= READING_STATES['non-recoverable'] && code - 1 > worst) worst = code - 1;
    }
    return worst;
  }
}
