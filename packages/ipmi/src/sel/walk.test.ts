import { describe, expect, it } from 'vitest';
import type { Command, Execute } from '../commands/command.js';
import { getSelEntry, type GetSelEntryReq } from '../commands/get-sel-entry.js';
import { reserveSel } from '../commands/reserve-sel.js';
import { AbortedError, CompletionCodeError } from '../errors.js';
import { encodeSelRecord } from './record.js';
import { buildSystemEvent } from './testing/build-sel.js';
import { readSelEntries, readSelTail } from './walk.js';

interface FakeSelOptions {
  /** refuse 0xFF whole-record reads with this code */
  refuseWhole?: number;
  /** largest partial read accepted; larger ones get 0xCA */
  maxPartial?: number;
  /** cancel the reservation once, after this many partial reads (as if a new event arrived) */
  cancelReservationAfter?: number;
  /** override the next id of the last record (to build a loop) */
  lastNext?: number;
}

/** A BMC's SEL behind the Execute interface, with the quirks real ones have. */
function fakeSel(ids: number[], o: FakeSelOptions = {}) {
  const records = ids.map((id, i) => encodeSelRecord(buildSystemEvent({ recordId: id, sensorType: 0x0c, eventType: 0x6f, eventData: [i & 0x0f] })));
  const calls: string[] = [];
  let reservation = 0;
  let partialReads = 0;
  let cancelled = false;
  const execute: Execute = async <Req, Rsp>(command: Command<Req, Rsp>, request: Req): Promise<Rsp> => {
    if (command === (reserveSel as unknown)) {
      reservation += 1;
      calls.push(`reserve`);
      return { reservationId: reservation } as Rsp;
    }
    if (command !== (getSelEntry as unknown)) throw new Error(`unexpected command ${command.name}`);
    const req = request as GetSelEntryReq;
    calls.push(`get ${req.recordId}@${req.offset}+${req.bytesToRead}`);
    const i = req.recordId === 0 ? 0 : ids.indexOf(req.recordId);
    if (i < 0 || records.length === 0) throw new CompletionCodeError('Get SEL Entry', 0xcb);
    const whole = req.bytesToRead === 0xff;
    if (whole && o.refuseWhole !== undefined) throw new CompletionCodeError('Get SEL Entry', o.refuseWhole);
    if (!whole) {
      if (req.reservationId !== reservation) throw new CompletionCodeError('Get SEL Entry', 0xc5);
      if (req.bytesToRead! > (o.maxPartial ?? 16)) throw new CompletionCodeError('Get SEL Entry', 0xca);
      partialReads++;
      if (!cancelled && o.cancelReservationAfter !== undefined && partialReads > o.cancelReservationAfter) {
        cancelled = true;
        reservation += 100; // the BMC moved on: the caller's id is now stale
        throw new CompletionCodeError('Get SEL Entry', 0xc5);
      }
    }
    const next = i + 1 < ids.length ? ids[i + 1]! : (o.lastNext ?? 0xffff);
    const data = whole ? records[i]! : records[i]!.subarray(req.offset!, req.offset! + req.bytesToRead!);
    return { nextRecordId: next, data: Buffer.from(data) } as Rsp;
  };
  return { execute, calls, records };
}

const ids = (r: { records: Array<{ recordId: number }> }) => r.records.map((x) => x.recordId);

describe('readSelEntries', () => {
  it('walks whole records from the first to 0xFFFF without a reservation', async () => {
    const bmc = fakeSel([1, 2, 5]);
    const r = await readSelEntries(bmc.execute);
    expect(ids(r)).toEqual([1, 2, 5]);
    expect(r).toMatchObject({ nextRecordId: 0xffff, lastRecordId: 5, loopDetected: false });
    expect(bmc.calls).toEqual(['get 0@0+255', 'get 2@0+255', 'get 5@0+255']);
    expect(r.records[1]).toMatchObject({ kind: 'system-event', sensorType: 0x0c, eventOffset: 1 });
  });

  it('stops at maxEntries and says where to continue', async () => {
    const bmc = fakeSel([1, 2, 5]);
    const r = await readSelEntries(bmc.execute, { maxEntries: 2 });
    expect(ids(r)).toEqual([1, 2]);
    expect(r.nextRecordId).toBe(5);
    const more = await readSelEntries(bmc.execute, { fromRecordId: r.nextRecordId });
    expect(ids(more)).toEqual([5]);
    expect(more.nextRecordId).toBe(0xffff);
  });

  it('an empty SEL is no records, not an error', async () => {
    const r = await readSelEntries(fakeSel([]).execute);
    expect(r).toEqual({ records: [], nextRecordId: 0xffff, loopDetected: false });
  });

  it('a stale cursor (record gone) is an error for the caller', async () => {
    await expect(readSelEntries(fakeSel([1, 2]).execute, { fromRecordId: 9 })).rejects.toMatchObject({
      completionCode: 0xcb,
    });
  });

  it('falls back to a reservation and shrinking partial reads when whole reads are refused', async () => {
    const bmc = fakeSel([1, 2], { refuseWhole: 0xca, maxPartial: 8 });
    const r = await readSelEntries(bmc.execute);
    expect(ids(r)).toEqual([1, 2]);
    expect(r.records.map((x) => encodeSelRecord(x))).toEqual(bmc.records);
    expect(bmc.calls).toEqual([
      'get 0@0+255',
      'reserve',
      'get 0@0+16', // 0xCA: shrink
      'get 0@0+8',
      'get 0@8+8',
      'get 2@0+8', // the mode found sticks for the rest of the walk
      'get 2@8+8',
    ]);
  });

  it('treats 0xC7 on a whole read the same way', async () => {
    const bmc = fakeSel([1], { refuseWhole: 0xc7 });
    expect(ids(await readSelEntries(bmc.execute))).toEqual([1]);
    expect(bmc.calls).toEqual(['get 0@0+255', 'reserve', 'get 0@0+16']);
  });

  it('re-reserves and restarts the record when the reservation is cancelled midway', async () => {
    const bmc = fakeSel([1, 2], { refuseWhole: 0xca, maxPartial: 8, cancelReservationAfter: 3 });
    const r = await readSelEntries(bmc.execute);
    expect(r.records.map((x) => encodeSelRecord(x))).toEqual(bmc.records);
    expect(bmc.calls.slice(-5)).toEqual(['get 2@0+8', 'get 2@8+8', 'reserve', 'get 2@0+8', 'get 2@8+8']);
  });

  it('ends the walk when the next-id chain loops', async () => {
    const r = await readSelEntries(fakeSel([1, 2, 3], { lastNext: 2 }).execute);
    expect(ids(r)).toEqual([1, 2, 3]);
    expect(r).toMatchObject({ nextRecordId: 0xffff, loopDetected: true, lastRecordId: 3 });
  });

  it('passes other completion codes through', async () => {
    const bmc = fakeSel([1], { refuseWhole: 0xd4 });
    await expect(readSelEntries(bmc.execute)).rejects.toBeInstanceOf(CompletionCodeError);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(readSelEntries(fakeSel([1]).execute, { signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('readSelTail', () => {
  it('keeps the last N records', async () => {
    const r = await readSelTail(fakeSel([1, 2, 3, 4, 5]).execute, 2);
    expect(r.map((x) => x.recordId)).toEqual([4, 5]);
  });

  it('returns everything when the SEL is shorter than N', async () => {
    expect((await readSelTail(fakeSel([7, 8]).execute, 20)).map((x) => x.recordId)).toEqual([7, 8]);
  });

  it('is empty for an empty SEL', async () => {
    expect(await readSelTail(fakeSel([]).execute, 20)).toEqual([]);
  });
});
