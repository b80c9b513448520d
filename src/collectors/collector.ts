import type { DcmiPowerReading, DeviceId, Execute, SensorDescriptor, SensorReading } from '@bmc-exporter/ipmi';
import { type Exposition, labelText } from '../metrics/exposition.js';
import type { SelState } from './sel-state.js';

/** What a collector may ask of its target: per-session facts, each fetched at most once per session, and state kept across scrapes. */
export interface CollectTarget {
  /** "2.0" or "1.5": the IPMI version of the session in use. */
  readonly ipmiVersion: string;
  /** Get Device ID and Get System GUID (null when the BMC has no GUID), cached per session. */
  deviceInfo(signal: AbortSignal): Promise<{ device: DeviceId; guid: Buffer | null }>;
  /** Sensor descriptors from the SDR, walked once per session and re-walked only when the repository changed. */
  sensors(signal: AbortSignal): Promise<readonly SensorDescriptor[]>;
  /** Whether DCMI Get Power Reading is worth asking for, found once per session. */
  dcmiPowerSupported(signal: AbortSignal): Promise<boolean>;
  /** The BMC turned out not to answer Get Power Reading after all: stop asking this session. */
  dcmiPowerUnsupported(): void;
  /** The SEL collector's aggregates and cursor for this BMC, kept across sessions for as long as the target. */
  selState(): SelState;
  /**
   * Before the first SEL read of the target's life: take back the state an
   * earlier exporter kept for this same BMC (--sdr.cache-dir), so a restart
   * reads only what was logged since. Undefined when there is nothing to
   * do (every call after the first): a warm scrape awaits nothing for it.
   */
  restoreSelState?(signal: AbortSignal): Promise<void> | undefined;
  /** The SEL collector is done with selState() for this scrape: keep it if it changed (on disk with --sdr.cache-dir). */
  selStateRead?(): void;
}

export interface CollectContext {
  target: CollectTarget;
  /** The BMC's command queue (one command in flight per BMC). */
  execute: Execute;
  /** The scrape deadline. Every command is sent with it. */
  signal: AbortSignal;
  /** This scrape's answer. Gauges are set as values arrive, so a collector cut off by the deadline keeps what it set. */
  out: Exposition;
  /**
   * When `signal` fires, in performance.now() milliseconds (Infinity when the
   * caller gave none), for collectors that pace long reads (the SEL) and stop
   * with time to spare rather than lose a command in flight to the abort.
   */
  deadline: number;
  /**
   * Get Sensor Reading for one sensor, sent at most once per scrape: several
   * collectors want the same sensor (sensor_health reads every threshold
   * sensor, fans and voltages some of the same), and a warm scrape sends one
   * round trip per datum. Absent/unavailable sensors resolve to an
   * unavailable reading, and so does a sensor whose own answer was unusable
   * (short, undecodable, refused with a completion code: counted and reported
   * by the scrape, so one bad sensor never hides the others); failures of the
   * BMC or the scrape (timeout, session lost, deadline) reject.
   */
  readSensor(descriptor: SensorDescriptor): Promise<SensorReading>;
  /**
   * DCMI Get Power Reading, at most once per scrape, or null when the BMC does
   * not support DCMI power management (then nothing was sent this scrape, and
   * after the first answer nothing DCMI is sent again this session).
   */
  dcmiPowerReading(): Promise<DcmiPowerReading | null>;
}

/**
 * One family of /bmc metrics. collect() throws on a genuine read failure
 * (timeout, BMC error); sensors the BMC reports absent or unavailable are
 * skipped silently.
 */
export interface Collector {
  readonly name: string;
  collect(ctx: CollectContext): Promise<void>;
}

export type { GaugeSpec } from '../metrics/exposition.js';

/**
 * A selection over a target's sensor list, made once per list rather than on
 * every scrape: the list is a new array only when the SDR is re-walked, and
 * BMCs with identical SDRs share one list (SessionCache), so the maps and
 * label strings are built once for all of them. The result is shared: never mutate it.
 */
export function perSensorList<T>(select: (sensors: readonly SensorDescriptor[]) => T): (sensors: readonly SensorDescriptor[]) => T {
  const memo = new WeakMap<readonly SensorDescriptor[], { value: T }>();
  return (sensors) => {
    let hit = memo.get(sensors);
    if (!hit) memo.set(sensors, (hit = { value: select(sensors) }));
    return hit.value;
  };
}

/**
 * A selection keyed by label value as [label text, sensor] pairs for one
 * label name (`{fan="FAN1"}`), in the same order, for setLabelled(): made
 * once per sensor list (with perSensorList), so a scrape builds no label text.
 */
export function withLabelText(chosen: ReadonlyMap<string, SensorDescriptor>, name: string): Array<readonly [string, SensorDescriptor]> {
  return [...chosen].map(([value, sensor]) => [labelText({ [name]: value }), sensor] as const);
}
