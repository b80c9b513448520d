import {
  describeEvent,
  getSelInfo,
  readSelEntries,
  SEL_CATEGORIES,
  SEL_FIRST_ENTRY,
  SEL_LAST_ENTRY,
  SEL_SEVERITIES,
  SEL_TIMESTAMP_RELATIVE_MAX,
  type SelInfo,
  type SelRecord,
  type SelWalkResult,
  CompletionCode,
  isCompletionCode,
} from '@bmc-exporter/ipmi';
import { type Exposition, labelText } from '../metrics/exposition.js';
import type { CollectContext, Collector } from './collector.js';
import { SelPacer } from './sel-pacing.js';
import { RECENT_SEL_CAPACITY } from './sel-recent.js';
import { recordHex, SEL_SLOTS, selSlot, type SelState } from './sel-state.js';

const EVENT_LABELS = ['category', 'severity'] as const;

export const SEL_METRICS = {
  entries: { name: 'sel_entries', help: 'Entries in the System Event Log, from Get SEL Info.' },
  freeBytes: { name: 'sel_free_bytes', help: 'Free space left in the System Event Log, in bytes, from Get SEL Info.' },
  overflow: { name: 'sel_overflow', help: '1 if the BMC dropped an event because the System Event Log was full, from Get SEL Info.' },
  lastAddition: {
    name: 'sel_last_addition_timestamp_seconds',
    help: 'When an entry was last added to the System Event Log, Unix time; absent while the BMC has no such time or its clock was never set.',
  },
  lastErase: {
    name: 'sel_last_erase_timestamp_seconds',
    help: 'When the System Event Log was last cleared, Unix time; absent while the BMC has no such time or its clock was never set.',
  },
  events: {
    name: 'sel_events',
    help: 'Events in the System Event Log by category and severity (a deassertion is severity info); drops when the log is cleared.',
    labelNames: EVENT_LABELS,
  },
  latest: {
    name: 'sel_latest_event_timestamp_seconds',
    help: 'Time of the latest event in the System Event Log per category and severity, Unix time.',
    labelNames: EVENT_LABELS,
  },
  complete: {
    name: 'sel_read_complete',
    help: '1 when every System Event Log entry has been counted; 0 while the first read of a large log spans several scrapes.',
  },
} as const;

/** No SEL holds more records than it has ids (0x0001-0xFFFE): more means the BMC's next-id chain loops across batches. */
const MAX_RECORDS = 0xfffe;

export interface SelCollectorOptions {
  /** Monotonic clock (ms) the deadline is measured on; default performance.now. */
  clock?: () => number;
  /** Wall clock (ms) for events without a usable timestamp; default Date.now. */
  now?: () => number;
}

/**
 * The System Event Log, read incrementally (invariant 7 in docs/architecture.md). Each
 * scrape sends Get SEL Info; when neither its entry count nor its last
 * addition changed since the read last reached the end, that is the only SEL
 * command. Otherwise the last record read is read again (its "next id" was
 * 0xFFFF when it was the newest) and the records after it are counted. A
 * cleared, shrunk or wrapped SEL (see SelResetReason) is counted again from
 * its first record. A large SEL is read in batches paced to the scrape's
 * deadline, continuing at the next scrape; every batch read is kept.
 *
 * Per target the collector keeps only aggregates and a cursor (SelState),
 * held by the target's session cache (CollectTarget.selState): it survives
 * re-established sessions and goes with the target when it is evicted.
 */
export function createSelCollector(opts: SelCollectorOptions = {}): Collector {
  const clock = opts.clock ?? (() => performance.now());
  const now = opts.now ?? Date.now;

  return {
    name: 'sel',
    async collect(ctx) {
      const restoring = ctx.target.restoreSelState?.(ctx.signal);
      if (restoring) await restoring;
      const selState = ctx.target.selState();
      if (selState.unsupported) return;
      const pacer = new SelPacer(ctx.deadline, clock);
      const started = clock();
      let info: SelInfo;
      try {
        info = await ctx.execute(getSelInfo, undefined, { signal: ctx.signal });
      } catch (err) {
        // A BMC without a SEL answers Get SEL Info with "invalid command".
        if (!isCompletionCode(err, CompletionCode.invalidCommand)) throw err;
        selState.unsupported = true;
        return;
      }
      pacer.observe(1, clock() - started);
      setInfoGauges(ctx.out, info);
      selState.observe(info);
      try {
        if (!selState.upToDate(info)) await readNewRecords({ ctx, selState, info, pacer, clock, nowSeconds: now() / 1000 });
      } finally {
        // What was counted stays counted, also when the deadline or the BMC cut the read short.
        setEventGauges(ctx.out, selState);
        ctx.target.selStateRead?.();
      }
    },
  };
}

/** The default instance (one per process, like every collector; its state is per target). */
export const selCollector = createSelCollector();

interface ReadScope {
  ctx: CollectContext;
  selState: SelState;
  info: SelInfo;
  pacer: SelPacer;
  clock: () => number;
  /** This scrape's wall-clock time, Unix seconds. */
  nowSeconds: number;
}

async function readNewRecords({ ctx, selState, info, pacer, clock, nowSeconds }: ReadScope): Promise<void> {
  const { execute, signal } = ctx;
  const walk = async (fromRecordId: number, maxEntries: number): Promise<SelWalkResult> => {
    const t = clock();
    const r = await readSelEntries(execute, { fromRecordId, maxEntries, signal });
    pacer.observe(Math.max(1, r.records.length), clock() - t);
    return r;
  };

  if (selState.nextId === SEL_LAST_ENTRY) {
    if (selState.lastRecordId === undefined) {
      // It was empty: whatever it holds now starts at the first entry.
      selState.nextId = SEL_FIRST_ENTRY;
    } else {
      if (pacer.nextBatch() === 0) return;
      let again: SelWalkResult | undefined;
      try {
        again = await walk(selState.lastRecordId, 1);
      } catch (err) {
        if (!isCompletionCode(err, CompletionCode.notPresent)) throw err;
      }
      const rec = again?.records[0];
      if (!again || !rec) selState.reset('record-gone');
      else if (rec.recordId !== selState.lastRecordId || recordHex(rec) !== selState.lastRecordHex) selState.reset('record-changed');
      else if (again.nextRecordId === SEL_LAST_ENTRY) return selState.finish(info);
      else selState.nextId = again.nextRecordId;
    }
  }

  let resetHere = false;
  for (;;) {
    const n = pacer.nextBatch();
    if (n === 0) return;
    const from = selState.nextId;
    let r: SelWalkResult;
    try {
      r = await walk(from, n);
    } catch (err) {
      // The record the cursor points at went away between scrapes without an
      // erase stamp or count telling (a wrap, or a BMC that reports neither).
      if (isCompletionCode(err, CompletionCode.notPresent) && from !== SEL_FIRST_ENTRY && !resetHere) {
        resetHere = true;
        selState.reset('record-gone');
        continue;
      }
      throw err;
    }
    const fresh = selState.readingNewRecords;
    const keepFrom = r.records.length - RECENT_SEL_CAPACITY;
    r.records.forEach((rec, i) => {
      const { category, severity } = describeEvent(rec);
      selState.count(selSlot(category, severity), eventSeconds(rec, fresh, nowSeconds));
      if (i >= keepFrom) selState.recent.push(rec, fresh, nowSeconds * 1000);
    });
    selState.advance(r.loopDetected || selState.recordsRead >= MAX_RECORDS ? SEL_LAST_ENTRY : r.nextRecordId, r.records.at(-1));
    if (selState.nextId === SEL_LAST_ENTRY) return selState.finish(info);
  }
}

/**
 * A record's wall-clock time: its timestamp when absolute (§37: above
 * 0x20000000). A relative ("pre-init": the BMC's clock was never set) or
 * missing timestamp says nothing about when; if the record is known to have
 * been logged since the previous scrape, the time it was read is used (late
 * by at most one scrape interval), else the record does not move the latest
 * timestamp (it may be years old).
 */
function eventSeconds(rec: SelRecord, fresh: boolean, nowSeconds: number): number | undefined {
  if ((rec.kind === 'system-event' || rec.kind === 'oem-timestamped') && rec.date) return rec.timestamp;
  return fresh ? nowSeconds : undefined;
}

/** A Get SEL Info timestamp as Unix seconds, or undefined when unspecified or relative to BMC start (0 included). */
function wallClock(ts: number | null): number | undefined {
  return ts !== null && ts > SEL_TIMESTAMP_RELATIVE_MAX ? ts : undefined;
}

function setInfoGauges(out: Exposition, info: SelInfo): void {
  const m = SEL_METRICS;
  out.set(m.entries, info.entries);
  out.set(m.freeBytes, info.freeBytes);
  out.set(m.overflow, info.overflow ? 1 : 0);
  const added = wallClock(info.mostRecentAddition);
  if (added !== undefined) out.set(m.lastAddition, added);
  const erased = wallClock(info.mostRecentErase);
  if (erased !== undefined) out.set(m.lastErase, erased);
}

/** Each SelState slot's label text, by slot: the order of SelState's counts and latest arrays. */
const SLOT_LABELS: readonly string[] = (() => {
  const labels = new Array<string>(SEL_SLOTS);
  for (const category of SEL_CATEGORIES) for (const severity of SEL_SEVERITIES) labels[selSlot(category, severity)] = labelText({ category, severity });
  return labels;
})();

/**
 * Every category × severity, zeros included: an alert's increase() or
 * changes() then sees 0 → 1 instead of a series that appears from nothing.
 * Each family is set whole (Exposition.setFamily): 45 series each, which one
 * by one cost a lookup index per family per scrape.
 */
function setEventGauges(out: Exposition, selState: SelState): void {
  const m = SEL_METRICS;
  out.setFamily(m.events, SLOT_LABELS, selState.counts);
  out.setFamily(m.latest, SLOT_LABELS, selState.latest, true);
  out.set(m.complete, selState.complete ? 1 : 0);
}
