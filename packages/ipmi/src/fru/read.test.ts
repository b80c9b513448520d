import { describe, expect, it } from 'vitest';
import type { Command, Execute } from '../commands/command.js';
import { getFruInventoryAreaInfo } from '../commands/get-fru-inventory-area-info.js';
import { readFruData, type ReadFruDataReq } from '../commands/read-fru-data.js';
import { AbortedError, CompletionCodeError } from '../errors.js';
import { parseFru } from './inventory.js';
import { readFru } from './read.js';
import { buildFru } from './build.js';

interface FakeFruOptions {
  accessByWords?: boolean;
  /** largest count (in bytes) answered; larger gets this code */
  maxCount?: number;
  refuseCode?: number;
  /** answer 0x81 (busy) this many times first */
  busyTimes?: number;
  /** return at most this many bytes even when more are asked (short reads are legal) */
  shortReads?: number;
}

function fakeFru(image: Buffer, o: FakeFruOptions = {}) {
  const reads: Array<[number, number]> = [];
  let busy = o.busyTimes ?? 0;
  const unit = o.accessByWords ? 2 : 1;
  const execute: Execute = async <Req, Rsp>(command: Command<Req, Rsp>, request: Req): Promise<Rsp> => {
    if (command === (getFruInventoryAreaInfo as unknown)) {
      return { sizeBytes: image.length, accessByWords: o.accessByWords ?? false } as Rsp;
    }
    if (command !== (readFruData as unknown)) throw new Error(`unexpected ${command.name}`);
    const req = request as ReadFruDataReq;
    expect(req.fruId).toBe(0);
    const offset = req.offset * unit;
    const count = req.count * unit;
    reads.push([offset, count]);
    if (busy > 0) {
      busy--;
      throw new CompletionCodeError('Read FRU Data', 0x81);
    }
    if (o.maxCount !== undefined && count > o.maxCount) throw new CompletionCodeError('Read FRU Data', o.refuseCode ?? 0xca);
    const n = Math.min(count, o.shortReads ?? count, image.length - offset);
    const data = Buffer.from(image.subarray(offset, offset + n));
    return { countReturned: data.length / unit, data } as Rsp;
  };
  return { execute, reads };
}

const IMAGE_SPEC = {
  chassis: { partNumber: 'CH-1', serialNumber: 'CSN' },
  board: { manufacturer: 'Contoso', productName: 'Board', serialNumber: 'BSN-123', partNumber: 'BPN' },
  product: { manufacturer: 'Contoso', productName: 'Server', serialNumber: 'PSN-9' },
  multiRecords: [
    { type: 0x00, data: Buffer.alloc(10, 7) },
    { type: 0x01, data: Buffer.alloc(6, 8) },
  ],
};
const USED = buildFru(IMAGE_SPEC);
// An EEPROM is usually far bigger than what is written; the tail is erased (0xFF).
const EEPROM = buildFru({ ...IMAGE_SPEC, totalSize: 2048 });

describe('readFru', () => {
  it('reads only up to the end of the last area, in 24-byte chunks', async () => {
    const bmc = fakeFru(EEPROM);
    const bytes = await readFru(bmc.execute);
    expect(bytes).toEqual(USED);
    expect(bmc.reads.every(([, n]) => n <= 24)).toBe(true);
    expect(bmc.reads.reduce((a, [, n]) => a + n, 0)).toBe(USED.length);
    expect(parseFru(bytes).board?.serialNumber).toBe('BSN-123');
  });

  it('shrinks the chunk when the BMC refuses the count', async () => {
    for (const code of [0xca, 0xc7, 0xc8]) {
      const bmc = fakeFru(EEPROM, { maxCount: 10, refuseCode: code });
      expect(await readFru(bmc.execute)).toEqual(USED);
      expect(bmc.reads[0]).toEqual([0, 8]); // the header: 8 <= 10, accepted
      expect(bmc.reads.filter(([, n]) => n > 10).length).toBe(2); // 24 and 12 refused once each; 6 then sticks
    }
  });

  it('retries while the FRU device is busy (0x81)', async () => {
    const bmc = fakeFru(EEPROM, { busyTimes: 3 });
    expect(await readFru(bmc.execute)).toEqual(USED);
  });

  it('gives up after too many busy answers', async () => {
    const bmc = fakeFru(EEPROM, { busyTimes: 100 });
    await expect(readFru(bmc.execute)).rejects.toMatchObject({ completionCode: 0x81 });
  });

  it('continues after short reads', async () => {
    const bmc = fakeFru(EEPROM, { shortReads: 5 });
    expect(await readFru(bmc.execute)).toEqual(USED);
  });

  it('addresses word-access devices in words', async () => {
    const bmc = fakeFru(EEPROM, { accessByWords: true });
    const bytes = await readFru(bmc.execute, { chunkSize: 15 });
    // Rounded up to whole words.
    expect(bytes.subarray(0, USED.length)).toEqual(USED);
    expect(bmc.reads.every(([off, n]) => off % 2 === 0 && n % 2 === 0 && n <= 14)).toBe(true);
  });

  it('reads the whole area when the header is not a valid v1 header', async () => {
    const blank = Buffer.alloc(64, 0xff);
    expect(await readFru(fakeFru(blank).execute)).toEqual(blank);
    const badSum = buildFru({ ...IMAGE_SPEC, corruptHeaderChecksum: true, totalSize: 300 });
    expect(await readFru(fakeFru(badSum).execute)).toEqual(badSum);
  });

  it('passes other completion codes through', async () => {
    const bmc = fakeFru(EEPROM, { maxCount: 0, refuseCode: 0xd4 });
    await expect(readFru(bmc.execute)).rejects.toBeInstanceOf(CompletionCodeError);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(readFru(fakeFru(EEPROM).execute, { signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});
