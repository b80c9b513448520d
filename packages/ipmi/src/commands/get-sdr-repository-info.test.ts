import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getSdrRepositoryInfo } from './get-sdr-repository-info.js';
import { reserveSdrRepository } from './reserve-sdr-repository.js';
import { getSdr } from './get-sdr.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get SDR Repository Info (§33.9)', () => {
  it.each([
    {
      name: 'timestamps set, modal and non-modal, reserve supported',
      bytes: '51 2a 00 00 10 00 e1 f5 05 ff ff ff ff 6e',
      want: {
        version: '1.5',
        recordCount: 42,
        freeSpace: 0x1000,
        mostRecentAddition: 0x05f5e100,
        mostRecentErase: null,
        overflow: false,
        updateMode: 'both',
        supports: { deleteSdr: true, partialAdd: true, reserve: true, allocationInfo: false },
      },
    },
    {
      // ipmitool raw 0x0a 0x20 against ipmi_sim 2.0.33 (18 records, timestamps relative to start).
      name: 'ipmi_sim',
      bytes: '51 12 00 fe ff 45 03 00 00 00 00 00 00 02',
      want: {
        version: '1.5',
        recordCount: 18,
        freeSpace: 0xfffe,
        mostRecentAddition: 0x345,
        mostRecentErase: 0,
        overflow: false,
        updateMode: 'unspecified',
        supports: { deleteSdr: false, partialAdd: false, reserve: true, allocationInfo: false },
      },
    },
    {
      name: 'unspecified free space and timestamps, overflow',
      bytes: '51 00 00 ff ff ff ff ff ff ff ff ff ff 80',
      want: {
        recordCount: 0,
        freeSpace: null,
        mostRecentAddition: null,
        mostRecentErase: null,
        overflow: true,
        updateMode: 'unspecified',
      },
    },
  ])('$name', ({ bytes, want }) => {
    expect(getSdrRepositoryInfo.decode(h(bytes))).toMatchObject(want);
  });

  it('rejects short data', () => {
    expect(() => getSdrRepositoryInfo.decode(h('51 2a 00 00 10 00 e1 f5 05 ff ff ff ff'))).toThrow(MalformedPacketError);
  });
});

describe('Reserve SDR Repository (§33.11)', () => {
  it('decodes the reservation ID LS byte first', () => {
    expect(reserveSdrRepository.encode()).toHaveLength(0);
    expect(reserveSdrRepository.decode(h('34 12'))).toEqual({ reservationId: 0x1234 });
    expect(() => reserveSdrRepository.decode(h('34'))).toThrow(MalformedPacketError);
  });
});

describe('Get SDR (§33.12)', () => {
  it('encodes reservation, record, offset and count', () => {
    expect(getSdr.encode({ reservationId: 0x1234, recordId: 0x0005, offset: 5, bytesToRead: 16 })).toEqual(h('34 12 05 00 05 10'));
    expect(getSdr.encode({ reservationId: 0, recordId: 0, offset: 0, bytesToRead: 0xff })).toEqual(h('00 00 00 00 00 ff'));
  });

  it('decodes next record ID and the record bytes', () => {
    expect(getSdr.decode(h('02 00 01 00 51 01 33'))).toEqual({ nextRecordId: 2, data: h('01 00 51 01 33') });
    expect(getSdr.decode(h('ff ff'))).toEqual({ nextRecordId: 0xffff, data: Buffer.alloc(0) });
  });

  it('rejects short data', () => {
    expect(() => getSdr.decode(h('02'))).toThrow(MalformedPacketError);
  });
});
