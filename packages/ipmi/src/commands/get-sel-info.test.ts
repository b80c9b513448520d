import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getSelInfo } from './get-sel-info.js';
import { reserveSel } from './reserve-sel.js';
import { getSelEntry } from './get-sel-entry.js';
import { getSelTime } from './get-sel-time.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get SEL Info (§31.2)', () => {
  it.each([
    {
      name: 'three entries, addition time set, never erased',
      bytes: '51 03 00 d0 07 00 00 65 67 ff ff ff ff 0a',
      want: {
        version: '1.5',
        entries: 3,
        freeBytes: 2000,
        mostRecentAddition: 0x67650000,
        mostRecentErase: null,
        overflow: false,
        supports: { delete: true, partialAdd: false, reserve: true, allocationInfo: false },
      },
    },
    {
      // ipmitool raw 0x0a 0x40 against ipmi_sim 2.0.33 with the six test SEL entries.
      name: 'ipmi_sim',
      bytes: '51 06 00 20 3e 40 09 e7 65 00 00 00 00 0a',
      want: {
        entries: 6,
        freeBytes: 0x3e20,
        mostRecentAddition: 0x65e70940,
        mostRecentErase: 0,
        overflow: false,
        supports: { delete: true, partialAdd: false, reserve: true, allocationInfo: false },
      },
    },
    {
      name: 'empty, full and overflowed',
      bytes: '51 00 00 00 00 ff ff ff ff 10 00 00 00 8f',
      want: { entries: 0, freeBytes: 0, mostRecentAddition: null, mostRecentErase: 16, overflow: true },
    },
  ])('$name', ({ bytes, want }) => {
    expect(getSelInfo.decode(h(bytes))).toMatchObject(want);
  });

  it('rejects short data', () => {
    expect(() => getSelInfo.decode(h('51 03 00'))).toThrow(MalformedPacketError);
  });
});

describe('Reserve SEL (§31.4) and Get SEL Time (§31.10)', () => {
  it('decode LS byte first', () => {
    expect(reserveSel.decode(h('01 80'))).toEqual({ reservationId: 0x8001 });
    expect(getSelTime.decode(h('00 00 65 67'))).toEqual({ seconds: 0x67650000 });
    expect(() => reserveSel.decode(h(''))).toThrow(MalformedPacketError);
    expect(() => getSelTime.decode(h('00 00 65'))).toThrow(MalformedPacketError);
  });
});

describe('Get SEL Entry (§31.5)', () => {
  it('encodes with defaults for a whole-record read', () => {
    expect(getSelEntry.encode({ recordId: 0 })).toEqual(h('00 00 00 00 00 ff'));
    expect(getSelEntry.encode({ reservationId: 0x0102, recordId: 0x0304, offset: 8, bytesToRead: 8 })).toEqual(h('02 01 04 03 08 08'));
  });

  it('decodes next ID and the 16-byte record', () => {
    const rec = '0100 02 00006567 2000 04 01 30 01 57 ffff';
    expect(getSelEntry.decode(h(`0200 ${rec}`))).toEqual({ nextRecordId: 2, data: h(rec) });
  });

  it('rejects short data', () => {
    expect(() => getSelEntry.decode(h('02'))).toThrow(MalformedPacketError);
  });
});
