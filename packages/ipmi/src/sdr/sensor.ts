import { CompletionCode, CompletionCodeError } from '../errors.js';
import type { Execute, ExecuteOptions } from '../commands/command.js';
import { getSensorReading, type SensorReadingRsp } from '../commands/get-sensor-reading.js';
import { getSensorReadingFactors } from '../commands/get-sensor-reading-factors.js';
import { convertReading, NON_LINEAR_MAX, NON_LINEAR_MIN, type ConversionFactors } from './conversion.js';
import { entityIdName } from './entity-ids.js';
import type { SdrRecord, SensorRecord } from './records.js';
import type { RecordSharing, ThresholdValues } from './sensor-records.js';
import { sensorTypeName } from './sensor-types.js';
import { discreteStates, thresholdState, type ThresholdState } from './threshold.js';
import { unitDisplayName, unitId } from './units.js';

/** The BMC's own IPMB address: sensors owned by anything else need bridging. */
export const BMC_OWNER_ID = 0x20;

/** Event/reading type code of threshold sensors (Table 42-1). */
const THRESHOLD_EVENT_READING_TYPE = 0x01;

/**
 * Completion codes real BMCs return for sensors that are described in the SDR
 * but not there (empty sockets, absent PSUs, powered-off host): not present,
 * illegal for this sensor, not supported in present state, response could
 * not be provided, parameter out of range (peers.md); and invalid data field,
 * which OpenIPMI's ipmi_sim answers for a sensor number it does not have (the
 * number is the request's only field). A reading, not an error.
 */
export const SENSOR_ABSENT_COMPLETION_CODES: ReadonlySet<number> = new Set([
  CompletionCode.notPresent,
  CompletionCode.illegalForSensorOrRecordType,
  CompletionCode.notSupportedInPresentState,
  CompletionCode.responseNotProvided,
  CompletionCode.parameterOutOfRange,
  CompletionCode.invalidDataField,
]);

/** Everything needed to read and present one sensor, derived from its SDR. */
export interface SensorDescriptor {
  /** `${ownerId}:${lun}:${number}`: sensor numbers repeat across owners and LUNs. */
  key: string;
  name: string;
  number: number;
  ownerId: number;
  lun: number;
  channel: number;
  recordId: number;
  recordKind: SensorRecord['kind'];
  sensorType: number;
  sensorTypeName: string;
  eventReadingType: number;
  entityId: number;
  entityIdName: string;
  entityInstance: number;
  /** Stable unit identifier ('celsius', 'volts', 'percent', ...); '' when there is no analog reading. */
  unit: string;
  /** The unit as ipmitool prints it ('degrees C', 'Volts'); '' when there is no analog reading. */
  unitName: string;
  isThreshold: boolean;
  /** Full record with an analog data format: the raw byte converts to a number. */
  hasAnalogReading: boolean;
  /** Event-only sensors have no reading to ask for. */
  readable: boolean;
  /** Owned by another controller (owner != 0x20): reading needs bridging, not done yet. */
  bridged: boolean;
  /** Present when hasAnalogReading. */
  conversion: ConversionFactors | undefined;
  /** Full threshold records: SDR threshold values in real units (null where not readable). */
  thresholds: ThresholdValues<number | null> | undefined;
}

export type SensorState = ThresholdState | 'unavailable' | 'discrete';

export interface SensorReading {
  descriptor: SensorDescriptor;
  value: number | null;
  state: SensorState;
  available: boolean;
  /** Discrete sensors: asserted states 0-14 as a bit field. */
  discreteStates?: number;
  raw?: number;
}

function alphaSuffix(n: number): string {
  // Bijective base 26: 0 -> A, 25 -> Z, 26 -> AA.
  let s = '';
  let i = n + 1;
  while (i > 0) {
    const rem = (i - 1) % 26;
    s = String.fromCharCode(0x41 + rem) + s;
    i = Math.floor((i - 1) / 26);
  }
  return s;
}

/**
 * §43.2 record sharing: share index i gets sensor number base+i, entity
 * instance base+i when it increments, and an ID suffix of (offset+i) written
 * as a number or as letters. ID strings are trimmed on decode, so the suffix
 * is joined with one space ("DIMM" + 5 -> "DIMM 5").
 */
function sharedName(name: string, sharing: RecordSharing, i: number): string {
  const n = sharing.idInstanceModifierOffset + i;
  const suffix = sharing.idInstanceModifierType === 'alpha' ? alphaSuffix(n) : String(n);
  return name ? `${name} ${suffix}` : suffix;
}

function describe(rec: SensorRecord, index: number, shared: boolean): SensorDescriptor {
  const number = (rec.sensorNumber + index) & 0xff;
  const entityInstance = rec.kind !== 'full' && rec.sharing.entityInstanceIncrements ? (rec.entityInstance + index) & 0x7f : rec.entityInstance;
  const name = shared && rec.kind !== 'full' ? sharedName(rec.name, rec.sharing, index) : rec.name;
  const isThreshold = rec.eventReadingType === THRESHOLD_EVENT_READING_TYPE;
  const hasAnalogReading = rec.kind === 'full' && rec.units.analogFormat !== 'none';
  const unitInfo = rec.kind === 'event-only' || !hasAnalogReading ? undefined : rec.units;
  return {
    key: `${rec.ownerId}:${rec.lun}:${number}`,
    name,
    number,
    ownerId: rec.ownerId,
    lun: rec.lun,
    channel: rec.channel,
    recordId: rec.recordId,
    recordKind: rec.kind,
    sensorType: rec.sensorType,
    sensorTypeName: sensorTypeName(rec.sensorType),
    eventReadingType: rec.eventReadingType,
    entityId: rec.entityId,
    entityIdName: entityIdName(rec.entityId),
    entityInstance,
    unit: unitInfo ? unitId(unitInfo) : '',
    unitName: unitInfo ? unitDisplayName(unitInfo) : '',
    isThreshold,
    hasAnalogReading,
    readable: rec.kind !== 'event-only',
    bridged: rec.ownerId !== BMC_OWNER_ID,
    conversion: rec.kind === 'full' && hasAnalogReading ? rec.conversion : undefined,
    thresholds: rec.kind === 'full' && isThreshold ? rec.thresholds : undefined,
  };
}

/**
 * One descriptor per sensor in the repository: full, compact and event-only
 * records; shared compact/event-only records expand to shareCount sensors.
 * A key seen twice (duplicate records, overlapping shares) keeps the first.
 */
export function sensorsFromSdr(records: readonly SdrRecord[]): SensorDescriptor[] {
  const out: SensorDescriptor[] = [];
  const seen = new Set<string>();
  const add = (d: SensorDescriptor) => {
    if (seen.has(d.key)) return;
    seen.add(d.key);
    out.push(d);
  };
  for (const rec of records) {
    if (rec.kind !== 'full' && rec.kind !== 'compact' && rec.kind !== 'event-only') continue;
    const count = rec.kind === 'full' ? 1 : Math.max(1, rec.sharing.shareCount);
    for (let i = 0; i < count; i++) add(describe(rec, i, count > 1));
  }
  return out;
}

function unavailable(descriptor: SensorDescriptor, raw?: number): SensorReading {
  return raw === undefined
    ? { descriptor, value: null, state: 'unavailable', available: false }
    : { descriptor, value: null, state: 'unavailable', available: false, raw };
}

function isNonLinear(d: SensorDescriptor): boolean {
  const l = d.conversion?.linearization ?? 0;
  return l >= NON_LINEAR_MIN && l <= NON_LINEAR_MAX;
}

/**
 * Turns a Get Sensor Reading response into a value and state. "Reading
 * unavailable" and "scanning disabled" mean there is no reading: unavailable,
 * not zero. Non-linear sensors need factors (readSensor fetches them).
 */
export function interpretReading(
  descriptor: SensorDescriptor,
  rsp: SensorReadingRsp,
  factors?: Pick<ConversionFactors, 'm' | 'b' | 'bExp' | 'rExp'>,
): SensorReading {
  if (rsp.readingUnavailable || !rsp.scanningEnabled) return unavailable(descriptor, rsp.raw);
  const value = descriptor.hasAnalogReading && descriptor.conversion ? convertReading(rsp.raw, descriptor.conversion, factors) : null;
  if (descriptor.isThreshold) {
    const state = rsp.stateByte1 === undefined ? 'ok' : thresholdState(rsp.stateByte1);
    return { descriptor, value, state, available: true, raw: rsp.raw };
  }
  return {
    descriptor,
    value,
    state: 'discrete',
    available: true,
    discreteStates: discreteStates(rsp.stateByte1, rsp.stateByte2),
    raw: rsp.raw,
  };
}

function isAbsent(err: unknown): boolean {
  return err instanceof CompletionCodeError && SENSOR_ABSENT_COMPLETION_CODES.has(err.completionCode);
}

/**
 * Told how one readSensor() call ended, in place of a promise chain of the
 * caller's own: a caller reading many sensors (a scrape) passes one object
 * for all of them, and each reading reaches its methods with no closure or
 * async step of the caller's per sensor. What a method returns (or throws)
 * settles the promise readSensor() returned.
 */
export interface SensorReadHandler<T> {
  /** The sensor's reading; an unavailable one when the BMC said the sensor is absent (SENSOR_ABSENT_COMPLETION_CODES). */
  sensorRead(descriptor: SensorDescriptor, reading: SensorReading): T;
  /** Any other failure: the command's (timeout, session lost, another completion code, a malformed answer) or turning its answer into a reading. */
  sensorFailed(descriptor: SensorDescriptor, err: unknown): T;
}

/**
 * Reads one sensor on its LUN. Absent-sensor completion codes give an
 * unavailable reading; any other error (timeouts, session loss) propagates so
 * the caller can tell a broken BMC from an empty socket. A sensor read with
 * one command (most: no factors to fetch) costs one promise step over the
 * command's own, as this is read on every scrape for every sensor; on LUN 0
 * the command is sent with `opts` itself (the default LUN), no object per call.
 *
 * With a `handler`, the outcome goes to its methods instead (errors of
 * interpretReading included, to sensorFailed) and the promise settles with
 * what they return or throw.
 */
export function readSensor(execute: Execute, descriptor: SensorDescriptor, opts?: { signal?: AbortSignal }): Promise<SensorReading>;
export function readSensor<T>(
  execute: Execute,
  descriptor: SensorDescriptor,
  opts: { signal?: AbortSignal } | undefined,
  handler: SensorReadHandler<T>,
): Promise<T>;
export function readSensor<T>(
  execute: Execute,
  descriptor: SensorDescriptor,
  opts: { signal?: AbortSignal } = {},
  handler?: SensorReadHandler<T>,
): Promise<T | SensorReading> {
  if (!handler) return readSensor(execute, descriptor, opts, DIRECT);
  if (descriptor.bridged || !descriptor.readable) return Promise.resolve(unavailable(descriptor)).then((r) => handler.sensorRead(descriptor, r));
  const lun = descriptor.lun;
  // ExecuteOptions' LUN defaults to 0: the caller's object serves as it is (unless it names another LUN).
  const options: ExecuteOptions = lun === 0 && !(opts as ExecuteOptions).lun ? opts : opts.signal ? { signal: opts.signal, lun } : { lun };
  if (descriptor.hasAnalogReading && isNonLinear(descriptor)) {
    return readWithFactors(execute, descriptor, options).then(
      (r) => handler.sensorRead(descriptor, r),
      (err: unknown) => handler.sensorFailed(descriptor, err),
    );
  }
  return execute(getSensorReading, { sensorNumber: descriptor.number }, options).then(
    (rsp) => answered(handler, descriptor, rsp),
    (err: unknown) => (isAbsent(err) ? handler.sensorRead(descriptor, unavailable(descriptor)) : handler.sensorFailed(descriptor, err)),
  );
}

function answered<T>(handler: SensorReadHandler<T>, descriptor: SensorDescriptor, rsp: SensorReadingRsp): T {
  let reading: SensorReading;
  try {
    reading = interpretReading(descriptor, rsp);
  } catch (err) {
    return handler.sensorFailed(descriptor, err);
  }
  return handler.sensorRead(descriptor, reading);
}

/** readSensor() without a handler: the reading as it is, failures rethrown. */
const DIRECT: SensorReadHandler<SensorReading> = {
  sensorRead: (_descriptor, reading) => reading,
  sensorFailed: (_descriptor, err) => {
    throw err;
  },
};

/** A non-linear analog sensor: its reading, then the factors for that reading (§35.5). */
async function readWithFactors(execute: Execute, descriptor: SensorDescriptor, options: ExecuteOptions): Promise<SensorReading> {
  let rsp: SensorReadingRsp;
  try {
    rsp = await execute(getSensorReading, { sensorNumber: descriptor.number }, options);
  } catch (err) {
    if (isAbsent(err)) return unavailable(descriptor);
    throw err;
  }
  if (!rsp.readingUnavailable && rsp.scanningEnabled) {
    try {
      const f = await execute(getSensorReadingFactors, { sensorNumber: descriptor.number, reading: rsp.raw }, options);
      return interpretReading(descriptor, rsp, f);
    } catch (err) {
      if (!(err instanceof CompletionCodeError)) throw err;
      // No factors: the state bits are still worth reporting, the value is not.
    }
  }
  return interpretReading(descriptor, rsp);
}
