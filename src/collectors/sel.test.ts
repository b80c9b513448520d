import { describe, expect, it } from 'vitest';
import type { SelEntryDefinition } from '@bmc-exporter/bmc-sim';
import { type ExecuteOptions, CompletionCodeError } from '@bmc-exporter/ipmi';
import { createSelCollector } from './sel.js';
import { SEL_MAX_BATCH } from './sel-pacing.js';
import { collectContext, fakeTarget, gauges, MODEL_EPOCH_MS, tally, virtualBmc, type VirtualBmc } from './sel-testing.js';

const WALL_NOW_MS = Date.UTC(2026, 0, 15, 13, 0, 0);

/** Table 42-3 sensor-specific events (event type 0x6F) and a threshold one. */
const EVENTS = {
  eccUncorrectable: { sensorType: 0x0c, sensorNumber: 0x60, eventType: 0x6f, data: [0x01, 0xff, 0x03] },
  eccCorrectable: { sensorType: 0x0c, sensorNumber: 0x60, eventType: 0x6f, data: [0x00, 0xff, 0x01] },
  psuFailure: { sensorType: 0x08, sensorNumber: 0x40, eventType: 0x6f, data: [0x01, 0xff, 0xff] },
  fanLowerCritical: { sensorType: 0x04, sensorNumber: 0x12, eventType: 0x01, data: [0x52, 0x08, 0x0a] },
} satisfies Record<string, SelEntryDefinition>;

function setup(opts: Parameters<typeof virtualBmc>[0] = {}) {
  const vb = virtualBmc(opts);
  const sel = createSelCollector({ clock: () => vb.clock.now, now: () => WALL_NOW_MS });
  const target = fakeTarget();
  const scrape = async (deadlineMs = 2000) => {
    const ctx = collectContext(vb, target, deadlineMs);
    await sel.collect(ctx);
    return { g: gauges(ctx.out), endedAt: vb.clock.now, deadline: ctx.deadline };
  };
  return { vb, sel, target, scrape };
}

function fill(vb: VirtualBmc, n: number): void {
  const kinds = Object.values(EVENTS);
  for (let i = 0; i < n; i++) vb.model.addSelEvent({ ...kinds[i % kinds.length]!, timestamp: MODEL_EPOCH_MS / 1000 - n + i });
}

const events = (g: Map<string, Map<string, number>>) => g.get('sel_events')!;
const one = (g: Map<string, Map<string, number>>, name: string) => g.get(name)?.get('');

describe('SEL collector', () => {
  it('reads a 3,000-entry SEL across scrapes under a 2 s deadline, each scrape ending before it, and then counts what the SEL holds', async () => {
    const { vb, scrape } = setup({ rttMs: 1 });
    fill(vb, 3000);
    const first = await scrape();
    expect(first.endedAt).toBeLessThan(first.deadline);
    expect(one(first.g, 'sel_read_complete')).toBe(0);
    expect(one(first.g, 'sel_entries')).toBe(3000);
    const firstCount = [...events(first.g).values()].reduce((a, b) => a + b, 0);
    expect(firstCount).toBeGreaterThan(1000);
    expect(firstCount).toBeLessThan(3000);
    let scrapes = 1;
    let last = first;
    while (one(last.g, 'sel_read_complete') !== 1) {
      last = await scrape();
      expect(last.endedAt).toBeLessThan(last.deadline);
      scrapes++;
      expect(scrapes).toBeLessThan(5);
    }
    expect(scrapes).toBe(2);
    expect(events(last.g)).toEqual(tally(vb.records()));
    // Every record read exactly once: no batch thrown away, none read twice.
    expect(vb.commands.get('Get SEL Entry')).toBe(3000);
  });

  it('sends only Get SEL Info on a warm scrape with nothing new, and k+1 Get SEL Entry for k new entries', async () => {
    const { vb, scrape } = setup();
    fill(vb, 20);
    await scrape();
    vb.resetCounts();
    const warm = await scrape();
    expect(Object.fromEntries(vb.commands)).toEqual({ 'Get SEL Info': 1 });
    expect(one(warm.g, 'sel_read_complete')).toBe(1);

    vb.resetCounts();
    vb.model.addSelEvent({ ...EVENTS.eccUncorrectable, timestamp: MODEL_EPOCH_MS / 1000 + 10 });
    vb.model.addSelEvent({ ...EVENTS.psuFailure, timestamp: MODEL_EPOCH_MS / 1000 + 20 });
    vb.model.addSelEvent({ ...EVENTS.fanLowerCritical, timestamp: MODEL_EPOCH_MS / 1000 + 30 });
    const after = await scrape();
    expect(Object.fromEntries(vb.commands)).toEqual({ 'Get SEL Info': 1, 'Get SEL Entry': 4 });
    expect(events(after.g)).toEqual(tally(vb.records()));
    const latest = after.g.get('sel_latest_event_timestamp_seconds')!;
    expect(latest.get('memory-ecc-uncorrectable/critical')).toBe(MODEL_EPOCH_MS / 1000 + 10);
    expect(latest.get('psu-failure/critical')).toBe(MODEL_EPOCH_MS / 1000 + 20);
    expect(latest.get('fan-failure/critical')).toBe(MODEL_EPOCH_MS / 1000 + 30);

    vb.resetCounts();
    await scrape();
    expect(Object.fromEntries(vb.commands)).toEqual({ 'Get SEL Info': 1 });
  });

  it('emits every category × severity, zeros included, and the Get SEL Info gauges', async () => {
    const { vb, scrape } = setup();
    vb.model.addSelEvent({ ...EVENTS.eccCorrectable, timestamp: MODEL_EPOCH_MS / 1000 });
    const { g } = await scrape();
    expect(events(g).size).toBe(13 * 3);
    expect(events(g).get('memory-ecc-correctable/warning')).toBe(1);
    expect(events(g).get('psu-failure/critical')).toBe(0);
    expect(one(g, 'sel_entries')).toBe(1);
    expect(one(g, 'sel_free_bytes')).toBe((4096 - 1) * 16 > 0xffff ? 0xffff : (4096 - 1) * 16);
    expect(one(g, 'sel_overflow')).toBe(0);
    expect(one(g, 'sel_last_addition_timestamp_seconds')).toBe(MODEL_EPOCH_MS / 1000);
    // Never erased: the BMC says "unspecified", so no erase time.
    expect(g.has('sel_last_erase_timestamp_seconds')).toBe(false);
  });

  it('counts from zero again after the SEL is cleared between scrapes, and counts what is logged after the clear', async () => {
    const { vb, scrape } = setup();
    fill(vb, 50);
    const before = await scrape();
    expect(events(before.g)).toEqual(tally(vb.records()));
    vb.model.clearSel();
    const cleared = await scrape();
    expect([...events(cleared.g).values()].every((n) => n === 0)).toBe(true);
    expect(cleared.g.has('sel_latest_event_timestamp_seconds')).toBe(false);
    expect(one(cleared.g, 'sel_last_erase_timestamp_seconds')).toBe(MODEL_EPOCH_MS / 1000);
    vb.model.addSelEvent({ ...EVENTS.psuFailure, timestamp: MODEL_EPOCH_MS / 1000 + 5 });
    const refilled = await scrape();
    expect(events(refilled.g).get('psu-failure/critical')).toBe(1);
    expect(events(refilled.g)).toEqual(tally(vb.records()));
  });

  it('re-reads from the start when a record id comes back with other contents (cleared in the same second: same erase stamp)', async () => {
    const { vb, scrape } = setup();
    vb.model.clearSel(); // an erase stamp to repeat
    fill(vb, 5);
    await scrape();
    vb.model.clearSel(); // same second: Get SEL Info shows the same erase time
    for (let i = 0; i < 7; i++) vb.model.addSelEvent({ ...EVENTS.eccUncorrectable, timestamp: MODEL_EPOCH_MS / 1000 + i });
    const { g } = await scrape();
    expect(events(g)).toEqual(tally(vb.records()));
    expect(events(g).get('memory-ecc-uncorrectable/critical')).toBe(7);
  });

  it('re-reads when the count drops without an erase stamp change', async () => {
    const { vb, scrape } = setup();
    vb.model.clearSel();
    fill(vb, 9);
    await scrape();
    vb.model.clearSel();
    fill(vb, 3);
    const { g } = await scrape();
    expect(events(g)).toEqual(tally(vb.records()));
  });

  it('times events with relative (pre-init) timestamps by when they were read, but only those logged since the previous scrape', async () => {
    const { vb, scrape } = setup();
    vb.model.addSelEvent({ ...EVENTS.psuFailure, timestamp: 1234 }); // old, clock never set
    const first = await scrape();
    expect(events(first.g).get('psu-failure/critical')).toBe(1);
    expect(first.g.has('sel_latest_event_timestamp_seconds')).toBe(false);
    vb.model.addSelEvent({ ...EVENTS.eccUncorrectable, timestamp: 1300 });
    const next = await scrape();
    const latest = next.g.get('sel_latest_event_timestamp_seconds')!;
    expect(latest.get('memory-ecc-uncorrectable/critical')).toBe(WALL_NOW_MS / 1000);
    expect(latest.has('psu-failure/critical')).toBe(false);
  });

  it('omits Get SEL Info timestamps that are relative to BMC start (0 included)', async () => {
    const { vb, scrape } = setup({ modelNowMs: () => 500_000 }); // the model's clock at 500 s after "init"
    vb.model.addSelEvent({ ...EVENTS.psuFailure });
    vb.model.clearSel();
    const { g } = await scrape();
    expect(g.has('sel_last_addition_timestamp_seconds')).toBe(false);
    expect(g.has('sel_last_erase_timestamp_seconds')).toBe(false);
    expect(one(g, 'sel_entries')).toBe(0);
  });

  it('keeps every batch read before an abort, and continues after it at the next scrape', async () => {
    const { vb, sel, target } = setup();
    fill(vb, 300);
    const ac = new AbortController();
    const ctx = collectContext(vb, target, Infinity, ac.signal);
    const execute = ctx.execute;
    let sent = 0;
    ctx.execute = ((c: never, r: never, o: never) => {
      if (++sent === 1 + SEL_MAX_BATCH * 2 + 3) ac.abort(new Error('deadline'));
      return execute(c, r, o);
    }) as typeof execute;
    await expect(sel.collect(ctx)).rejects.toThrow();
    const cut = gauges(ctx.out);
    expect([...events(cut).values()].reduce((a, b) => a + b, 0)).toBe(SEL_MAX_BATCH * 2);
    expect(one(cut, 'sel_read_complete')).toBe(0);
    vb.resetCounts();
    const next = collectContext(vb, target, Infinity);
    await sel.collect(next);
    expect(events(gauges(next.out))).toEqual(tally(vb.records()));
    expect(vb.commands.get('Get SEL Entry')).toBe(300 - SEL_MAX_BATCH * 2);
  });

  it('treats a BMC without a SEL (invalid command) as having none: no failure, and it is not asked again', async () => {
    const { vb, scrape } = setup();
    const execute = vb.execute;
    vb.execute = (async (c: { name: string }, r: unknown, o?: ExecuteOptions) => {
      if (c.name === 'Get SEL Info') {
        vb.commands.set('Get SEL Info', (vb.commands.get('Get SEL Info') ?? 0) + 1);
        throw new CompletionCodeError('Get SEL Info', 0xc1);
      }
      return execute(c as never, r, o);
    }) as typeof execute;
    const { g } = await scrape();
    expect(g.size).toBe(0);
    await scrape();
    expect(vb.commands.get('Get SEL Info')).toBe(1);
  });

  it('keeps state per target', async () => {
    const { vb, sel, scrape } = setup();
    fill(vb, 10);
    await scrape();
    const other = fakeTarget();
    const ctx = collectContext(vb, other, 2000);
    vb.resetCounts();
    await sel.collect(ctx);
    expect(vb.commands.get('Get SEL Entry')).toBe(10);
    expect(other.selState().recordsRead).toBe(10);
  });
});
