import { describe, expect, it } from 'vitest';
import type { SelInfo } from '@bmc-exporter/ipmi';
import { SelPacer, SEL_MAX_BATCH, SEL_MIN_HEADROOM_MS } from './sel-pacing.js';
import { selSlot, SelState } from './sel-state.js';

const info = (entries: number, addition: number | null, erase: number | null = null): SelInfo => ({
  version: '1.5',
  entries,
  freeBytes: 0,
  mostRecentAddition: addition,
  mostRecentErase: erase,
  overflow: false,
  supports: { delete: false, partialAdd: false, reserve: true, allocationInfo: false },
});

/** A state that has counted `n` records and reached the end under `i`. */
function caughtUp(n: number, i: SelInfo): SelState {
  const st = new SelState();
  st.observe(i);
  for (let k = 0; k < n; k++) st.count(selSlot('other', 'info'), undefined);
  st.finish(i);
  return st;
}

describe('SelState.observe', () => {
  it('says why it starts over: first read, erase time changed, count dropped', () => {
    const st = new SelState();
    expect(st.observe(info(3, 100, 50))).toBe('first-read');
    st.count(0, 1);
    st.finish(info(3, 100, 50));
    expect(st.observe(info(3, 100, 50))).toBeUndefined();
    expect(st.upToDate(info(3, 100, 50))).toBe(true);
    expect(st.upToDate(info(4, 101, 50))).toBe(false);
    expect(st.observe(info(3, 100, 60))).toBe('erased');
    expect(st.counts.every((n) => n === 0)).toBe(true);
    expect(st.complete).toBe(false);
    st.finish(info(3, 100, 60));
    expect(st.observe(info(2, 100, 60))).toBe('count-dropped');
  });

  it('treats records after a clear seen right after a complete read as new (they may take the time they were read), others not', () => {
    const st = caughtUp(2, info(2, 100, 50));
    st.observe(info(1, 120, 110));
    expect(st.readingNewRecords).toBe(true);
    const first = new SelState();
    first.observe(info(5, 100));
    expect(first.readingNewRecords).toBe(false);
  });

  it('re-reads a wrapped log (more counted than it holds) once per new addition, so a BMC that miscounts cannot force a re-read every scrape', () => {
    // A ring at capacity 4: we counted 4, one more was appended (and the oldest overwritten).
    const st = caughtUp(5, info(4, 100));
    expect(st.observe(info(4, 100))).toBe('count-mismatch');
    for (let k = 0; k < 5; k++) st.count(0, undefined); // the BMC's walk still yields 5: it miscounts
    st.finish(info(4, 100));
    expect(st.observe(info(4, 100))).toBeUndefined();
    expect(st.observe(info(4, 200))).toBe('count-mismatch');
  });

  it('keeps the latest time per slot, ignoring unknown times', () => {
    const st = new SelState();
    st.observe(info(3, 1));
    const slot = selSlot('fan-failure', 'critical');
    st.count(slot, 200);
    st.count(slot, 100);
    st.count(slot, undefined);
    expect(st.latest[slot]).toBe(200);
    expect(st.counts[slot]).toBe(3);
    expect(st.recordsRead).toBe(3);
  });
});

describe('SelPacer', () => {
  it('asks for at most half of what the spare time holds, and stops a few round trips before the deadline', () => {
    let now = 0;
    const p = new SelPacer(1000, () => now);
    p.observe(1, 2); // 2 ms a round trip
    expect(p.headroomMs()).toBe(SEL_MIN_HEADROOM_MS);
    expect(p.nextBatch()).toBe(SEL_MAX_BATCH);
    now = 900; // 100 ms left, 25 ms headroom: 75 ms hold 37 records, ask 18
    expect(p.nextBatch()).toBe(18);
    now = 1000 - SEL_MIN_HEADROOM_MS - 1;
    expect(p.nextBatch()).toBe(0);
  });

  it('grows the headroom with a slow BMC and leans towards the slower estimate', () => {
    const p = new SelPacer(10_000, () => 0);
    p.observe(1, 40);
    expect(p.headroomMs()).toBe(120);
    p.observe(10, 100); // 10 ms each now, but one slow answer is remembered: 25
    expect(p.headroomMs()).toBe(75);
  });

  it('without a deadline reads in full batches', () => {
    expect(new SelPacer(Infinity, () => 0).nextBatch()).toBe(SEL_MAX_BATCH);
  });
});

describe('SelState snapshots (kept across restarts with --sdr.cache-dir)', () => {
  const rec = (id: number) => ({ kind: 'oem-non-timestamped' as const, recordId: id, recordType: 0xe0, oemData: Buffer.alloc(13, id) });

  /** A state mid-way through its SEL: counts, a latest time, a cursor, the last record, recent records. */
  function midRead(): SelState {
    const st = new SelState();
    st.observe(info(9, 1000, 500));
    st.count(selSlot('memory-ecc-uncorrectable', 'critical'), 1_767_000_000);
    st.count(selSlot('other', 'info'), undefined);
    st.advance(0x0005, rec(4));
    st.recent.push(rec(3), false, 0);
    st.recent.push(rec(4), true, 1_767_000_100_000);
    return st;
  }

  it('gives back, through JSON, a state that behaves as the one it was taken from', () => {
    const st = midRead();
    const back = SelState.fromSnapshot(JSON.parse(JSON.stringify(st.snapshot())))!;
    expect(back).toBeDefined();
    expect(back.snapshot()).toEqual(st.snapshot());
    expect([back.nextId, back.lastRecordId, back.lastRecordHex, back.recordsRead]).toEqual([0x0005, 4, st.lastRecordHex, 2]);
    expect(back.counts).toEqual(st.counts);
    expect(back.latest.map(String)).toEqual(st.latest.map(String));
    expect(back.recent.newestFirst()).toEqual(st.recent.newestFirst());
    expect(back.recent.freshCount).toBe(1);
    // The same checks as the original's on the next Get SEL Info: erase time, entry count.
    expect(back.observe(info(9, 1000, 500))).toBeUndefined();
    expect(back.observe(info(9, 1000, 600))).toBe('erased');
    // Caught up: nothing to read while Get SEL Info says the same.
    const done = caughtUp(3, info(3, 100, 50));
    expect(SelState.fromSnapshot(JSON.parse(JSON.stringify(done.snapshot())))!.upToDate(info(3, 100, 50))).toBe(true);
  });

  it('has nothing to keep before its first Get SEL Info', () => {
    expect(new SelState().snapshot()).toBeUndefined();
  });

  it('counts a change only when there is one worth writing', () => {
    const st = caughtUp(2, info(2, 100, 50));
    const at = st.changes;
    st.observe(info(2, 100, 50));
    expect(st.changes).toBe(at);
    st.observe(info(3, 101, 50));
    expect(st.changes).toBeGreaterThan(at);
  });

  it('refuses anything that is not one of its snapshots, field by field', () => {
    const good = JSON.parse(JSON.stringify(midRead().snapshot())) as Record<string, unknown>;
    const broken: Array<[string, unknown]> = [
      ['not an object', 'state'],
      ['counts too short', { ...good, counts: [1, 2] }],
      ['a negative count', { ...good, counts: (good.counts as number[]).map((n, i) => (i === 0 ? -1 : n)) }],
      ['a latest time that is text', { ...good, latest: (good.latest as unknown[]).map((t, i) => (i === 0 ? '1' : t)) }],
      ['a record id past 0xFFFF', { ...good, nextId: 0x10000 }],
      ['a record that is not 16 bytes of hex', { ...good, lastRecordHex: 'abc' }],
      ['a record id without its record', { ...good, lastRecordHex: null }],
      ['complete that is not a boolean', { ...good, complete: 1 }],
      ['recent records of the wrong size', { ...good, recent: { ...(good.recent as object), records: 'AAAA' } }],
      ['no recent records at all', { ...good, recent: undefined }],
      ['caughtUp without its entries', { ...good, caughtUp: { addition: 1 } }],
    ];
    for (const [why, value] of broken) expect(SelState.fromSnapshot(value), why).toBeUndefined();
    expect(SelState.fromSnapshot(good)).toBeDefined();
  });
});
