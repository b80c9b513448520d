import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { decodeSelRecord, encodeSelRecord, eventTypeClass, type SelRecord } from './record.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Records laid out as §32 gives them; the comments read the bytes back.
const cases: Array<[string, string, Partial<SelRecord> & Record<string, unknown>]> = [
  [
    // BIOS (software id 0x01) reports correctable ECC on DIMM 3; data1 0x30:
    // [7:6]=00 data 2 unspecified, [5:4]=11 data 3 sensor-specific, offset 0.
    'system event from BIOS, wall-clock time',
    '0100 02 00105e5f 0100 04 0c 87 6f 30ff03',
    {
      kind: 'system-event',
      recordId: 1,
      recordType: 0x02,
      timestamp: 1_600_000_000,
      timestampIsRelative: false,
      date: new Date('2020-09-13T12:26:40Z'),
      generatorId: 0x0001,
      generator: { kind: 'system-software', id: 0x01, channel: 0, lun: 0 },
      evmRev: 0x04,
      sensorType: 0x0c,
      sensorNumber: 0x87,
      eventDirection: 'assertion',
      eventType: 0x6f,
      eventData: [0x30, 0xff, 0x03],
      eventOffset: 0,
      eventData2Meaning: 'unspecified',
      eventData3Meaning: 'sensor-specific',
    },
  ],
  [
    // BMC (slave 0x20) threshold event, 3600 s after BMC init; data1 0x59:
    // [7:6]=01 trigger reading, [5:4]=01 trigger threshold, offset 9 (UC going high).
    'threshold event from the BMC, relative time',
    '0200 02 100e0000 2000 04 01 30 01 595f5a',
    {
      kind: 'system-event',
      recordId: 2,
      timestamp: 3600,
      timestampIsRelative: true,
      date: null,
      generator: { kind: 'ipmb-slave', id: 0x20, channel: 0, lun: 0 },
      sensorType: 0x01,
      sensorNumber: 0x30,
      eventDirection: 'assertion',
      eventType: 0x01,
      eventData: [0x59, 0x5f, 0x5a],
      eventOffset: 9,
      eventData2Meaning: 'trigger-reading',
      eventData3Meaning: 'trigger-threshold',
    },
  ],
  [
    // Generator byte 2 = 0x12: channel 1, LUN 2. Byte 12 = 0xEF: deassertion of type 0x6F.
    'deassertion from a satellite controller on channel 1 LUN 2',
    '0301 02 00000065 2012 04 08 51 ef 03ffff',
    {
      kind: 'system-event',
      recordId: 0x0103,
      date: new Date('2023-09-12T06:06:56Z'),
      generatorId: 0x1220,
      generator: { kind: 'ipmb-slave', id: 0x20, channel: 1, lun: 2 },
      sensorType: 0x08,
      eventDirection: 'deassertion',
      eventType: 0x6f,
      eventOffset: 3,
    },
  ],
  [
    // Generic severity event 0x07 with data1 0x52: [7:6]=01 previous state in data 2.
    'generic discrete with previous state',
    '0600 02 00000065 2000 04 04 40 07 52f1ff',
    { eventType: 0x07, eventOffset: 2, eventData2Meaning: 'previous-state', eventData3Meaning: 'reserved' },
  ],
  [
    // OEM event type 0x72 with data1 0xA1: [7:6]=10 OEM, [5:4]=10 OEM.
    'OEM event type',
    '0700 02 00000065 2000 04 c0 01 72 a11234',
    { eventType: 0x72, eventOffset: 1, eventData2Meaning: 'oem', eventData3Meaning: 'oem' },
  ],
  ['0x20000000 is still relative', '0800 02 00000020 2000 04 01 30 01 000000', { timestamp: 0x20000000, timestampIsRelative: true, date: null }],
  [
    '0xFFFFFFFF is unspecified: no date, not relative',
    '0900 02 ffffffff 2000 04 01 30 01 000000',
    { timestamp: 0xffffffff, timestampIsRelative: false, date: null },
  ],
  [
    // Manufacturer id 0x0002A2 = 674 (Dell), LS first.
    'OEM timestamped',
    '0400 c1 00000065 a20200 010203040506',
    {
      kind: 'oem-timestamped',
      recordId: 4,
      recordType: 0xc1,
      timestamp: 0x65000000,
      timestampIsRelative: false,
      date: new Date('2023-09-12T06:06:56Z'),
      manufacturerId: 674,
      oemData: hex('010203040506'),
    },
  ],
  [
    'OEM non-timestamped',
    '0500 e0 101112131415161718191a1b1c',
    { kind: 'oem-non-timestamped', recordId: 5, recordType: 0xe0, oemData: hex('101112131415161718191a1b1c') },
  ],
  ['unspecified record type kept raw', '0a00 05 00000000000000000000000000', { kind: 'unknown', recordId: 10, recordType: 0x05, data: Buffer.alloc(13) }],
];

describe('decodeSelRecord', () => {
  it.each(cases)('%s', (_name, bytes, expected) => {
    expect(decodeSelRecord(hex(bytes))).toMatchObject(expected);
  });

  it.each(cases)('round-trips: %s', (_name, bytes) => {
    expect(encodeSelRecord(decodeSelRecord(hex(bytes)))).toEqual(hex(bytes));
  });

  it('rejects a record that is not 16 bytes', () => {
    expect(() => decodeSelRecord(hex('0100 02 00105e5f 0100 04 0c 87 6f 30ff'))).toThrow(MalformedPacketError);
    expect(() => decodeSelRecord(Buffer.alloc(17))).toThrow(MalformedPacketError);
  });
});

describe('eventTypeClass', () => {
  it.each([
    [0x00, 'unspecified'],
    [0x01, 'threshold'],
    [0x02, 'generic'],
    [0x0c, 'generic'],
    [0x0d, 'reserved'],
    [0x6f, 'sensor-specific'],
    [0x70, 'oem'],
    [0x7f, 'oem'],
  ] as const)('0x%s is %s', (code, cls) => {
    expect(eventTypeClass(code)).toBe(cls);
  });
});
