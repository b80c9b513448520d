import {
  CompletionCodeError,
  dcmiGetPowerReading,
  readSensor,
  TimeoutError,
  type DcmiPowerReading,
  type Execute,
  type SensorDescriptor,
  type SensorReading,
} from '@bmc-exporter/ipmi';
import type { Registry } from 'prom-client';
import type { CollectContext, CollectTarget } from '../collectors/collector.js';

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
 */
export function createScrapeContext(
  target: CollectTarget,
  execute: Execute,
  signal: AbortSignal,
  registry: Registry,
  deadline = Infinity,
  observer?: ScrapeObserver,
): CollectContext {
  const readings = new Map<string, Promise<SensorReading>>();
  let power: Promise<DcmiPowerReading | null> | undefined;

  const readPower = async (): Promise<DcmiPowerReading | null> => {
    if (!(await target.dcmiPowerSupported(signal))) return null;
    try {
      return await execute(dcmiGetPowerReading, {}, { signal });
    } catch (err) {
      // A rejection, or silence while the session itself still answers, means the
      // BMC claims DCMI power but does not serve it: not a read failure, and not
      // worth asking again this session (bmc_exporter stops asking too).
      if (err instanceof CompletionCodeError || (err instanceof TimeoutError && !signal.aborted)) {
        target.dcmiPowerUnsupported();
        return null;
      }
      throw err;
    }
  };

  return {
    target,
    execute,
    signal,
    registry,
    deadline,
    readSensor(descriptor: SensorDescriptor): Promise<SensorReading> {
      let p = readings.get(descriptor.key);
      if (!p) {
        p = readSensor(execute, descriptor, { signal });
        readings.set(descriptor.key, p);
        if (observer) {
          p.then(
            (r) => observer.sensorRead(descriptor, r),
            (err: unknown) => observer.sensorRead(descriptor, err instanceof Error ? err : new Error(String(err))),
          );
        }
      }
      return p;
    },
    dcmiPowerReading: () =>
      (power ??= readPower().then((p) => {
        observer?.powerRead(p);
        return p;
      })),
  };
}
