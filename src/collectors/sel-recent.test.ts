import { describe, expect, it } from 'vitest';
import type { SelEntryDefinition } from '@bmc-exporter/bmc-sim';
import { createSelCollector } from './sel.js';
import { RECENT_SEL_CAPACITY, RecentSelEvents } from './sel-recent.js';
import { collectContext, fakeTarget, MODEL_EPOCH_MS, virtualBmc } from './sel-testing.js';

const ECC: SelEntryDefinition = { sensorType: 0x0c, sensorNumber: 0x60, eventType: 0x6f, data: [0x00, 0xff, 0x01] };
const WALL_NOW_MS = Date.UTC(2026, 0, 15, 13, 0, 0);

function setup() {
  const vb = virtualBmc();
  const sel = createSelCollector({ clock: () => vb.clock.now, now: () => WALL_NOW_MS });
  const target = fakeTarget();
  const scrape = () => sel.collect(collectContext(vb, target, 2000));
  const recent = () => target.selState().recent;
  const add = (n: number) => {
    for (let i = 0; i < n; i++) vb.model.addSelEvent({ ...ECC, timestamp: MODEL_EPOCH_MS / 1000 + i });
  };
  return { vb, scrape, recent, add };
}

describe('the recent SEL records the console shows', () => {
  it('keeps the newest RECENT_SEL_CAPACITY records of a long SEL, newest first, none of them fresh', async () => {
    const { vb, scrape, recent, add } = setup();
    add(100);
    await scrape();
    const kept = recent().newestFirst();
    expect(kept).toHaveLength(RECENT_SEL_CAPACITY);
    const ids = vb.records().map((r) => r.recordId);
    expect(kept.map((k) => k.record.recordId)).toEqual(ids.slice(-RECENT_SEL_CAPACITY).reverse());
    expect(kept.some((k) => k.fresh)).toBe(false);
    expect(recent().freshCount).toBe(0);
  });

  it('marks records logged after a complete read as fresh, counts them, and forgets the ring when the SEL is cleared', async () => {
    const { vb, scrape, recent, add } = setup();
    add(3);
    await scrape();
    add(2);
    await scrape();
    const kept = recent().newestFirst();
    expect(kept.map((k) => k.fresh)).toEqual([true, true, false, false, false]);
    expect(recent().freshCount).toBe(2);
    expect(recent().lastFreshAt).toBe(WALL_NOW_MS);
    vb.model.clearSel();
    await scrape();
    expect(recent().newestFirst()).toEqual([]);
    // They did happen: the count of fresh events outlives the clear.
    expect(recent().freshCount).toBe(2);
  });

  it('the ring itself: wraps, keeps fresh flags per slot, bounds its capacity', () => {
    const r = new RecentSelEvents(4);
    expect(r.newestFirst()).toEqual([]);
    const rec = (id: number) => ({ kind: 'oem-non-timestamped' as const, recordId: id, recordType: 0xe0, oemData: Buffer.alloc(13, id) });
    for (let id = 1; id <= 6; id++) r.push(rec(id), id % 2 === 0, id);
    expect(r.newestFirst().map((k) => [k.record.recordId, k.fresh])).toEqual([
      [6, true],
      [5, false],
      [4, true],
      [3, false],
    ]);
    expect(r.freshCount).toBe(3);
    expect(() => new RecentSelEvents(33)).toThrow(RangeError);
  });
});
