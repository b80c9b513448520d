import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { getFruInventoryAreaInfo } from './get-fru-inventory-area-info.js';
import { readFruData } from './read-fru-data.js';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Get FRU Inventory Area Info (§34.1)', () => {
  it('round-trips', () => {
    expect(getFruInventoryAreaInfo.encode({ fruId: 0 })).toEqual(h('00'));
    expect(getFruInventoryAreaInfo.decode(h('00 04 00'))).toEqual({ sizeBytes: 1024, accessByWords: false });
    expect(getFruInventoryAreaInfo.decode(h('00 01 01'))).toEqual({ sizeBytes: 256, accessByWords: true });
    expect(() => getFruInventoryAreaInfo.decode(h('00 04'))).toThrow(MalformedPacketError);
  });
});

describe('Read FRU Data (§34.2)', () => {
  it('encodes device, offset LS first and count', () => {
    expect(readFruData.encode({ fruId: 1, offset: 0x0108, count: 16 })).toEqual(h('01 08 01 10'));
  });

  it('decodes count and data (common header)', () => {
    expect(readFruData.decode(h('08 01 00 01 02 05 00 00 f7'))).toEqual({
      countReturned: 8,
      data: h('01 00 01 02 05 00 00 f7'),
    });
  });

  it('rejects a count larger than the data', () => {
    expect(() => readFruData.decode(h('08 01 00 01'))).toThrow(MalformedPacketError);
    expect(() => readFruData.decode(h(''))).toThrow(MalformedPacketError);
  });
});
