import { decodeSelRecord, encodeSelRecord, type OemNonTimestampedRecord, type OemTimestampedRecord, type SystemEventRecord } from '../record.js';

/**
 * Fixture builders: tests and the simulated BMC describe an event by the
 * fields that matter and get a complete record (derived fields filled in by
 * a real encode/decode round trip, so they can never disagree with the codec).
 */
export interface SystemEventFields {
  recordId?: number;
  /** default 0x65000000 (2023-09-12T06:06:56Z) */
  timestamp?: number;
  /** default 0x0020: the BMC on channel 0, LUN 0 */
  generatorId?: number;
  sensorType: number;
  sensorNumber?: number;
  eventType: number;
  deassertion?: boolean;
  /** event data 1-3; data 2 and 3 default to 0xFF */
  eventData: readonly [number, number?, number?];
}

export function buildSystemEvent(f: SystemEventFields): SystemEventRecord {
  const bytes = encodeSelRecord({
    kind: 'system-event',
    recordId: f.recordId ?? 1,
    recordType: 0x02,
    timestamp: f.timestamp ?? 0x65000000,
    timestampIsRelative: false,
    date: null,
    generatorId: f.generatorId ?? 0x0020,
    generator: { kind: 'ipmb-slave', id: 0, channel: 0, lun: 0 },
    evmRev: 0x04,
    sensorType: f.sensorType,
    sensorNumber: f.sensorNumber ?? 1,
    eventDirection: f.deassertion ? 'deassertion' : 'assertion',
    eventType: f.eventType,
    eventData: [f.eventData[0], f.eventData[1] ?? 0xff, f.eventData[2] ?? 0xff],
    eventOffset: 0,
    eventData2Meaning: 'unspecified',
    eventData3Meaning: 'unspecified',
  });
  return decodeSelRecord(bytes) as SystemEventRecord;
}

export function buildOemTimestamped(recordId: number, manufacturerId: number, oemData: Buffer): OemTimestampedRecord {
  return decodeSelRecord(
    encodeSelRecord({
      kind: 'oem-timestamped',
      recordId,
      recordType: 0xc0,
      timestamp: 0x65000000,
      timestampIsRelative: false,
      date: null,
      manufacturerId,
      oemData,
    }),
  ) as OemTimestampedRecord;
}

export function buildOemNonTimestamped(recordId: number, oemData: Buffer): OemNonTimestampedRecord {
  return decodeSelRecord(encodeSelRecord({ kind: 'oem-non-timestamped', recordId, recordType: 0xe0, oemData })) as OemNonTimestampedRecord;
}
