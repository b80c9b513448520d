import { encodeBcdPlus, encodeSixBitAscii } from '../codec/packed-text.js';
import { ByteWriter } from '../codec/writer.js';
import { encodeDeviceSupport } from '../commands/device-support.js';
import { writeReadingFactors } from '../commands/get-sensor-reading-factors.js';
import { InvalidArgumentError } from '../errors.js';
import { ANALOG_FORMATS } from './conversion.js';
import { idStringType } from './id-string.js';
import {
  SDR_HEADER_LENGTH,
  SDR_RECORD_TYPES,
  type CompactSensorRecord,
  type EventOnlyRecord,
  type FullSensorRecord,
  type McDeviceLocatorRecord,
} from './records.js';
import type { EntityRef, RecordSharing, SensorKey } from './sensor-records.js';
import { UNIT_MODIFIERS } from './units.js';

/**
 * SDR encoders (IPMI v2.0 §43), the inverse of records.ts / sensor-records.ts
 * / locator-records.ts: the simulated BMC builds its repository with them.
 * Each takes the decoded shape; fields the decoder derives (converted
 * thresholds, `kind`, `type`) are not needed, and the ID string's length is
 * taken from `name` while its type comes from `idStringTypeLength` bits [7:6].
 * The SDR version byte defaults to 0x51 (IPMI 1.5/2.0 format).
 */

export const SDR_VERSION = 0x51;
/** §43.15: ID strings hold at most 16 bytes in sensor and locator records. */
export const SDR_ID_STRING_MAX = 16;

type WithoutDerived<T> = Omit<T, 'kind' | 'type' | 'version'> & { version?: number };
export type FullSensorRecordInput = WithoutDerived<Omit<FullSensorRecord, 'thresholds'>>;
export type CompactSensorRecordInput = WithoutDerived<CompactSensorRecord>;
export type EventOnlyRecordInput = WithoutDerived<EventOnlyRecord>;
export type McDeviceLocatorRecordInput = WithoutDerived<McDeviceLocatorRecord>;

/** The code of a value in one of the `as const` code tables. */
function indexOf<T>(table: Record<number, T>, v: T): number {
  for (const [k, x] of Object.entries(table)) if (x === v) return Number(k);
  throw new InvalidArgumentError(`unknown table value ${String(v)}`);
}

/** §43.15 type/length byte and the string bytes. */
function writeIdString(w: ByteWriter, typeLength: number, name: string): void {
  let bytes: Buffer;
  switch (idStringType(typeLength)) {
    case 'bcd-plus':
      bytes = encodeBcdPlus(name);
      break;
    case 'six-bit-ascii':
      bytes = encodeSixBitAscii(name);
      break;
    case 'unicode':
    case 'latin1':
      bytes = Buffer.from(name, 'latin1');
      break;
  }
  if (bytes.length > SDR_ID_STRING_MAX) {
    throw new InvalidArgumentError(`SDR ID string "${name}" is ${bytes.length} bytes; at most ${SDR_ID_STRING_MAX}`);
  }
  w.u8((typeLength & 0xc0) | bytes.length).bytes(bytes);
}

/** Header (§43 bytes 1-5) with the length filled in once the body is written. */
function record(recordId: number, version: number | undefined, type: number, body: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(64)
    .u16le(recordId)
    .u8(version ?? SDR_VERSION)
    .u8(type)
    .u8(0);
  body(w);
  w.setU8(4, w.length - SDR_HEADER_LENGTH);
  return w.toBuffer();
}

/** Bytes 6-10: owner ID, [7:4] channel | [1:0] LUN, sensor number, entity ID, [7] logical | [6:0] instance. */
function writeKeyAndEntity(w: ByteWriter, k: SensorKey & EntityRef): void {
  w.u8(k.ownerId)
    .u8(((k.channel & 0x0f) << 4) | (k.lun & 0x03))
    .u8(k.sensorNumber);
  w.u8(k.entityId).u8((k.entityIsLogical ? 0x80 : 0) | (k.entityInstance & 0x7f));
}

/** Bytes 11-23 of full and compact records. */
function writeCommon(w: ByteWriter, r: FullSensorRecordInput | CompactSensorRecordInput): void {
  const u = r.units;
  const u1 = (indexOf(ANALOG_FORMATS, u.analogFormat) << 6) | ((u.rate & 0x07) << 3) | (indexOf(UNIT_MODIFIERS, u.modifier) << 1) | (u.percentage ? 1 : 0);
  w.u8(r.initialization).u8(r.capabilities).u8(r.sensorType).u8(r.eventReadingType);
  w.u16le(r.assertionMask).u16le(r.deassertionMask).u16le(r.readingMask);
  w.u8(u1).u8(u.baseUnit).u8(u.modifierUnit);
}

/** Compact bytes 24-25 / event-only bytes 13-14. */
function writeSharing(w: ByteWriter, s: RecordSharing, direction: number): void {
  w.u8(((direction & 0x03) << 6) | ((s.idInstanceModifierType === 'alpha' ? 1 : 0) << 4) | (s.shareCount & 0x0f));
  w.u8((s.entityInstanceIncrements ? 0x80 : 0) | (s.idInstanceModifierOffset & 0x7f));
}

/** §43.1 Table 43-1 full sensor record (type 0x01). */
export function encodeFullSensorRecord(r: FullSensorRecordInput): Buffer {
  return record(r.recordId, r.version, SDR_RECORD_TYPES.fullSensor, (w) => {
    writeKeyAndEntity(w, r);
    writeCommon(w, r);
    // Byte 24 linearization; 25-30 M/tolerance/B/accuracy/direction/exponents.
    w.u8(r.conversion.linearization & 0x7f);
    writeReadingFactors(w, {
      m: r.conversion.m,
      b: r.conversion.b,
      bExp: r.conversion.bExp,
      rExp: r.conversion.rExp,
      tolerance: r.tolerance,
      accuracy: r.accuracy,
      accuracyExp: r.accuracyExp,
      direction: r.direction,
    });
    // Byte 31 analog characteristic flags, 32-36 nominal/normal max/normal min/sensor max/sensor min.
    w.u8((r.nominalSpecified ? 1 : 0) | (r.normalMaxSpecified ? 2 : 0) | (r.normalMinSpecified ? 4 : 0));
    const raw = r.raw;
    w.u8(raw.nominal).u8(raw.normalMax).u8(raw.normalMin).u8(raw.sensorMax).u8(raw.sensorMin);
    // Bytes 37-42: UNR, UC, UNC, LNR, LC, LNC; 43-44 hysteresis; 45-46 reserved; 47 OEM.
    const t = raw.thresholds;
    w.u8(t.unr).u8(t.uc).u8(t.unc).u8(t.lnr).u8(t.lc).u8(t.lnc);
    w.u8(r.hysteresisPositive).u8(r.hysteresisNegative).zeros(2).u8(r.oem);
    writeIdString(w, r.idStringTypeLength, r.name);
  });
}

/** §43.2 Table 43-2 compact sensor record (type 0x02). */
export function encodeCompactSensorRecord(r: CompactSensorRecordInput): Buffer {
  return record(r.recordId, r.version, SDR_RECORD_TYPES.compactSensor, (w) => {
    writeKeyAndEntity(w, r);
    writeCommon(w, r);
    writeSharing(w, r.sharing, r.direction);
    // Bytes 26-27 hysteresis, 28-30 reserved, 31 OEM.
    w.u8(r.hysteresisPositive).u8(r.hysteresisNegative).zeros(3).u8(r.oem);
    writeIdString(w, r.idStringTypeLength, r.name);
  });
}

/** §43.3 Table 43-3 event-only record (type 0x03). */
export function encodeEventOnlyRecord(r: EventOnlyRecordInput): Buffer {
  return record(r.recordId, r.version, SDR_RECORD_TYPES.eventOnly, (w) => {
    writeKeyAndEntity(w, r);
    w.u8(r.sensorType).u8(r.eventReadingType);
    writeSharing(w, r.sharing, r.direction);
    // Byte 15 reserved, 16 OEM.
    w.u8(0).u8(r.oem);
    writeIdString(w, r.idStringTypeLength, r.name);
  });
}

/** §43.9 Table 43-8 management controller device locator (type 0x12). */
export function encodeMcDeviceLocatorRecord(r: McDeviceLocatorRecordInput): Buffer {
  return record(r.recordId, r.version, SDR_RECORD_TYPES.mcDeviceLocator, (w) => {
    w.u8(r.deviceSlaveAddress)
      .u8(r.channel & 0x0f)
      .u8(r.powerStateNotification)
      .u8(encodeDeviceSupport(r.capabilities))
      .zeros(3);
    w.u8(r.entityId).u8(r.entityInstance).u8(r.oem);
    writeIdString(w, r.idStringTypeLength, r.name);
  });
}
