import { describe, expect, it } from 'vitest';
import { AbortedError, CompletionCodeError, InvalidArgumentError, SdrIncompleteError, TimeoutError } from '../errors.js';
import type { Command, Execute } from '../commands/command.js';
import { DEFAULT_SDR_MAX_RECORDS, readSdrRepository, SdrWalk, WHOLE_READ_REFUSED_CODES } from './walk.js';
import { COMPACT_DIMMS, FULL_12V, FULL_CPU_TEMP, MC_LOCATOR, OEM_RECORD } from './sdr-fixtures.test-data.js';

interface FakeBmcOptions {
  /** Get SDR reads asking for more than this many bytes get 0xCA. */
  maxRead?: number;
  /** Cancel the reservation once, on the Nth Get SDR call (1-based). */
  cancelOnCall?: number;
  /** Override "next record ID" per record ID. */
  nextOverride?: Record<number, number>;
  recordCount?: number;
  reserveUnsupported?: boolean;
  failWith?: (call: number) => Error | undefined;
  /** Answer whole-record reads (offset 0, 0xFF bytes) with this completion code, or these record bytes instead of the record. */
  whole?: (img: Buffer) => number | Buffer;
  /** Cut every answer's record bytes to this many. */
  truncateTo?: number;
  /** Refuse (0xC5) reads under reservation 0 even at offset 0, as some BMCs might. */
  requireReservation?: boolean;
}

/** A BMC that serves an SDR image through Reserve SDR Repository / Get SDR, as a real one would. */
function fakeBmc(images: Buffer[], o: FakeBmcOptions = {}) {
  const log: string[] = [];
  let reservation = 0;
  let calls = 0;
  const byId = new Map(images.map((img) => [img.readUInt16LE(0), img]));
  const ids = [...byId.keys()];
  const execute = (async <Req, Rsp>(command: Command<Req, Rsp>, request: Req) => {
    const reply = (data: Buffer) => command.decode(data);
    const cc: (code: number) => never = (code) => {
      throw new CompletionCodeError(command.name, code);
    };
    switch (command.cmd) {
      case 0x20: {
        log.push('info');
        const d = Buffer.alloc(14);
        d[0] = 0x51;
        d.writeUInt16LE(o.recordCount ?? images.length, 1);
        return reply(d);
      }
      case 0x22: {
        log.push('reserve');
        if (o.reserveUnsupported) cc(0xc1);
        reservation += 1;
        return reply(Buffer.from([reservation & 0xff, reservation >> 8]));
      }
      case 0x23: {
        calls += 1;
        const req = request as unknown as { reservationId: number; recordId: number; offset: number; bytesToRead: number };
        log.push(`get ${req.recordId}@${req.offset}+${req.bytesToRead}`);
        const injected = o.failWith?.(calls);
        if (injected) throw injected;
        if (calls === o.cancelOnCall) {
          reservation += 1; // the repository changed under us
          cc(0xc5);
        }
        if ((req.offset > 0 || o.requireReservation) && (req.reservationId === 0 || req.reservationId !== reservation)) cc(0xc5);
        const id = req.recordId === 0 ? ids[0] : req.recordId;
        const img = id === undefined ? undefined : byId.get(id);
        if (!img) cc(0xcb);
        if (o.maxRead !== undefined && req.bytesToRead > o.maxRead) cc(0xca);
        const idx = ids.indexOf(id!);
        const next = o.nextOverride?.[id!] ?? ids[idx + 1] ?? 0xffff;
        const head = Buffer.alloc(2);
        head.writeUInt16LE(next);
        const whole = req.offset === 0 && req.bytesToRead === 0xff ? o.whole?.(img!) : undefined;
        if (typeof whole === 'number') cc(whole);
        const bytes = whole ?? img!.subarray(req.offset, req.offset + req.bytesToRead);
        return reply(Buffer.concat([head, bytes.subarray(0, o.truncateTo ?? bytes.length)]));
      }
      default:
        throw new Error(`unexpected command ${command.name}`);
    }
  }) as Execute;
  return { execute, log };
}

const IMAGE = [FULL_CPU_TEMP, FULL_12V, COMPACT_DIMMS, MC_LOCATOR, OEM_RECORD];

describe('readSdrRepository', () => {
  it('reads each record whole: one Get SDR per record', async () => {
    const bmc = fakeBmc(IMAGE);
    const { records, unparsed } = await readSdrRepository(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(unparsed).toEqual([]);
    // No reservation: whole reads from offset 0 need none (§33.12).
    expect(bmc.log.slice(0, 3)).toEqual(['info', 'get 0@0+255', 'get 2@0+255']);
    // The walk's whole cost: the repository info and one read per record.
    expect(bmc.log).toHaveLength(1 + IMAGE.length);
  });

  it('a BMC that wants a reservation even for whole reads (0xC5 under 0000h) gets one, once', async () => {
    const bmc = fakeBmc(IMAGE, { requireReservation: true });
    const { records } = await readSdrRepository(bmc.execute, { recordCount: IMAGE.length });
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(bmc.log.slice(0, 4)).toEqual(['get 0@0+255', 'reserve', 'get 0@0+255', 'get 2@0+255']);
    expect(bmc.log).toHaveLength(2 + IMAGE.length);
  });

  it('yields the same records and bytes whole as in parts', async () => {
    const whole = new SdrWalk({ keepBytes: true });
    const parts = new SdrWalk({ keepBytes: true, wholeRecords: false, chunkSize: 16 });
    await whole.run(fakeBmc(IMAGE).execute);
    await parts.run(fakeBmc(IMAGE).execute);
    expect(whole.records).toEqual(parts.records);
    expect(whole.recordBytes).toEqual(parts.recordBytes);
  });

  it('a whole record refused (0xCA) falls back to header then body, then 16-byte chunks, and keeps them', async () => {
    const bmc = fakeBmc(IMAGE, { maxRead: 16 });
    const { records } = await readSdrRepository(bmc.execute, { recordCount: IMAGE.length });
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    // Reading in parts takes a reservation first: the body reads are past offset 0.
    expect(bmc.log.slice(0, 8)).toEqual(['get 0@0+255', 'reserve', 'get 0@0+5', 'get 0@5+51', 'get 0@5+16', 'get 0@21+16', 'get 0@37+16', 'get 0@53+3']);
    // One refusal of each size per walk: no later read asks for more than 16.
    expect(bmc.log.slice(4).filter((l) => Number(l.split('+')[1]) > 16)).toEqual([]);
  });

  it.each(WHOLE_READ_REFUSED_CODES.map((c) => [c.toString(16), c] as const))(
    'a whole record refused with 0x%s falls back to header then body once per walk',
    async (_, code) => {
      const bmc = fakeBmc(IMAGE, { whole: () => code });
      const walk = new SdrWalk({ recordCount: IMAGE.length, keepBytes: true });
      const { records, incomplete } = await walk.run(bmc.execute);
      expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
      expect(incomplete).toBeUndefined();
      expect(walk.recordBytes).toEqual(IMAGE);
      expect(bmc.log.slice(0, 5)).toEqual(['get 0@0+255', 'reserve', 'get 0@0+5', 'get 0@5+51', 'get 2@0+5']);
      // One extra round trip for the walk: the refused whole read is not asked again.
      expect(bmc.log.filter((l) => l.endsWith('+255'))).toHaveLength(1);
      expect(bmc.log.filter((l) => l.startsWith('get'))).toHaveLength(1 + 2 * IMAGE.length);
    },
  );

  it('a walk continued after an abort keeps reading in parts once whole reads were refused', async () => {
    const ac = new AbortController();
    let gets = 0;
    const bmc = fakeBmc(IMAGE, {
      whole: () => 0xca,
      failWith: () => {
        if (++gets === 3) ac.abort(); // the first record's body
        return undefined;
      },
    });
    const walk = new SdrWalk({ recordCount: IMAGE.length });
    await expect(walk.run(bmc.execute, ac.signal)).rejects.toThrow(AbortedError);
    bmc.log.length = 0;
    const { records } = await walk.run(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(bmc.log.filter((l) => l.endsWith('+255'))).toEqual([]);
    // A new walk (a changed repository, another BMC) asks for whole records again.
    const fresh = fakeBmc(IMAGE);
    await new SdrWalk().run(fresh.execute);
    expect(fresh.log.filter((l) => l.endsWith('+255'))).toHaveLength(IMAGE.length);
  });

  it('not present (0xCB) on a whole read keeps its meaning: an empty repository, or an error mid-walk, never a fallback', async () => {
    const empty = fakeBmc([]);
    expect(await readSdrRepository(empty.execute, { recordCount: 0 })).toEqual({ records: [], unparsed: [] });
    expect(empty.log).toEqual(['get 0@0+255']);
    const gone = fakeBmc(IMAGE, { whole: (img) => (img.readUInt16LE(0) === 4 ? 0xcb : img) });
    await expect(readSdrRepository(gone.execute, { recordCount: 5 })).rejects.toMatchObject({ completionCode: 0xcb });
    expect(gone.log.filter((l) => l.endsWith('+5'))).toEqual([]);
  });

  it('a reservation cancelled (0xC5) on a whole read re-reserves and reads that record whole again', async () => {
    const bmc = fakeBmc(IMAGE, { cancelOnCall: 2 });
    const { records } = await readSdrRepository(bmc.execute, { recordCount: 5 });
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(bmc.log.slice(0, 4)).toEqual(['get 0@0+255', 'get 2@0+255', 'reserve', 'get 2@0+255']);
    expect(bmc.log.filter((l) => l.endsWith('+5'))).toEqual([]);
  });

  const lengths: Array<[string, (img: Buffer) => Buffer]> = [
    ['shorter than a header', (img) => img.subarray(0, 3)],
    ['nothing at all', () => Buffer.alloc(0)],
    ["cut short of its header's length", (img) => img.subarray(0, img.length - 1)],
    ['a header claiming 255 body bytes', (img) => Buffer.concat([img.subarray(0, 4), Buffer.from([0xff]), img.subarray(5)])],
  ];

  it.each(lengths)('a whole answer %s falls back to header then body for the rest of the walk', async (_, botch) => {
    const bmc = fakeBmc(IMAGE, { whole: botch });
    const walk = new SdrWalk({ recordCount: IMAGE.length, keepBytes: true });
    const { records, unparsed } = await walk.run(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(unparsed).toEqual([]);
    expect(walk.recordBytes).toEqual(IMAGE);
    expect(bmc.log.filter((l) => l.endsWith('+255'))).toHaveLength(1);
  });

  it("a whole answer longer than its header's length is the record, the rest dropped (ipmi_sim pads small records)", async () => {
    const bmc = fakeBmc(IMAGE, { whole: (img) => Buffer.concat([img, Buffer.alloc(40, 0xee)]) });
    const walk = new SdrWalk({ recordCount: IMAGE.length, keepBytes: true });
    const { records, unparsed } = await walk.run(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(unparsed).toEqual([]);
    expect(walk.recordBytes).toEqual(IMAGE);
    expect(bmc.log).toHaveLength(IMAGE.length);
  });

  it('a BMC botching every read gets a clear error for the record and the walk ends, in a bounded number of reads', async () => {
    const bmc = fakeBmc(IMAGE, { truncateTo: 2 });
    const { records, unparsed, incomplete } = await readSdrRepository(bmc.execute, { recordCount: 5 });
    expect(records).toEqual([]);
    expect(unparsed).toEqual([{ recordId: 0, error: expect.stringMatching(/Get SDR 0x0: header read returned 2 byte/) }]);
    expect(incomplete).toBeUndefined();
    expect(bmc.log.filter((l) => l.startsWith('get'))).toEqual(['get 0@0+255', 'get 0@0+5']);
  });

  it('reads in 16-byte chunks when asked to', async () => {
    const bmc = fakeBmc(IMAGE);
    const { records, unparsed } = await readSdrRepository(bmc.execute, { chunkSize: 16, wholeRecords: false });
    expect(records.map((r) => [r.recordId, r.kind])).toEqual([
      [1, 'full'],
      [2, 'full'],
      [4, 'compact'],
      [8, 'mc-locator'],
      [9, 'other'],
    ]);
    expect(unparsed).toEqual([]);
    // Record 1 is 5 + 0x33 = 56 bytes: header, then 16+16+16+3.
    expect(bmc.log.slice(0, 7)).toEqual(['info', 'reserve', 'get 0@0+5', 'get 0@5+16', 'get 0@21+16', 'get 0@37+16', 'get 0@53+3']);
  });

  it('shrinks the chunk on 0xCA and keeps the smaller size', async () => {
    const bmc = fakeBmc(IMAGE, { maxRead: 6 });
    const { records } = await readSdrRepository(bmc.execute, { recordCount: IMAGE.length, chunkSize: 16, wholeRecords: false });
    expect(records).toHaveLength(5);
    expect(records[0]).toMatchObject({ kind: 'full', name: 'CPU Temp' });
    expect(bmc.log.slice(0, 5)).toEqual(['reserve', 'get 0@0+5', 'get 0@5+16', 'get 0@5+8', 'get 0@5+4']);
    expect(bmc.log).not.toContain('get 2@5+16');
  });

  it('fails when even 4-byte reads are refused', async () => {
    const bmc = fakeBmc(IMAGE, { maxRead: 3 });
    await expect(readSdrRepository(bmc.execute, { recordCount: 5 })).rejects.toMatchObject({ completionCode: 0xca });
  });

  it('re-reserves and restarts the record when the reservation is cancelled (0xC5)', async () => {
    const bmc = fakeBmc(IMAGE, { cancelOnCall: 3 });
    const { records } = await readSdrRepository(bmc.execute, { recordCount: 5, chunkSize: 16, wholeRecords: false });
    expect(records).toHaveLength(5);
    expect(records[0]).toMatchObject({ name: 'CPU Temp' });
    expect(bmc.log.slice(0, 7)).toEqual(['reserve', 'get 0@0+5', 'get 0@5+16', 'get 0@21+16', 'reserve', 'get 0@0+5', 'get 0@5+16']);
  });

  it('gives up after repeated cancellations', async () => {
    const bmc = fakeBmc(IMAGE, { failWith: (n) => (n > 1 ? new CompletionCodeError('Get SDR', 0xc5) : undefined) });
    await expect(readSdrRepository(bmc.execute, { recordCount: 5 })).rejects.toMatchObject({ completionCode: 0xc5 });
    // A reservation for each of MAX_RESERVATION_RESTARTS restarts; whole reads took none before.
    expect(bmc.log.filter((l) => l === 'reserve')).toHaveLength(5);
  });

  it('stops at a next ID already visited (a cycle), keeps what it read and says so', async () => {
    const bmc = fakeBmc(IMAGE, { nextOverride: { 2: 1 } });
    const { records, incomplete } = await readSdrRepository(bmc.execute, { recordCount: 5 });
    expect(records.map((r) => r.recordId)).toEqual([1, 2]);
    expect(incomplete).toBeInstanceOf(SdrIncompleteError);
    expect(incomplete?.reason).toBe('cycle');
    expect(incomplete?.message).toBe("SDR record 0x0002 links back to record 0x0001, already read: the repository's links form a cycle");
    // Record 1 was read as "first" (ID 0): no second lap asks for it by its own ID.
    expect(bmc.log.filter((l) => l.startsWith('get 1@'))).toEqual([]);
  });

  it('a record linking to itself is a cycle too', async () => {
    const bmc = fakeBmc(IMAGE, { nextOverride: { 1: 1 } });
    const { records, incomplete } = await readSdrRepository(bmc.execute, { recordCount: 5 });
    expect(records.map((r) => r.recordId)).toEqual([1]);
    expect(incomplete?.reason).toBe('cycle');
  });

  const oemRecords = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const b = Buffer.from(OEM_RECORD);
      b.writeUInt16LE(i + 1, 0);
      return b;
    });

  it('stops when the repository is larger than reported, and says so', async () => {
    const bmc = fakeBmc(oemRecords(40), { recordCount: 2 });
    const { records, incomplete } = await readSdrRepository(bmc.execute);
    expect(records).toHaveLength(2 + 16);
    expect(incomplete?.reason).toBe('record-limit');
    expect(incomplete?.message).toMatch(/more records than the 2 its repository info reports/);
  });

  it('reads at most maxRecords records (default DEFAULT_SDR_MAX_RECORDS), keeping them', async () => {
    const bmc = fakeBmc(oemRecords(30));
    const { records, incomplete } = await readSdrRepository(bmc.execute, { maxRecords: 10 });
    expect(records.map((r) => r.recordId)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(incomplete?.reason).toBe('record-limit');
    expect(incomplete?.message).toBe("SDR has more than 10 records (the walk's limit); the rest were not read");
    // Nothing asked beyond the tenth record.
    expect(bmc.log.some((l) => l.startsWith('get 11@'))).toBe(false);
    const big = fakeBmc(oemRecords(DEFAULT_SDR_MAX_RECORDS + 5));
    const all = await readSdrRepository(big.execute);
    expect(all.records).toHaveLength(DEFAULT_SDR_MAX_RECORDS);
    expect(all.incomplete?.reason).toBe('record-limit');
  });

  it('holds at most maxBytes of records, keeping those that fit', async () => {
    const bmc = fakeBmc(oemRecords(10));
    const size = OEM_RECORD.length;
    const { records, incomplete } = await readSdrRepository(bmc.execute, { maxBytes: size * 3 + 1 });
    expect(records).toHaveLength(3);
    expect(incomplete?.reason).toBe('byte-limit');
    expect(incomplete?.message).toBe(`SDR holds more than ${size * 3 + 1} bytes (the walk's limit); the rest were not read`);
  });

  it('a repository within every limit is complete', async () => {
    const { records, incomplete } = await readSdrRepository(fakeBmc(oemRecords(10)).execute, { maxRecords: 10, maxBytes: OEM_RECORD.length * 10 });
    expect(records).toHaveLength(10);
    expect(incomplete).toBeUndefined();
  });

  it('lists undecodable records instead of failing', async () => {
    const broken = Buffer.from(FULL_12V.subarray(0, 20));
    broken[4] = 15; // a "full" record too short for its fixed fields
    const bmc = fakeBmc([FULL_CPU_TEMP, broken, MC_LOCATOR]);
    const { records, unparsed } = await readSdrRepository(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 8]);
    expect(unparsed).toHaveLength(1);
    expect(unparsed[0]!.recordId).toBe(2);
    expect(unparsed[0]!.error).toMatch(/short read/);
  });

  it('works without reservations (0xC1 on Reserve) and with an empty repository', async () => {
    const bmc = fakeBmc([MC_LOCATOR], { reserveUnsupported: true });
    expect((await readSdrRepository(bmc.execute, { recordCount: 1 })).records).toHaveLength(1);
    expect(await readSdrRepository(fakeBmc([]).execute)).toEqual({ records: [], unparsed: [] });
  });

  it('propagates transport errors and honours abort', async () => {
    const bmc = fakeBmc(IMAGE, { failWith: () => new TimeoutError('no answer') });
    await expect(readSdrRepository(bmc.execute, { recordCount: 5 })).rejects.toThrow(TimeoutError);
    const ac = new AbortController();
    ac.abort();
    await expect(readSdrRepository(fakeBmc(IMAGE).execute, { recordCount: 5, signal: ac.signal })).rejects.toThrow(AbortedError);
  });
});

describe('SdrWalk', () => {
  it('continues after an abort at the record it was reading, keeping the records read', async () => {
    const ac = new AbortController();
    let gets = 0;
    const bmc = fakeBmc(IMAGE, {
      failWith: () => {
        // Abort while the second record is being read: the third is not asked for.
        if (++gets === 2) ac.abort();
        return undefined;
      },
    });
    const walk = new SdrWalk({ recordCount: IMAGE.length });
    await expect(walk.run(bmc.execute, ac.signal)).rejects.toThrow(AbortedError);
    expect(walk.done).toBe(false);
    expect(walk.records.map((r) => r.recordId)).toEqual([1, 2]);
    bmc.log.length = 0;
    const { records, incomplete } = await walk.run(bmc.execute, new AbortController().signal);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4, 8, 9]);
    expect(incomplete).toBeUndefined();
    // Record 4 next; records 1 and 2 are not asked for a second time.
    expect(bmc.log.slice(0, 1)).toEqual(['get 4@0+255']);
    expect(bmc.log.filter((l) => l.startsWith('get'))).toHaveLength(3);
    // A finished walk reads nothing more.
    bmc.log.length = 0;
    await walk.run(bmc.execute);
    expect(bmc.log).toEqual([]);
  });

  it('continues after a transport error, and its limits count the records of every run', async () => {
    const oem = Array.from({ length: 8 }, (_, i) => {
      const b = Buffer.from(OEM_RECORD);
      b.writeUInt16LE(i + 1, 0);
      return b;
    });
    const bmc = fakeBmc(oem, { failWith: (n) => (n === 4 ? new TimeoutError('no answer') : undefined) });
    const walk = new SdrWalk({ maxRecords: 5 });
    await expect(walk.run(bmc.execute)).rejects.toThrow(TimeoutError);
    expect(walk.recordsRead).toBe(3);
    const { records, incomplete } = await walk.run(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 3, 4, 5]);
    expect(incomplete?.reason).toBe('record-limit');
  });

  it('a cycle spanning two runs is still a cycle', async () => {
    const ac = new AbortController();
    let gets = 0;
    const bmc = fakeBmc(IMAGE, {
      nextOverride: { 4: 2 },
      failWith: () => {
        if (++gets === 2) ac.abort();
        return undefined;
      },
    });
    const walk = new SdrWalk({ recordCount: 5 });
    await expect(walk.run(bmc.execute, ac.signal)).rejects.toThrow(AbortedError);
    const { records, incomplete } = await walk.run(bmc.execute);
    expect(records.map((r) => r.recordId)).toEqual([1, 2, 4]);
    expect(incomplete?.reason).toBe('cycle');
  });

  it('refuses a second run while the first is still reading', async () => {
    const walk = new SdrWalk();
    const bmc = fakeBmc(IMAGE);
    const first = walk.run(bmc.execute);
    await expect(walk.run(bmc.execute)).rejects.toThrow(InvalidArgumentError);
    expect((await first).records).toHaveLength(5);
  });

  it("keeps each record's bytes when asked to", async () => {
    const walk = new SdrWalk({ keepBytes: true });
    await walk.run(fakeBmc(IMAGE).execute);
    expect(walk.recordBytes).toEqual(IMAGE);
    expect(new SdrWalk().recordBytes).toBeUndefined();
  });
});
