import { decodeSelRecord, encodeSelRecord, type SelRecord } from '@bmc-exporter/ipmi';

/** SEL records are 16 bytes on the wire (IPMI v2.0 §32.1). */
const RECORD_BYTES = 16;
/** How many of the newest records the console can show per target. */
export const RECENT_SEL_CAPACITY = 32;

/** One remembered record and whether it was logged while the exporter watched. */
export interface RecentSelRecord {
  record: SelRecord;
  /** Logged after a scrape that had already seen the whole SEL. */
  fresh: boolean;
}

/** RecentSelEvents as JSON values (base64 of the ring's bytes, '' before the first record). */
export interface RecentSelSnapshot {
  records: string;
  written: number;
  freshBits: number;
  freshCount: number;
  lastFreshAt: number;
}

/** A whole number from 0 up, as a snapshot read back from disk must hold for a count or an id. */
export const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The newest SEL records of one BMC, kept as their 16 wire bytes in one
 * buffer allocated on the first record (512 bytes at 32 records): the
 * console decodes them when a page is asked for, so a target that nobody
 * looks at pays for bytes only. `freshCount` counts every record logged
 * while the exporter watched, not only those still in the ring.
 */
export class RecentSelEvents {
  private bytes: Uint8Array | undefined;
  /** Records written in total (the next one goes to slot written % capacity). */
  private written = 0;
  /** One bit per slot: the record there is fresh. */
  private freshBits = 0;
  /** Fresh records seen since the target was created (not reset by a clear: they did happen). */
  freshCount = 0;
  /** When the last fresh record was read (ms since the epoch); 0: none. */
  lastFreshAt = 0;

  constructor(private readonly capacity = RECENT_SEL_CAPACITY) {
    if (capacity < 1 || capacity > 32) throw new RangeError('capacity is 1-32 (one bit each in a 32-bit mask)');
  }

  get size(): number {
    return Math.min(this.written, this.capacity);
  }

  push(record: SelRecord, fresh: boolean, now: number): void {
    this.bytes ??= new Uint8Array(this.capacity * RECORD_BYTES);
    const slot = this.written % this.capacity;
    this.bytes.set(encodeSelRecord(record), slot * RECORD_BYTES);
    this.written++;
    const bit = 1 << slot;
    this.freshBits = fresh ? this.freshBits | bit : this.freshBits & ~bit;
    if (fresh) {
      this.freshCount++;
      this.lastFreshAt = now;
    }
  }

  /** The SEL was cleared or wrapped: it will be read again from its first record. */
  clear(): void {
    this.written = 0;
    this.freshBits = 0;
  }

  /** What restore() takes back (SelState.snapshot): plain JSON values. */
  snapshot(): RecentSelSnapshot {
    return {
      records: this.bytes ? Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('base64') : '',
      written: this.written,
      freshBits: this.freshBits,
      freshCount: this.freshCount,
      lastFreshAt: this.lastFreshAt,
    };
  }

  /** Take back a snapshot() of a ring of the same capacity; false (and nothing changed) when it does not fit one. */
  restore(s: RecentSelSnapshot): boolean {
    const bytes = Buffer.from(s.records, 'base64');
    if (s.records !== '' && bytes.length !== this.capacity * RECORD_BYTES) return false;
    if (s.records === '' && s.written !== 0) return false;
    if (!isCount(s.written) || !isCount(s.freshCount) || !isCount(s.lastFreshAt) || !Number.isInteger(s.freshBits)) return false;
    this.bytes = s.records === '' ? undefined : new Uint8Array(bytes);
    this.written = s.written;
    this.freshBits = s.freshBits | 0;
    this.freshCount = s.freshCount;
    this.lastFreshAt = s.lastFreshAt;
    return true;
  }

  /** Newest first. */
  newestFirst(): RecentSelRecord[] {
    const out: RecentSelRecord[] = [];
    const bytes = this.bytes;
    if (!bytes) return out;
    for (let k = 1; k <= this.size; k++) {
      const slot = (this.written - k) % this.capacity;
      const at = slot * RECORD_BYTES;
      const record = decodeSelRecord(Buffer.from(bytes.subarray(at, at + RECORD_BYTES)));
      out.push({ record, fresh: ((this.freshBits >>> slot) & 1) === 1 });
    }
    return out;
  }
}
