import {
  CompletionCodeError,
  dcmiGetPowerReading,
  IpmiError,
  MalformedPacketError,
  readSensor,
  TimeoutError,
  type DcmiPowerReading,
  type Execute,
  type SensorDescriptor,
  type SensorReadHandler,
  type SensorReading,
} from '@bmc-exporter/ipmi';
import type { CollectContext, CollectTarget } from '../collectors/collector.js';
import type { Exposition } from '../metrics/exposition.js';

/** Why one sensor's reading could not be used (the self-metric's reason label). */
export type SensorFaultReason = 'malformed' | 'completion-code' | 'error';
export const SENSOR_FAULT_REASONS: readonly SensorFaultReason[] = ['malformed', 'completion-code', 'error'];

/**
 * The reason when `err` is about one sensor's answer, undefined when it is
 * about the BMC or the scrape (timeout, session lost, deadline): a short or
 * undecodable answer, a completion code other than "not present", or a fault
 * of our own in turning the answer into a value.
 */
export function sensorFaultReason(err: unknown): SensorFaultReason | undefined {
  if (err instanceof MalformedPacketError) return 'malformed';
  if (err instanceof CompletionCodeError) return 'completion-code';
  if (!(err instanceof IpmiError)) return 'error';
  return undefined;
}

/** Told once per sensor per scrape when its reading failed but the scrape goes on. */
export type SensorFaultListener = (descriptor: SensorDescriptor, reason: SensorFaultReason, err: unknown) => void;

/** Told about what a scrape read, for the console's snapshot of the BMC. */
export interface ScrapeObserver {
  sensorRead(descriptor: SensorDescriptor, reading: SensorReading | Error): void;
  powerRead(reading: DcmiPowerReading | null): void;
}

/**
 * The context one scrape hands to each collector in turn. Readings are
 * memoised for this scrape only (by owner:lun:number, the sensor's identity
 * on the wire), so a sensor two collectors want costs one Get Sensor Reading,
 * and the next scrape reads it afresh. A failed read is memoised too: within
 * one scrape, asking the same silent BMC again would only spend the deadline.
 * A fault of one sensor's answer (sensorFaultReason) is isolated: it is told
 * to `onSensorFault` once and the sensor reads as unavailable, so the sensors
 * after it are still read; failures of the BMC or the scrape still reject.
 */
export function createScrapeContext(
  target: CollectTarget,
  execute: Execute,
  signal: AbortSignal,
  out: Exposition,
  deadline = Infinity,
  onSensorFault: SensorFaultListener = () => undefined,
  observer?: ScrapeObserver,
): CollectContext {
  const readings = new ScrapeReadings(execute, signal, onSensorFault, observer);
  let power: Promise<DcmiPowerReading | null> | undefined;
  return {
    target,
    execute,
    signal,
    out,
    deadline,
    readSensor: (descriptor) => readings.read(descriptor),
    dcmiPowerReading: () => (power ??= readPower(target, execute, signal, observer)),
  };
}

/**
 * One scrape's sensor readings: each memoised by key, its fault isolated,
 * told to the observer. It is readSensor's handler for every sensor of the
 * scrape, so a reading costs the library's promise and no closure, async
 * step or options object of the scrape's own.
 */
export class ScrapeReadings implements SensorReadHandler<SensorReading> {
  private readonly readings = new Map<string, Promise<SensorReading>>();
  /** Every Get Sensor Reading of the scrape is sent with this one object (LUN 0: as it is). */
  private readonly options: { signal: AbortSignal };

  constructor(
    private readonly execute: Execute,
    signal: AbortSignal,
    private readonly onSensorFault: SensorFaultListener,
    private readonly observer: ScrapeObserver | undefined,
  ) {
    this.options = { signal };
  }

  /** The sensor's reading for this scrape: read on first ask, the same promise after. */
  read(descriptor: SensorDescriptor): Promise<SensorReading> {
    let p = this.readings.get(descriptor.key);
    if (!p) this.readings.set(descriptor.key, (p = readSensor(this.execute, descriptor, this.options, this)));
    return p;
  }

  sensorRead(descriptor: SensorDescriptor, reading: SensorReading): SensorReading {
    this.observer?.sensorRead(descriptor, reading);
    return reading;
  }

  /** One sensor's unusable answer reads as unavailable; a failure of the BMC or the scrape (or any failure once the deadline fired) rejects. */
  sensorFailed(descriptor: SensorDescriptor, err: unknown): SensorReading {
    const reason = this.options.signal.aborted ? undefined : sensorFaultReason(err);
    if (reason === undefined) {
      this.observer?.sensorRead(descriptor, err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    this.onSensorFault(descriptor, reason, err);
    return this.sensorRead(descriptor, { descriptor, value: null, state: 'unavailable', available: false });
  }
}

async function readPower(target: CollectTarget, execute: Execute, signal: AbortSignal, observer: ScrapeObserver | undefined): Promise<DcmiPowerReading | null> {
  let reading: DcmiPowerReading | null = null;
  if (await target.dcmiPowerSupported(signal)) {
    try {
      reading = await execute(dcmiGetPowerReading, {}, { signal });
    } catch (err) {
      // A rejection, or silence while the session itself still answers, means the
      // BMC claims DCMI power but does not serve it: not a read failure, and not
      // worth asking again this session (bmc_exporter stops asking too).
      if (!(err instanceof CompletionCodeError || (err instanceof TimeoutError && !signal.aborted))) throw err;
      target.dcmiPowerUnsupported();
    }
  }
  observer?.powerRead(reading);
  return reading;
}
