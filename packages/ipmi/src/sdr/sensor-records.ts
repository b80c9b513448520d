import type { ByteReader } from '../codec/reader.js';
import { decodeReadingFactors } from '../commands/get-sensor-reading-factors.js';
import { ANALOG_FORMATS, convertReading, type AnalogFormat, type ConversionFactors } from './conversion.js';
import { readIdString } from './id-string.js';
import { UNIT_MODIFIERS, type SensorUnits } from './units.js';

/**
 * Sensor SDR bodies (IPMI v2.0 §43.1-§43.3). Offsets below are the spec's
 * 1-based byte numbers; bytes 1-5 are the header (records.ts), so the
 * reader given here starts at byte 6.
 */

/**
 * The header fields (bytes 1-4) records.ts decodes. Each decoder below
 * returns the whole record, header fields first, as one object literal:
 * spreading a header and parts into it would cost a runtime call per
 * property, many times the decoding itself.
 */
export interface SdrRecordBase {
  recordId: number;
  version: number;
  type: number;
}

/** Bytes 6-8 of every sensor record: who owns the sensor and its number. */
export interface SensorKey {
  /** Byte 6 as sent: [7:1] IPMB slave address or software ID, [0] 1 = software ID. 0x20 is the BMC. */
  ownerId: number;
  ownerIsSoftware: boolean;
  /** Byte 7 [7:4]. */
  channel: number;
  /** Byte 7 [1:0]: the LUN Get Sensor Reading must be sent to. */
  lun: number;
  sensorNumber: number;
}

/** Bytes 9-10. */
export interface EntityRef {
  entityId: number;
  /** [6:0] */
  entityInstance: number;
  /** [7]: 1 = logical container entity. */
  entityIsLogical: boolean;
}

/** Compact byte 24-25 / event-only 13-14 (§43.2): one record describing `shareCount` sensors. */
export interface RecordSharing {
  /** Sensors described by the record; 0 and 1 both mean one. */
  shareCount: number;
  /** How the per-sensor suffix is written: 'numeric' (1, 2, ...) or 'alpha' (A..Z, AA..). */
  idInstanceModifierType: 'numeric' | 'alpha';
  /** Added to the share index to form the suffix. */
  idInstanceModifierOffset: number;
  /** True: entity instance increments with each shared sensor. */
  entityInstanceIncrements: boolean;
}

export interface ThresholdValues<T> {
  unr: T;
  uc: T;
  unc: T;
  lnr: T;
  lc: T;
  lnc: T;
}

const bit = (b: number, n: number) => (b & (1 << n)) !== 0;

function readKey(r: ByteReader): SensorKey {
  const owner = r.u8('sensor owner ID');
  const lunByte = r.u8('sensor owner LUN');
  return {
    ownerId: owner,
    ownerIsSoftware: bit(owner, 0),
    channel: lunByte >> 4,
    lun: lunByte & 0x03,
    sensorNumber: r.u8('sensor number'),
  };
}

function readEntity(r: ByteReader): EntityRef {
  const entityId = r.u8('entity ID');
  const inst = r.u8('entity instance');
  return { entityId, entityInstance: inst & 0x7f, entityIsLogical: bit(inst, 7) };
}

function readSharing(r: ByteReader): { direction: number; sharing: RecordSharing } {
  const a = r.u8('record sharing 1');
  const b = r.u8('record sharing 2');
  return {
    direction: a >> 6,
    sharing: {
      idInstanceModifierType: ((a >> 4) & 0x03) === 1 ? 'alpha' : 'numeric',
      shareCount: a & 0x0f,
      entityInstanceIncrements: bit(b, 7),
      idInstanceModifierOffset: b & 0x7f,
    },
  };
}

/** Bytes 11-23 common to full and compact records. */
interface SensorCommon {
  initialization: number;
  capabilities: number;
  sensorType: number;
  eventReadingType: number;
  assertionMask: number;
  deassertionMask: number;
  /** Discrete: readable states; threshold: [13:8] settable, [5:0] readable thresholds. */
  readingMask: number;
  units: SensorUnits & { analogFormat: AnalogFormat };
}

function readCommon(r: ByteReader): SensorCommon {
  const initialization = r.u8('sensor initialization');
  const capabilities = r.u8('sensor capabilities');
  const sensorType = r.u8('sensor type');
  const eventReadingType = r.u8('event/reading type');
  const assertionMask = r.u16le('assertion event mask');
  const deassertionMask = r.u16le('deassertion event mask');
  const readingMask = r.u16le('reading mask');
  const u1 = r.u8('sensor units 1');
  const baseUnit = r.u8('base unit');
  const modifierUnit = r.u8('modifier unit');
  return {
    initialization,
    capabilities,
    sensorType,
    eventReadingType,
    assertionMask,
    deassertionMask,
    readingMask,
    units: {
      analogFormat: ANALOG_FORMATS[(u1 >> 6) as 0 | 1 | 2 | 3],
      rate: (u1 >> 3) & 0x07,
      modifier: UNIT_MODIFIERS[((u1 >> 1) & 0x03) as 0 | 1 | 2 | 3],
      percentage: bit(u1, 0),
      baseUnit,
      modifierUnit,
    },
  };
}

export interface FullSensorBody extends SensorKey, EntityRef, SensorCommon {
  conversion: ConversionFactors;
  tolerance: number;
  accuracy: number;
  accuracyExp: number;
  direction: number;
  /** Byte 31 flags: which of nominal/normal max/normal min are meaningful. */
  nominalSpecified: boolean;
  normalMaxSpecified: boolean;
  normalMinSpecified: boolean;
  raw: {
    nominal: number;
    normalMax: number;
    normalMin: number;
    sensorMax: number;
    sensorMin: number;
    thresholds: ThresholdValues<number>;
  };
  /** Thresholds converted to real units; null where unreadable (mask) or not convertible. */
  thresholds: ThresholdValues<number | null>;
  hysteresisPositive: number;
  hysteresisNegative: number;
  oem: number;
  idStringTypeLength: number;
  name: string;
}

/** Readable-threshold mask bit per threshold (byte 19 [5:0]). */
const THRESHOLD_BITS = { lnc: 0, lc: 1, lnr: 2, unc: 3, uc: 4, unr: 5 } as const;

/** §43.1 Table 43-1, bytes 6-64, after the header `base`. */
export function decodeFullSensorBody(r: ByteReader, base: SdrRecordBase): SdrRecordBase & { kind: 'full' } & FullSensorBody {
  const key = readKey(r);
  const entity = readEntity(r);
  const common = readCommon(r);
  const linearization = r.u8('linearization') & 0x7f;
  const f = decodeReadingFactors(r);
  const flags = r.u8('analog characteristic flags');
  const nominal = r.u8('nominal reading');
  const normalMax = r.u8('normal maximum');
  const normalMin = r.u8('normal minimum');
  const sensorMax = r.u8('sensor maximum');
  const sensorMin = r.u8('sensor minimum');
  const rawThresholds = {
    unr: r.u8('UNR'),
    uc: r.u8('UC'),
    unc: r.u8('UNC'),
    lnr: r.u8('LNR'),
    lc: r.u8('LC'),
    lnc: r.u8('LNC'),
  };
  const hysteresisPositive = r.u8('positive hysteresis');
  const hysteresisNegative = r.u8('negative hysteresis');
  r.skip(2, 'reserved');
  const oem = r.u8('OEM');
  const id = readIdString(r);
  const conversion: ConversionFactors = {
    analogFormat: common.units.analogFormat,
    m: f.m,
    b: f.b,
    bExp: f.bExp,
    rExp: f.rExp,
    linearization,
  };
  const isThreshold = common.eventReadingType === 0x01;
  const convert = (k: keyof typeof THRESHOLD_BITS) =>
    isThreshold && bit(common.readingMask, THRESHOLD_BITS[k]) ? convertReading(rawThresholds[k], conversion) : null;
  return {
    recordId: base.recordId,
    version: base.version,
    type: base.type,
    kind: 'full',
    ownerId: key.ownerId,
    ownerIsSoftware: key.ownerIsSoftware,
    channel: key.channel,
    lun: key.lun,
    sensorNumber: key.sensorNumber,
    entityId: entity.entityId,
    entityInstance: entity.entityInstance,
    entityIsLogical: entity.entityIsLogical,
    initialization: common.initialization,
    capabilities: common.capabilities,
    sensorType: common.sensorType,
    eventReadingType: common.eventReadingType,
    assertionMask: common.assertionMask,
    deassertionMask: common.deassertionMask,
    readingMask: common.readingMask,
    units: common.units,
    conversion,
    tolerance: f.tolerance,
    accuracy: f.accuracy,
    accuracyExp: f.accuracyExp,
    direction: f.direction,
    nominalSpecified: bit(flags, 0),
    normalMaxSpecified: bit(flags, 1),
    normalMinSpecified: bit(flags, 2),
    raw: { nominal, normalMax, normalMin, sensorMax, sensorMin, thresholds: rawThresholds },
    thresholds: {
      unr: convert('unr'),
      uc: convert('uc'),
      unc: convert('unc'),
      lnr: convert('lnr'),
      lc: convert('lc'),
      lnc: convert('lnc'),
    },
    hysteresisPositive,
    hysteresisNegative,
    oem,
    idStringTypeLength: id.idStringTypeLength,
    name: id.name,
  };
}

export interface CompactSensorBody extends SensorKey, EntityRef, SensorCommon {
  sharing: RecordSharing;
  direction: number;
  hysteresisPositive: number;
  hysteresisNegative: number;
  oem: number;
  idStringTypeLength: number;
  name: string;
}

/** §43.2 Table 43-2, bytes 6-48, after the header `base`. */
export function decodeCompactSensorBody(r: ByteReader, base: SdrRecordBase): SdrRecordBase & { kind: 'compact' } & CompactSensorBody {
  const key = readKey(r);
  const entity = readEntity(r);
  const common = readCommon(r);
  const { direction, sharing } = readSharing(r);
  const hysteresisPositive = r.u8('positive hysteresis');
  const hysteresisNegative = r.u8('negative hysteresis');
  r.skip(3, 'reserved');
  const oem = r.u8('OEM');
  const id = readIdString(r);
  return {
    recordId: base.recordId,
    version: base.version,
    type: base.type,
    kind: 'compact',
    ownerId: key.ownerId,
    ownerIsSoftware: key.ownerIsSoftware,
    channel: key.channel,
    lun: key.lun,
    sensorNumber: key.sensorNumber,
    entityId: entity.entityId,
    entityInstance: entity.entityInstance,
    entityIsLogical: entity.entityIsLogical,
    initialization: common.initialization,
    capabilities: common.capabilities,
    sensorType: common.sensorType,
    eventReadingType: common.eventReadingType,
    assertionMask: common.assertionMask,
    deassertionMask: common.deassertionMask,
    readingMask: common.readingMask,
    units: common.units,
    sharing,
    direction,
    hysteresisPositive,
    hysteresisNegative,
    oem,
    idStringTypeLength: id.idStringTypeLength,
    name: id.name,
  };
}

export interface EventOnlySensorBody extends SensorKey, EntityRef {
  sensorType: number;
  eventReadingType: number;
  sharing: RecordSharing;
  direction: number;
  oem: number;
  idStringTypeLength: number;
  name: string;
}

/** §43.3 Table 43-3, bytes 6-33, after the header `base`. */
export function decodeEventOnlySensorBody(r: ByteReader, base: SdrRecordBase): SdrRecordBase & { kind: 'event-only' } & EventOnlySensorBody {
  const key = readKey(r);
  const entity = readEntity(r);
  const sensorType = r.u8('sensor type');
  const eventReadingType = r.u8('event/reading type');
  const { direction, sharing } = readSharing(r);
  r.skip(1, 'reserved');
  const oem = r.u8('OEM');
  const id = readIdString(r);
  return {
    recordId: base.recordId,
    version: base.version,
    type: base.type,
    kind: 'event-only',
    ownerId: key.ownerId,
    ownerIsSoftware: key.ownerIsSoftware,
    channel: key.channel,
    lun: key.lun,
    sensorNumber: key.sensorNumber,
    entityId: entity.entityId,
    entityInstance: entity.entityInstance,
    entityIsLogical: entity.entityIsLogical,
    sensorType,
    eventReadingType,
    sharing,
    direction,
    oem,
    idStringTypeLength: id.idStringTypeLength,
    name: id.name,
  };
}
