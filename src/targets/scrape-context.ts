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
  const scrape: ScrapeState = { execute, options: { signal }, onSensorFault, observer, readings: new Map() };
  let power: Promise<DcmiPowerReading | null> | undefined;
  return {
    target,
    execute,
    signal,
    out,
    deadline,
    readSensor(descriptor: SensorDescriptor): Promise<SensorReading> {
      let p = scrape.readings.get(descriptor.key);
      if (!p) scrape.readings.set(descriptor.key, (p = readOnce(scrape, descriptor)));
      return p;
    },
    dcmiPowerReading: () => (power ??= readPower(target, execute, signal, observer)),
  };
}

/** What one scrape's readings share: made once per scrape, so a reading allocates no closure of its own. */
interface ScrapeState {
  execute: Execute;
  options: { signal: AbortSignal };
  onSensorFault: SensorFaultListener;
  observer: ScrapeObserver | undefined;
  readings: Map<string, Promise<SensorReading>>;
}

/** One sensor's reading for this scrape (memoised by the caller), its fault isolated, told to the observer. */
async function readOnce(scrape: ScrapeState, descriptor: SensorDescriptor): Promise<SensorReading> {
  let reading: SensorReading;
  try {
    reading = await readSensor(scrape.execute, descriptor, scrape.options);
  } catch (err) {
    const reason = scrape.options.signal.aborted ? undefined : sensorFaultReason(err);
    if (reason === undefined) {
      scrape.observer?.sensorRead(descriptor, err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    scrape.onSensorFault(descriptor, reason, err);
    reading = { descriptor, value: null, state: 'unavailable', available: false };
  }
  scrape.observer?.sensorRead(descriptor, reading);
  return reading;
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
