import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { InvalidArgumentError, MalformedPacketError } from '../errors.js';

/**
 * One SEL record, IPMI v2.0 §32. Every record is 16 bytes:
 *   0-1  record id (LS first)      2  record type
 * and then, by record type:
 *   0x02 system event (§32.1):   3-6 timestamp, 7-8 generator id, 9 EvM rev,
 *        10 sensor type, 11 sensor number, 12 event dir [7] | event type [6:0],
 *        13-15 event data 1-3 (§29.7 Table 29-6)
 *   0xC0-0xDF OEM timestamped (§32.2):     3-6 timestamp, 7-9 manufacturer
 *        id (IANA, LS first), 10-15 OEM defined
 *   0xE0-0xFF OEM non-timestamped (§32.3): 3-15 OEM defined
 */
export const SEL_RECORD_LENGTH = 16;

/** §32: record type ranges. */
export const SEL_RECORD_TYPES = {
  /** standard system event record */
  systemEvent: 0x02,
  /** first OEM timestamped type */
  oemTimestampedFirst: 0xc0,
  /** last OEM timestamped type */
  oemTimestampedLast: 0xdf,
  /** first OEM non-timestamped type; runs to 0xFF */
  oemNonTimestampedFirst: 0xe0,
} as const;

/**
 * §37 (Timestamp Format): values up to 0x20000000 count seconds since the
 * BMC initialised (its clock was never set); 0xFFFFFFFF means "unspecified".
 */
export const SEL_TIMESTAMP_RELATIVE_MAX = 0x20000000;
export const SEL_TIMESTAMP_UNSPECIFIED = 0xffffffff;

/** §32.1 byte 8 bit 0: who generated the event. */
export type GeneratorKind = 'ipmb-slave' | 'system-software';

export interface SelGenerator {
  kind: GeneratorKind;
  /**
   * Byte 8 as the spec tables list it (bit 0 included): an 8-bit IPMB slave
   * address (0x20 = BMC) or a system software id (§5.5 Table 5-4: 0x01 BIOS,
   * 0x21 SMI handler, 0x41 system management software, ...).
   */
  id: number;
  /** byte 9 bits 7:4; 0 = primary IPMB */
  channel: number;
  /** byte 9 bits 1:0; LUN of the generating device (IPMB generators only) */
  lun: number;
}

/**
 * §29.7 Table 29-6: what event data 2 and 3 carry, from event data 1 bits
 * 7:6 (data 2) and 5:4 (data 3). The 2-bit codes mean different things for
 * threshold, discrete and OEM event types; these names are the union.
 */
export type EventDataMeaning =
  | 'unspecified'
  /** threshold events: the reading that triggered the event */
  | 'trigger-reading'
  /** threshold events: the threshold that was crossed */
  | 'trigger-threshold'
  /** discrete events, data 2 only: [7:4] severity offset, [3:0] previous state offset */
  | 'previous-state'
  | 'oem'
  /** an extension code defined per sensor type in Table 42-3 (e.g. the DIMM number) */
  | 'sensor-specific'
  | 'reserved';

/** §42.1 Table 42-1: the class of an event/reading type code. */
export type EventTypeClass = 'unspecified' | 'threshold' | 'generic' | 'sensor-specific' | 'oem' | 'reserved';

export function eventTypeClass(eventType: number): EventTypeClass {
  if (eventType === 0x00) return 'unspecified';
  if (eventType === 0x01) return 'threshold';
  if (eventType >= 0x02 && eventType <= 0x0c) return 'generic';
  if (eventType === 0x6f) return 'sensor-specific';
  if (eventType >= 0x70 && eventType <= 0x7f) return 'oem';
  return 'reserved';
}

export interface SystemEventRecord {
  kind: 'system-event';
  recordId: number;
  recordType: number;
  /** raw u32 seconds: since 1970-01-01 UTC, or since BMC init when timestampIsRelative */
  timestamp: number;
  timestampIsRelative: boolean;
  /** wall-clock time; null when the timestamp is relative or unspecified */
  date: Date | null;
  /** raw 16-bit generator id (byte 7 low, byte 8 high), as ipmitool prints it */
  generatorId: number;
  generator: SelGenerator;
  /** 0x04 for IPMI v1.5/v2.0 events, 0x03 for IPMI v1.0 */
  evmRev: number;
  sensorType: number;
  sensorNumber: number;
  eventDirection: 'assertion' | 'deassertion';
  /** event/reading type code (§42.1), bits 6:0 of byte 12 */
  eventType: number;
  eventData: readonly [number, number, number];
  /** event data 1 bits 3:0: offset into the generic or sensor-specific table */
  eventOffset: number;
  eventData2Meaning: EventDataMeaning;
  eventData3Meaning: EventDataMeaning;
}

export interface OemTimestampedRecord {
  kind: 'oem-timestamped';
  recordId: number;
  recordType: number;
  timestamp: number;
  timestampIsRelative: boolean;
  date: Date | null;
  /** IANA enterprise number, 3 bytes LS first */
  manufacturerId: number;
  oemData: Buffer;
}

export interface OemNonTimestampedRecord {
  kind: 'oem-non-timestamped';
  recordId: number;
  recordType: number;
  oemData: Buffer;
}

/** Record types 0x00-0x01 and 0x03-0xBF are unspecified by §32: kept raw. */
export interface UnknownSelRecord {
  kind: 'unknown';
  recordId: number;
  recordType: number;
  data: Buffer;
}

export type SelRecord = SystemEventRecord | OemTimestampedRecord | OemNonTimestampedRecord | UnknownSelRecord;

function timestampFields(ts: number): { timestamp: number; timestampIsRelative: boolean; date: Date | null } {
  const timestampIsRelative = ts <= SEL_TIMESTAMP_RELATIVE_MAX;
  const date = timestampIsRelative || ts === SEL_TIMESTAMP_UNSPECIFIED ? null : new Date(ts * 1000);
  return { timestamp: ts, timestampIsRelative, date };
}

type MeaningTable = readonly [EventDataMeaning, EventDataMeaning, EventDataMeaning, EventDataMeaning];

/** Table 29-6, indexed by the 2-bit code: [data 2 codes, data 3 codes] per event type class. */
const DATA_MEANINGS = {
  threshold: [
    ['unspecified', 'trigger-reading', 'oem', 'sensor-specific'],
    ['unspecified', 'trigger-threshold', 'oem', 'sensor-specific'],
  ],
  discrete: [
    ['unspecified', 'previous-state', 'oem', 'sensor-specific'],
    ['unspecified', 'reserved', 'oem', 'sensor-specific'],
  ],
  oem: [
    ['unspecified', 'previous-state', 'oem', 'reserved'],
    ['unspecified', 'reserved', 'oem', 'reserved'],
  ],
} as const satisfies Record<string, readonly [MeaningTable, MeaningTable]>;

function dataMeanings(eventType: number, data1: number): [EventDataMeaning, EventDataMeaning] {
  const cls = eventTypeClass(eventType);
  // Unspecified and reserved event types are read with the discrete layout.
  const [t2, t3]: readonly [MeaningTable, MeaningTable] =
    cls === 'threshold' ? DATA_MEANINGS.threshold : cls === 'oem' ? DATA_MEANINGS.oem : DATA_MEANINGS.discrete;
  return [t2[(data1 >> 6) & 0x03]!, t3[(data1 >> 4) & 0x03]!];
}

/** Decodes one 16-byte SEL record (the record data of a Get SEL Entry response). */
export function decodeSelRecord(bytes: Buffer): SelRecord {
  if (bytes.length !== SEL_RECORD_LENGTH) {
    throw new MalformedPacketError(`SEL record: want ${SEL_RECORD_LENGTH} bytes, got ${bytes.length}`, {
      want: SEL_RECORD_LENGTH,
      got: bytes.length,
    });
  }
  const r = new ByteReader(bytes, 'SEL record');
  const recordId = r.u16le('record id');
  const recordType = r.u8('record type');

  if (recordType === SEL_RECORD_TYPES.systemEvent) {
    const ts = timestampFields(r.u32le('timestamp'));
    const genLow = r.u8('generator id');
    const genHigh = r.u8('generator id channel/LUN');
    const evmRev = r.u8('EvM rev');
    const sensorType = r.u8('sensor type');
    const sensorNumber = r.u8('sensor number');
    const dirType = r.u8('event dir / type');
    const eventData = [r.u8('event data 1'), r.u8('event data 2'), r.u8('event data 3')] as const;
    const eventType = dirType & 0x7f;
    const [eventData2Meaning, eventData3Meaning] = dataMeanings(eventType, eventData[0]);
    return {
      kind: 'system-event',
      recordId,
      recordType,
      ...ts,
      generatorId: genLow | (genHigh << 8),
      generator: {
        kind: (genLow & 0x01) === 1 ? 'system-software' : 'ipmb-slave',
        id: genLow,
        channel: genHigh >> 4,
        lun: genHigh & 0x03,
      },
      evmRev,
      sensorType,
      sensorNumber,
      eventDirection: (dirType & 0x80) !== 0 ? 'deassertion' : 'assertion',
      eventType,
      eventData,
      eventOffset: eventData[0] & 0x0f,
      eventData2Meaning,
      eventData3Meaning,
    };
  }
  if (recordType >= SEL_RECORD_TYPES.oemTimestampedFirst && recordType <= SEL_RECORD_TYPES.oemTimestampedLast) {
    const ts = timestampFields(r.u32le('timestamp'));
    const manufacturerId = r.u24le('manufacturer id');
    return { kind: 'oem-timestamped', recordId, recordType, ...ts, manufacturerId, oemData: Buffer.from(r.rest()) };
  }
  if (recordType >= SEL_RECORD_TYPES.oemNonTimestampedFirst) {
    return { kind: 'oem-non-timestamped', recordId, recordType, oemData: Buffer.from(r.rest()) };
  }
  return { kind: 'unknown', recordId, recordType, data: Buffer.from(r.rest()) };
}

/**
 * The inverse of decodeSelRecord (the simulated BMC stores records this way).
 * Derived fields (date, eventOffset, meanings, generator) are ignored: the
 * raw fields they come from are written.
 */
export function encodeSelRecord(record: SelRecord): Buffer {
  const w = new ByteWriter(SEL_RECORD_LENGTH);
  w.u16le(record.recordId).u8(record.recordType);
  switch (record.kind) {
    case 'system-event':
      w.u32le(record.timestamp).u16le(record.generatorId).u8(record.evmRev);
      w.u8(record.sensorType).u8(record.sensorNumber);
      w.u8((record.eventDirection === 'deassertion' ? 0x80 : 0) | (record.eventType & 0x7f));
      w.u8(record.eventData[0]).u8(record.eventData[1]).u8(record.eventData[2]);
      break;
    case 'oem-timestamped':
      w.u32le(record.timestamp).u24le(record.manufacturerId).bytes(record.oemData);
      break;
    case 'oem-non-timestamped':
      w.bytes(record.oemData);
      break;
    case 'unknown':
      w.bytes(record.data);
      break;
  }
  if (w.length !== SEL_RECORD_LENGTH) {
    throw new InvalidArgumentError(`SEL record ${record.recordId} encodes to ${w.length} bytes, not ${SEL_RECORD_LENGTH}`);
  }
  return w.toBuffer();
}
