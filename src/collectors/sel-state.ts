import {
  encodeSelRecord,
  SEL_CATEGORIES,
  SEL_FIRST_ENTRY,
  SEL_LAST_ENTRY,
  SEL_SEVERITIES,
  type SelCategory,
  type SelInfo,
  type SelRecord,
  type SelSeverity,
} from '@bmc-exporter/ipmi';
import { isCount, RecentSelEvents, type RecentSelSnapshot } from './sel-recent.js';

/** One slot per category × severity, category-major (SEL_CATEGORIES order, then SEL_SEVERITIES). */
export const SEL_SLOTS = SEL_CATEGORIES.length * SEL_SEVERITIES.length;

const CATEGORY_INDEX = new Map<string, number>(SEL_CATEGORIES.map((c, i) => [c, i]));
const SEVERITY_INDEX = new Map<string, number>(SEL_SEVERITIES.map((s, i) => [s, i]));

export function selSlot(category: SelCategory, severity: SelSeverity): number {
  return (CATEGORY_INDEX.get(category) ?? CATEGORY_INDEX.get('other')!) * SEL_SEVERITIES.length + (SEVERITY_INDEX.get(severity) ?? 0);
}

/** Why the aggregates were dropped and the SEL is read again from its first record. */
export type SelResetReason =
  /** nothing read yet for this target */
  | 'first-read'
  /** Get SEL Info's last erase timestamp changed: the SEL was cleared */
  | 'erased'
  /** Get SEL Info's entry count fell since the previous scrape: entries were deleted */
  | 'count-dropped'
  /** more records were counted than the SEL holds: it wrapped (oldest entries overwritten) */
  | 'count-mismatch'
  /** the last record read answers "not present" (0xCB): cleared or wrapped past it */
  | 'record-gone'
  /** the last record read has other contents now: its id was reused */
  | 'record-changed';

/**
 * A SelState as JSON values, to be kept across restarts (--sdr.cache-dir).
 * Restored, it is a cursor like any other: the first scrape's Get SEL Info
 * and the re-read of the last record find a SEL cleared, shrunk, wrapped or
 * rewritten while the exporter was down, and start over.
 */
export interface SelSnapshot {
  counts: number[];
  /** latest, NaN written as null. */
  latest: (number | null)[];
  recordsRead: number;
  nextId: number;
  lastRecordId: number | null;
  lastRecordHex: string | null;
  complete: boolean;
  caughtUp: { entries: number; addition: number | null } | null;
  epochIsNew: boolean;
  erase: number | null;
  previousEntries: number;
  mismatchAt: number | null;
  recent: RecentSelSnapshot;
}

const isStamp = (n: unknown): n is number | null => n === null || isCount(n);

/**
 * What the exporter keeps of one BMC's System Event Log between scrapes:
 * aggregates and a cursor, never the records (a few hundred bytes per
 * target whatever the SEL's size). Lives as long as the target, across
 * sessions.
 *
 * An "epoch" is one pass over the SEL from its first record; it ends with a
 * reset (see SelResetReason), after which every record is counted again.
 */
export class SelState {
  /** The newest records, for the console (a bounded ring; the aggregates below are what the metrics use). */
  readonly recent = new RecentSelEvents();
  /** Events counted per category × severity (selSlot). */
  readonly counts: number[] = new Array<number>(SEL_SLOTS).fill(0);
  /** Latest event time per category × severity, Unix seconds; NaN while unknown. */
  readonly latest: number[] = new Array<number>(SEL_SLOTS).fill(Number.NaN);
  /** Records counted in this epoch. */
  recordsRead = 0;
  /** The record id to read next; SEL_LAST_ENTRY while the cursor sits at the end. */
  nextId: number = SEL_FIRST_ENTRY;
  /** Id and contents (hex) of the last record read: re-read to learn its new next id and that it is still the same record. */
  lastRecordId: number | undefined;
  lastRecordHex: string | undefined;
  /** The read reached the SEL's end at least once in this epoch: the counts cover the whole log (up to the last catch-up). */
  complete = false;
  /** Get SEL Info answered "invalid command": this BMC has no SEL; it is not asked again while the target lives. */
  unsupported = false;
  /** Get SEL Info's entries and last addition when the read last reached the end: both unchanged means nothing new. */
  caughtUp: { entries: number; addition: number | null } | undefined;
  /**
   * Every record of this epoch was logged after a scrape that had seen the
   * whole SEL (it was cleared since): a record without a usable timestamp
   * can then take the time it was first read.
   */
  epochIsNew = false;
  /** Get SEL Info's last erase timestamp (raw) when this epoch began; undefined before the first read. */
  private erase: number | null | undefined;
  /** Entries at the previous scrape. */
  private previousEntries = 0;
  /** Last addition stamp at the most recent count-mismatch reset: one re-read per addition, so a BMC that miscounts cannot make every scrape a full re-read. */
  private mismatchAt: number | null | undefined;
  /** Bumped by every change worth keeping (a record counted, the cursor moved, a reset): a snapshot is written only when it moved. */
  changes = 0;

  /** The state as JSON values; undefined before the first Get SEL Info (nothing worth keeping). */
  snapshot(): SelSnapshot | undefined {
    if (this.erase === undefined) return undefined;
    return {
      counts: [...this.counts],
      latest: this.latest.map((t) => (Number.isNaN(t) ? null : t)),
      recordsRead: this.recordsRead,
      nextId: this.nextId,
      lastRecordId: this.lastRecordId ?? null,
      lastRecordHex: this.lastRecordHex ?? null,
      complete: this.complete,
      caughtUp: this.caughtUp ? { ...this.caughtUp } : null,
      epochIsNew: this.epochIsNew,
      erase: this.erase,
      previousEntries: this.previousEntries,
      mismatchAt: this.mismatchAt ?? null,
      recent: this.recent.snapshot(),
    };
  }

  /**
   * A state from a snapshot() read back from disk, or undefined when it is
   * not one (any field missing, of the wrong type or out of range): the
   * caller then starts from nothing, as without a snapshot.
   */
  static fromSnapshot(value: unknown): SelState | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const s = value as Partial<Record<keyof SelSnapshot, unknown>>;
    const counts = s.counts;
    const latest = s.latest;
    const caughtUp = s.caughtUp as { entries?: unknown; addition?: unknown } | null | undefined;
    if (!Array.isArray(counts) || counts.length !== SEL_SLOTS || !counts.every(isCount)) return undefined;
    if (!Array.isArray(latest) || latest.length !== SEL_SLOTS || !latest.every((t) => t === null || (typeof t === 'number' && Number.isFinite(t))))
      return undefined;
    if (!isCount(s.recordsRead) || !isCount(s.nextId) || s.nextId > SEL_LAST_ENTRY || !isCount(s.previousEntries)) return undefined;
    if (!(s.lastRecordId === null || (isCount(s.lastRecordId) && s.lastRecordId <= SEL_LAST_ENTRY))) return undefined;
    if (!(s.lastRecordHex === null || (typeof s.lastRecordHex === 'string' && /^[0-9a-f]{32}$/.test(s.lastRecordHex)))) return undefined;
    if ((s.lastRecordId === null) !== (s.lastRecordHex === null)) return undefined;
    if (typeof s.complete !== 'boolean' || typeof s.epochIsNew !== 'boolean' || !isStamp(s.erase) || !isStamp(s.mismatchAt)) return undefined;
    if (!(caughtUp === null || (typeof caughtUp === 'object' && caughtUp !== undefined && isCount(caughtUp.entries) && isStamp(caughtUp.addition))))
      return undefined;
    if (typeof s.recent !== 'object' || s.recent === null) return undefined;
    const state = new SelState();
    if (!state.recent.restore(s.recent as RecentSelSnapshot)) return undefined;
    for (let i = 0; i < SEL_SLOTS; i++) {
      state.counts[i] = counts[i] as number;
      state.latest[i] = (latest[i] as number | null) ?? Number.NaN;
    }
    state.recordsRead = s.recordsRead;
    state.nextId = s.nextId;
    state.lastRecordId = s.lastRecordId ?? undefined;
    state.lastRecordHex = s.lastRecordHex ?? undefined;
    state.complete = s.complete;
    state.caughtUp = caughtUp ? { entries: caughtUp.entries as number, addition: caughtUp.addition as number | null } : undefined;
    state.epochIsNew = s.epochIsNew;
    state.erase = s.erase;
    state.previousEntries = s.previousEntries;
    state.mismatchAt = s.mismatchAt ?? undefined;
    return state;
  }

  /**
   * Takes this scrape's Get SEL Info; resets the aggregates when it shows the
   * SEL was cleared, shrank or wrapped, and returns why (undefined: carry on).
   */
  observe(info: SelInfo): SelResetReason | undefined {
    let reason: SelResetReason | undefined;
    if (this.erase === undefined) reason = 'first-read';
    else if (info.mostRecentErase !== this.erase) reason = 'erased';
    else if (info.entries < this.previousEntries) reason = 'count-dropped';
    else if (this.recordsRead > info.entries && this.mismatchAt !== info.mostRecentAddition) {
      reason = 'count-mismatch';
      this.mismatchAt = info.mostRecentAddition;
    }
    if (info.entries !== this.previousEntries) this.changes++;
    this.previousEntries = info.entries;
    if (reason) this.reset(reason, info.mostRecentErase);
    return reason;
  }

  /** Nothing was added since the read last reached the end. */
  upToDate(info: SelInfo): boolean {
    return this.complete && this.nextId === SEL_LAST_ENTRY && this.caughtUp?.entries === info.entries && this.caughtUp.addition === info.mostRecentAddition;
  }

  /** Records read now were logged after the previous scrape (so one without a usable timestamp may take the time it was read). */
  get readingNewRecords(): boolean {
    return this.complete || this.epochIsNew;
  }

  /** Drop the aggregates and start over from the first record. */
  reset(reason: SelResetReason, erase: number | null | undefined = this.erase): void {
    // A clear seen right after a complete read: whatever the SEL holds now came after that scrape.
    this.epochIsNew = reason === 'erased' && this.complete;
    this.changes++;
    this.erase = erase;
    this.counts.fill(0);
    this.latest.fill(Number.NaN);
    this.recent.clear();
    this.recordsRead = 0;
    this.nextId = SEL_FIRST_ENTRY;
    this.lastRecordId = undefined;
    this.lastRecordHex = undefined;
    this.complete = false;
    this.caughtUp = undefined;
  }

  /**
   * Count one record. `eventSeconds` is its wall-clock time, or undefined when
   * it has none the exporter can trust (relative or unspecified timestamp of
   * a record that may be old).
   */
  count(slot: number, eventSeconds: number | undefined): void {
    this.counts[slot]!++;
    this.recordsRead++;
    this.changes++;
    if (eventSeconds !== undefined && !(eventSeconds <= this.latest[slot]!)) this.latest[slot] = eventSeconds;
  }

  /** After a batch: where to continue (SEL_LAST_ENTRY at the end), and the last record as it was read. */
  advance(nextId: number, last: SelRecord | undefined): void {
    this.nextId = nextId;
    this.changes++;
    if (last) {
      this.lastRecordId = last.recordId;
      this.lastRecordHex = recordHex(last);
    }
  }

  /** The read reached the SEL's end under this Get SEL Info. */
  finish(info: SelInfo): void {
    this.nextId = SEL_LAST_ENTRY;
    this.changes++;
    // epochIsNew's job is done: complete now says the same for every later record.
    this.complete = true;
    this.epochIsNew = false;
    this.caughtUp = { entries: info.entries, addition: info.mostRecentAddition };
  }
}

/** A record's 16 bytes as hex: what "the same record" means when its id comes back. */
export function recordHex(record: SelRecord): string {
  return encodeSelRecord(record).toString('hex');
}
