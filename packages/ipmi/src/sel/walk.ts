import type { Execute } from '../commands/command.js';
import { getSelEntry, SEL_FIRST_ENTRY, SEL_LAST_ENTRY, SEL_READ_WHOLE_ENTRY } from '../commands/get-sel-entry.js';
import { reserveSel } from '../commands/reserve-sel.js';
import { AbortedError, CompletionCode, isCompletionCode, MalformedPacketError, READ_TOO_LARGE_CODES } from '../errors.js';
import { decodeSelRecord, SEL_RECORD_LENGTH, type SelRecord } from './record.js';

export interface ReadSelOptions {
  /** Record id to start at; default 0x0000 (the first entry). */
  fromRecordId?: number;
  /** Stop after this many records (the rest is left for nextRecordId). */
  maxEntries?: number;
  signal?: AbortSignal;
}

export interface SelWalkResult {
  records: SelRecord[];
  /** Where to continue; 0xFFFF when the walk reached the end of the SEL. */
  nextRecordId: number;
  /** Id of the last record read, so a caller can resume after it once new entries arrive. */
  lastRecordId?: number;
  /** The BMC's "next" chain pointed back at a record already read; the walk stopped there. */
  loopDetected: boolean;
}

/** Re-reservations allowed per record before giving up; a SEL filling that fast will not settle. */
const MAX_RESERVATION_RETRIES = 5;
/** Partial read sizes tried after a whole-record read is refused, largest first. */
const PARTIAL_CHUNKS = [SEL_RECORD_LENGTH, 8, 4, 2, 1] as const;

/**
 * Reads SEL records one Get SEL Entry at a time (§31.5). Whole-record reads
 * (0xFF bytes) need no reservation; a BMC that refuses them (0xCA/0xC7/0xC8)
 * is read in partial chunks under a Reserve SEL reservation, shrinking the
 * chunk while it keeps refusing. The mode found is kept for the rest of the walk.
 */
class SelReader {
  /** index into PARTIAL_CHUNKS, or -1 while whole-record reads work */
  private chunkIndex = -1;
  private reservationId = 0;

  constructor(
    private readonly execute: Execute,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private async reserve(): Promise<void> {
    const opts = this.signal ? { signal: this.signal } : {};
    this.reservationId = (await this.execute(reserveSel, undefined, opts)).reservationId;
  }

  private async readWhole(recordId: number): Promise<{ nextRecordId: number; data: Buffer }> {
    const opts = this.signal ? { signal: this.signal } : {};
    const req = { reservationId: 0, recordId, offset: 0, bytesToRead: SEL_READ_WHOLE_ENTRY };
    return this.execute(getSelEntry, req, opts);
  }

  private async readPartial(recordId: number, chunk: number): Promise<{ nextRecordId: number; data: Buffer }> {
    const opts = this.signal ? { signal: this.signal } : {};
    if (this.reservationId === 0) await this.reserve();
    const parts: Buffer[] = [];
    let got = 0;
    let nextRecordId = SEL_LAST_ENTRY;
    while (got < SEL_RECORD_LENGTH) {
      const bytesToRead = Math.min(chunk, SEL_RECORD_LENGTH - got);
      const req = { reservationId: this.reservationId, recordId, offset: got, bytesToRead };
      const rsp = await this.execute(getSelEntry, req, opts);
      if (rsp.data.length === 0) {
        throw new MalformedPacketError(`Get SEL Entry: no data for record ${recordId} at offset ${got}`, {
          want: bytesToRead,
          got: 0,
        });
      }
      parts.push(rsp.data.subarray(0, Math.min(rsp.data.length, SEL_RECORD_LENGTH - got)));
      got += rsp.data.length;
      nextRecordId = rsp.nextRecordId;
    }
    return { nextRecordId, data: Buffer.concat(parts) };
  }

  /** One record, restarted from offset 0 if the reservation is lost midway. */
  async read(recordId: number): Promise<{ nextRecordId: number; data: Buffer }> {
    let reservationRetries = 0;
    for (;;) {
      if (this.signal?.aborted) throw new AbortedError('SEL walk aborted');
      try {
        const chunk = PARTIAL_CHUNKS[this.chunkIndex];
        return chunk === undefined ? await this.readWhole(recordId) : await this.readPartial(recordId, chunk);
      } catch (e) {
        // Reservation cancelled: the SEL changed while we read it.
        if (isCompletionCode(e, CompletionCode.reservationCancelled) && reservationRetries < MAX_RESERVATION_RETRIES) {
          // A whole read refused with 0xC5 means this BMC wants a reservation after all.
          if (this.chunkIndex < 0) this.chunkIndex = 0;
          reservationRetries++;
          await this.reserve();
          continue;
        }
        if (isCompletionCode(e, ...READ_TOO_LARGE_CODES) && this.chunkIndex < PARTIAL_CHUNKS.length - 1) {
          this.chunkIndex++;
          continue;
        }
        throw e;
      }
    }
  }
}

async function walk(execute: Execute, opts: ReadSelOptions, onRecord: (record: SelRecord) => void): Promise<Omit<SelWalkResult, 'records'>> {
  const reader = new SelReader(execute, opts.signal);
  const max = opts.maxEntries ?? Infinity;
  const start = opts.fromRecordId ?? SEL_FIRST_ENTRY;
  const seen = new Set<number>();
  let id = start;
  let count = 0;
  let lastRecordId: number | undefined;
  while (id !== SEL_LAST_ENTRY && count < max) {
    let rsp: { nextRecordId: number; data: Buffer };
    try {
      rsp = await reader.read(id);
    } catch (e) {
      // An empty SEL answers "not present" for the first entry. A stale cursor
      // (fromRecordId deleted by a clear) is the caller's to handle: rethrow.
      if (isCompletionCode(e, CompletionCode.notPresent) && count === 0 && start === SEL_FIRST_ENTRY) {
        id = SEL_LAST_ENTRY;
        break;
      }
      throw e;
    }
    const record = decodeSelRecord(rsp.data);
    seen.add(id).add(record.recordId);
    onRecord(record);
    count++;
    lastRecordId = record.recordId;
    id = rsp.nextRecordId;
    if (id !== SEL_LAST_ENTRY && seen.has(id)) {
      return { nextRecordId: SEL_LAST_ENTRY, lastRecordId, loopDetected: true };
    }
  }
  return { nextRecordId: id, ...(lastRecordId === undefined ? {} : { lastRecordId }), loopDetected: false };
}

/**
 * Walks the SEL from `fromRecordId` (default: the first entry) until the
 * end (next id 0xFFFF), `maxEntries`, or a loop in the BMC's next-id chain.
 * Passing 0xFFFF as fromRecordId reads nothing (it is the "end" value).
 */
export async function readSelEntries(execute: Execute, opts: ReadSelOptions = {}): Promise<SelWalkResult> {
  const records: SelRecord[] = [];
  const rest = await walk(execute, opts, (r) => records.push(r));
  return { records, ...rest };
}

/**
 * The last `count` records of the SEL ("the last N events"), oldest first.
 * The SEL can only be walked forwards, so this reads every entry and keeps
 * the tail; use readSelEntries with a cursor to follow new entries cheaply.
 */
export async function readSelTail(execute: Execute, count: number, opts: Omit<ReadSelOptions, 'maxEntries'> = {}): Promise<SelRecord[]> {
  const records: SelRecord[] = [];
  await walk(execute, opts, (r) => {
    records.push(r);
    if (records.length > count) records.shift();
  });
  return records;
}
