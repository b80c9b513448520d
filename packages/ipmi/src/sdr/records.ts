import { ByteReader } from '../codec/reader.js';
import { MalformedPacketError } from '../errors.js';
import { decodeFruDeviceLocatorBody, decodeMcDeviceLocatorBody, type FruDeviceLocatorBody, type McDeviceLocatorBody } from './locator-records.js';
import {
  decodeCompactSensorBody,
  decodeEventOnlySensorBody,
  decodeFullSensorBody,
  type CompactSensorBody,
  type EventOnlySensorBody,
  type FullSensorBody,
  type SdrRecordBase,
} from './sensor-records.js';

/** IPMI v2.0 §43: record type codes (SDR header byte 4), one per subsection. */
export const SDR_RECORD_TYPES = {
  /** §43.1 full sensor record: analog sensors with conversion factors and thresholds */
  fullSensor: 0x01,
  /** §43.2 compact sensor record: discrete sensors, possibly shared by several */
  compactSensor: 0x02,
  /** §43.3 event-only record: sensors that only generate events, never read */
  eventOnly: 0x03,
  /** §43.4 entity association */
  entityAssociation: 0x08,
  /** §43.5 device-relative entity association */
  deviceRelativeEntityAssociation: 0x09,
  /** §43.7 generic device locator */
  genericDeviceLocator: 0x10,
  /** §43.8 FRU device locator */
  fruDeviceLocator: 0x11,
  /** §43.9 management controller device locator */
  mcDeviceLocator: 0x12,
  /** §43.10 management controller confirmation */
  mcConfirmation: 0x13,
  /** §43.11 BMC message channel info */
  bmcMessageChannelInfo: 0x14,
  /** §43.12 OEM record */
  oem: 0xc0,
} as const;

/** Size of the record header every SDR starts with. */
export const SDR_HEADER_LENGTH = 5;

/**
 * §43 header, bytes 1-5: record ID (LS first), SDR version (0x51), record
 * type, and the number of bytes that follow the header.
 */
export interface SdrHeader {
  recordId: number;
  version: number;
  type: number;
  length: number;
}

export function decodeSdrHeader(bytes: Buffer): SdrHeader {
  const r = new ByteReader(bytes, 'SDR record header');
  return {
    recordId: r.u16le('record ID'),
    version: r.u8('SDR version'),
    type: r.u8('record type'),
    length: r.u8('record length'),
  };
}

type Base = SdrRecordBase;

export type FullSensorRecord = Base & { kind: 'full' } & FullSensorBody;
export type CompactSensorRecord = Base & { kind: 'compact' } & CompactSensorBody;
export type EventOnlyRecord = Base & { kind: 'event-only' } & EventOnlySensorBody;
export type FruDeviceLocatorRecord = Base & { kind: 'fru-locator' } & FruDeviceLocatorBody;
export type McDeviceLocatorRecord = Base & { kind: 'mc-locator' } & McDeviceLocatorBody;
/** Record types we do not interpret, kept whole for callers that do. */
export type OtherSdrRecord = Base & { kind: 'other'; raw: Buffer };

export type SdrRecord = FullSensorRecord | CompactSensorRecord | EventOnlyRecord | FruDeviceLocatorRecord | McDeviceLocatorRecord | OtherSdrRecord;

export type SensorRecord = FullSensorRecord | CompactSensorRecord | EventOnlyRecord;

/**
 * Decodes one whole record (header + body). The body is bounded by the
 * header's length byte; a body shorter than its fixed fields throws
 * MalformedPacketError. Bytes past the declared length are ignored.
 */
export function decodeSdrRecord(bytes: Buffer): SdrRecord {
  const header = decodeSdrHeader(bytes);
  const end = SDR_HEADER_LENGTH + header.length;
  if (bytes.length < end) {
    throw new MalformedPacketError(
      `SDR record 0x${header.recordId.toString(16).padStart(4, '0')}: header says ${header.length} body bytes, got ${bytes.length - SDR_HEADER_LENGTH}`,
      { want: end, got: bytes.length },
    );
  }
  const what = `SDR record 0x${header.recordId.toString(16).padStart(4, '0')} (type 0x${header.type.toString(16).padStart(2, '0')})`;
  const r = new ByteReader(bytes, what, SDR_HEADER_LENGTH, end);
  // The body decoders put these first in the record they build (see SdrRecordBase).
  const base: Base = { recordId: header.recordId, version: header.version, type: header.type };
  switch (header.type) {
    case SDR_RECORD_TYPES.fullSensor:
      return decodeFullSensorBody(r, base);
    case SDR_RECORD_TYPES.compactSensor:
      return decodeCompactSensorBody(r, base);
    case SDR_RECORD_TYPES.eventOnly:
      return decodeEventOnlySensorBody(r, base);
    case SDR_RECORD_TYPES.fruDeviceLocator:
      return decodeFruDeviceLocatorBody(r, base);
    case SDR_RECORD_TYPES.mcDeviceLocator:
      return decodeMcDeviceLocatorBody(r, base);
    default:
      return { recordId: base.recordId, version: base.version, type: base.type, kind: 'other', raw: Buffer.from(bytes.subarray(0, end)) };
  }
}
