import {
  AbortedError,
  CompletionCode,
  CompletionCodeError,
  InvalidArgumentError,
  isCompletionCode,
  MalformedPacketError,
  READ_TOO_LARGE_CODES,
  SdrIncompleteError,
} from '../errors.js';
import type { Execute, ExecuteOptions } from '../commands/command.js';
import { getSdr, type GetSdrRsp, SDR_LAST_RECORD_ID, SDR_READ_WHOLE_RECORD } from '../commands/get-sdr.js';
import { getSdrRepositoryInfo } from '../commands/get-sdr-repository-info.js';
import { reserveSdrRepository } from '../commands/reserve-sdr-repository.js';
import { decodeSdrHeader, decodeSdrRecord, SDR_HEADER_LENGTH, type SdrRecord } from './records.js';

/**
 * Chunk size for record bodies when a record is read in parts (its header,
 * then its body): the most one Get SDR may ask for short of 0xFF, so such a
 * record costs two round trips. A BMC whose buffer is smaller says 0xCA and
 * the walk drops to FALLBACK_SDR_CHUNK, then halves.
 */
export const DEFAULT_SDR_CHUNK = 0xfe;
/** Small enough for every BMC's message buffer we know of: the first step down from a refused larger read. */
export const FALLBACK_SDR_CHUNK = 16;
/** Below this the BMC is not short of buffer, it is broken: give up instead of crawling byte by byte. */
export const MIN_SDR_CHUNK = 4;
/** How often one record may be restarted after its reservation was cancelled (0xC5). */
export const MAX_RESERVATION_RESTARTS = 5;
/** Records tolerated beyond the count Get SDR Repository Info reported (records added mid-walk). */
export const EXTRA_RECORDS_TOLERATED = 16;
/**
 * The most records one walk reads unless the caller allows more: servers
 * carry tens to a few hundred, the largest chassis a few thousand. A BMC
 * serving 65,535 would otherwise cost 131,070 round trips and hold them all.
 */
export const DEFAULT_SDR_MAX_RECORDS = 4096;
/** The most record bytes one walk holds unless the caller allows more (4096 records of ~256 bytes). */
export const DEFAULT_SDR_MAX_BYTES = 1024 * 1024;
/**
 * Completion codes with which a BMC refuses a whole-record read (Get SDR at
 * offset 0 for 0xFF bytes) that it might still serve in parts: its buffer is
 * smaller than the record (0xCA, the length codes), or it does not take 0xFF
 * as "entire record" (out of range, invalid field, unspecified). Not 0xCB (no
 * such record) nor 0xC5 (reservation cancelled): those mean what they mean
 * for any read.
 */
export const WHOLE_READ_REFUSED_CODES: readonly number[] = [
  ...READ_TOO_LARGE_CODES,
  CompletionCode.parameterOutOfRange,
  CompletionCode.invalidDataField,
  CompletionCode.unspecified,
];

export interface UnparsedSdrRecord {
  recordId: number;
  error: string;
}

/** The decoded records, plus the IDs of records that could be read but not decoded. */
export interface SdrRepositoryContents {
  records: SdrRecord[];
  unparsed: UnparsedSdrRecord[];
  /** Set when the walk stopped before the last record (a cycle, a cap): `records` holds what was read before. */
  incomplete?: SdrIncompleteError;
}

/** Bounds and read size of one walk. */
export interface SdrWalkLimits {
  /** Body chunk size in bytes when a record is read in parts (default 254: whole bodies), clamped to each record's length. */
  chunkSize?: number;
  /**
   * Ask for each record whole in one Get SDR (offset 0, 0xFF bytes), falling
   * back to header-then-body for the rest of the walk when the BMC refuses
   * or answers fewer bytes than its header gives (default true).
   */
  wholeRecords?: boolean;
  /** Record count from Get SDR Repository Info, when known: more records than this (plus a margin) end the walk. */
  recordCount?: number;
  /** Stop after this many records (default DEFAULT_SDR_MAX_RECORDS). */
  maxRecords?: number;
  /** Stop before holding more than this many record bytes (default DEFAULT_SDR_MAX_BYTES). */
  maxBytes?: number;
  /** Keep each record's bytes as read (`SdrWalk.recordBytes`), for a caller that stores the SDR. */
  keepBytes?: boolean;
}

export interface ReadSdrOptions extends Omit<SdrWalkLimits, 'recordCount'> {
  signal?: AbortSignal;
  /** Record count from Get SDR Repository Info if the caller already has it; otherwise it is asked for. */
  recordCount?: number;
}

/**
 * Reads every record of the SDR repository (IPMI v2.0 §33) in one go: Get
 * SDR Repository Info for the record count (unless given), then an SdrWalk
 * to the end. Transport errors and abort propagate; what was read is lost
 * with them (a caller that wants to continue later keeps its own SdrWalk).
 */
export async function readSdrRepository(execute: Execute, opts: ReadSdrOptions = {}): Promise<SdrRepositoryContents> {
  const { signal, ...limits } = opts;
  if (limits.recordCount === undefined) {
    try {
      limits.recordCount = (await execute(getSdrRepositoryInfo, undefined, signal ? { signal } : {})).recordCount;
    } catch (err) {
      if (!(err instanceof CompletionCodeError)) throw err;
    }
  }
  return await new SdrWalk(limits).run(execute, signal);
}

/**
 * One walk over the SDR repository: from record 0x0000 follow "next record
 * ID" until 0xFFFF. Each record is asked for whole in one Get SDR (offset 0,
 * 0xFF bytes: "entire record", §33.12), one round trip per record. A BMC
 * that refuses that (WHOLE_READ_REFUSED_CODES), or answers with fewer bytes
 * than the record's own header says, has that record and the rest of the
 * walk read in parts instead: the 5-byte header, then the body, whole when
 * the BMC allows, else in chunks (many BMCs refuse, 0xCA, reads larger than
 * their buffer). So a BMC that cannot serve whole records costs one extra
 * round trip per walk.
 *
 * Reserve SDR Repository is sent only when a read needs it: before the first
 * record read in parts (reads past offset 0 must carry a reservation, §33.12
 * Table 33-13; whole reads from offset 0 may give 0000h), and when the BMC
 * answers 0xC5 (the reservation was cancelled because the repository changed,
 * or this BMC wants one even for whole reads); then that record is restarted.
 * A walk of whole records under no reservation does not hear of a change
 * between two records, and a restarted record does not make the records read
 * before it current: a caller that must not keep a mixed SDR asks Get SDR
 * Repository Info before the walk and again after it, and walks again when
 * the two differ (the exporter's SessionCache does).
 *
 * The walk is bounded whatever the BMC serves: a next ID already visited (a
 * cycle), more records than `maxRecords` or than the BMC reported (plus a
 * margin), or more bytes than `maxBytes` end it, keeping what was read and
 * saying why in `incomplete`. Records that fail to decode are listed in
 * `unparsed` instead of failing the whole walk.
 *
 * `run` can be called again after it threw (a deadline, a timeout): the walk
 * keeps every whole record read and continues at the record it was reading
 * (under a fresh reservation if it needs one). Record IDs are only stable
 * while the repository is unchanged, so a caller continues a walk only when
 * Get SDR Repository Info answers as it did when the walk began.
 */
export class SdrWalk {
  readonly records: SdrRecord[] = [];
  readonly unparsed: UnparsedSdrRecord[] = [];
  /** Each record's bytes as read, in walk order, when `keepBytes` was asked for (undecodable ones included). */
  readonly recordBytes: Buffer[] | undefined;
  /** Why the walk ended early, once it has. */
  incomplete: SdrIncompleteError | undefined;
  /** The walk reached its end (the last record, a limit, a cycle): `run` reads nothing more. */
  done = false;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  /** maxRecords came from the BMC's reported count (plus a margin), not from the caller's cap. */
  private readonly capIsReported: boolean;
  private readonly recordCount: number | undefined;
  private readonly visited = new Set<number>();
  /** The record to read next (0x0000: the first). */
  private nextRecordId = 0x0000;
  private bytesHeld = 0;
  /** How records are read: whole, or in parts of `chunk` bytes; narrows when the BMC refuses, and stays narrowed. */
  private readonly mode: ReadMode;
  private running = false;

  constructor(limits: SdrWalkLimits = {}) {
    this.recordCount = limits.recordCount;
    const cap = limits.maxRecords ?? DEFAULT_SDR_MAX_RECORDS;
    const reportedCap = (limits.recordCount ?? 0xffff) + EXTRA_RECORDS_TOLERATED;
    this.maxRecords = Math.min(0xffff, cap, reportedCap);
    this.capIsReported = this.maxRecords === reportedCap;
    this.maxBytes = limits.maxBytes ?? DEFAULT_SDR_MAX_BYTES;
    this.mode = {
      whole: limits.wholeRecords ?? true,
      chunk: Math.max(MIN_SDR_CHUNK, Math.min(limits.chunkSize ?? DEFAULT_SDR_CHUNK, 0xfe)),
    };
    this.recordBytes = limits.keepBytes ? [] : undefined;
  }

  /** Records read so far, decodable or not. */
  get recordsRead(): number {
    return this.records.length + this.unparsed.length;
  }

  /** What was read; complete unless `incomplete` is set (or `done` is still false). */
  get contents(): SdrRepositoryContents {
    const { records, unparsed, incomplete } = this;
    return incomplete ? { records, unparsed, incomplete } : { records, unparsed };
  }

  /** Read on from where the walk stands to its end. Throws on transport errors and abort, keeping what was read. */
  async run(execute: Execute, signal?: AbortSignal): Promise<SdrRepositoryContents> {
    if (this.done) return this.contents;
    // Two runs at once would read the same records twice: one walk, one reader at a time.
    if (this.running) throw new InvalidArgumentError('SdrWalk.run called while an earlier run of the same walk is still reading');
    this.running = true;
    const reader = new RecordReader(execute, signal, this.mode);
    try {
      while (!this.done) await this.step(reader);
    } finally {
      this.running = false;
    }
    return this.contents;
  }

  /** Read the next record and keep it, or end the walk. */
  private async step(reader: RecordReader): Promise<void> {
    if (this.recordsRead >= this.maxRecords) return this.end(this.recordLimitError());
    const recordId = this.nextRecordId;
    this.visited.add(recordId);
    let result: RecordRead;
    try {
      result = await reader.readRecord(recordId);
    } catch (err) {
      // An empty repository answers the first Get SDR with "not present".
      if (recordId === 0x0000 && isCompletionCode(err, CompletionCode.notPresent)) return this.end();
      if (err instanceof MalformedPacketError) {
        this.unparsed.push({ recordId, error: err.message });
        return this.end(); // without a good response there is no next ID to follow
      }
      throw err;
    }
    if (this.bytesHeld + result.bytes.length > this.maxBytes) {
      return this.end(new SdrIncompleteError('byte-limit', `SDR holds more than ${this.maxBytes} bytes (the walk's limit); the rest were not read`));
    }
    this.keep(recordId, result.bytes);
    // Record 0x0000 means "first": remember the ID the BMC actually served too.
    const servedId = decodeSdrHeader(result.bytes).recordId;
    this.visited.add(servedId);
    const next = result.nextRecordId;
    if (next === SDR_LAST_RECORD_ID) return this.end();
    if (this.visited.has(next)) {
      return this.end(
        new SdrIncompleteError(
          'cycle',
          `SDR record 0x${hex4(servedId)} links back to record 0x${hex4(next)}, already read: the repository's links form a cycle`,
        ),
      );
    }
    this.nextRecordId = next;
  }

  private keep(recordId: number, bytes: Buffer): void {
    this.bytesHeld += bytes.length;
    this.recordBytes?.push(bytes);
    try {
      this.records.push(decodeSdrRecord(bytes));
    } catch (err) {
      if (!(err instanceof MalformedPacketError)) throw err;
      this.unparsed.push({ recordId, error: err.message });
    }
  }

  private end(why?: SdrIncompleteError): void {
    this.done = true;
    this.incomplete = why;
  }

  private recordLimitError(): SdrIncompleteError {
    return new SdrIncompleteError(
      'record-limit',
      this.capIsReported
        ? `SDR has more records than the ${this.recordCount} its repository info reports (stopped after ${this.maxRecords})`
        : `SDR has more than ${this.maxRecords} records (the walk's limit); the rest were not read`,
    );
  }
}

interface RecordRead {
  bytes: Buffer;
  nextRecordId: number;
}

/** How one walk reads its records; shared by its runs, so what the BMC refused once is not asked again. */
interface ReadMode {
  /** Ask for each record whole (offset 0, 0xFF bytes); false once the BMC refused or botched that. */
  whole: boolean;
  /** Body read size when reading in parts, shrunk when the BMC refuses a read as too large. */
  chunk: number;
}

/** Get SDR for one walk's run: the reservation, and reading one record whole or in parts as the walk's mode says. */
class RecordReader {
  private readonly base: ExecuteOptions;
  /** The run's reservation; undefined until a read needs one (0: the BMC has no Reserve SDR Repository). */
  private reservationId: number | undefined;

  constructor(
    private readonly execute: Execute,
    private readonly signal: AbortSignal | undefined,
    private readonly mode: ReadMode,
  ) {
    this.base = signal ? { signal } : {};
  }

  private async reserve(): Promise<void> {
    try {
      this.reservationId = (await this.execute(reserveSdrRepository, undefined, this.base)).reservationId;
    } catch (err) {
      // Reservation is optional for BMCs that answer whole records; 0 is the "no reservation" ID.
      if (!isCompletionCode(err, CompletionCode.invalidCommand)) throw err;
      this.reservationId = 0;
    }
  }

  /** One record's bytes and the next ID; restarts the record under a new reservation when the old one was cancelled. */
  async readRecord(recordId: number): Promise<RecordRead> {
    for (let restarts = 0; ; restarts++) {
      try {
        return await this.readOnce(recordId);
      } catch (err) {
        if (isCompletionCode(err, CompletionCode.reservationCancelled) && restarts < MAX_RESERVATION_RESTARTS) {
          await this.reserve();
          continue;
        }
        throw err;
      }
    }
  }

  private async readOnce(recordId: number): Promise<RecordRead> {
    this.checkAbort();
    if (this.mode.whole) {
      const whole = await this.readWhole(recordId);
      if (whole) return whole;
      this.checkAbort();
    }
    return await this.readInParts(recordId);
  }

  /**
   * The record in one Get SDR, or undefined when this BMC cannot be asked so:
   * it refused the read as one it might serve in parts, or its answer is
   * shorter than a header or than the length the record's header gives (a BMC
   * cutting the record to its buffer, or garbage). Either way the walk stops
   * asking for whole records and this record is read in parts. Bytes past the
   * header's length are not the record's and are dropped, as a read in parts
   * drops bytes past what it asked for: ipmi_sim 2.0.33 answers a whole read
   * of its 19-byte MC locator record with 25 bytes.
   */
  private async readWhole(recordId: number): Promise<RecordRead | undefined> {
    let rsp: GetSdrRsp;
    try {
      rsp = await this.read(recordId, 0, SDR_READ_WHOLE_RECORD);
    } catch (err) {
      if (!isCompletionCode(err, ...WHOLE_READ_REFUSED_CODES)) throw err;
      this.mode.whole = false;
      return undefined;
    }
    const { data } = rsp;
    const total = data.length < SDR_HEADER_LENGTH ? undefined : SDR_HEADER_LENGTH + decodeSdrHeader(data).length;
    if (total === undefined || data.length < total) {
      this.mode.whole = false;
      return undefined;
    }
    return { bytes: data.length === total ? data : data.subarray(0, total), nextRecordId: rsp.nextRecordId };
  }

  /** The record as its header, then its body in chunks of the walk's chunk size, under a reservation (reads past offset 0 need one). */
  private async readInParts(recordId: number): Promise<RecordRead> {
    if (this.reservationId === undefined) {
      await this.reserve();
      this.checkAbort();
    }
    const head = await this.read(recordId, 0, SDR_HEADER_LENGTH);
    if (head.data.length < SDR_HEADER_LENGTH) {
      throw new MalformedPacketError(`Get SDR 0x${recordId.toString(16)}: header read returned ${head.data.length} byte(s)`, {
        want: SDR_HEADER_LENGTH,
        got: head.data.length,
      });
    }
    const total = SDR_HEADER_LENGTH + decodeSdrHeader(head.data).length;
    const parts: Buffer[] = [head.data.subarray(0, SDR_HEADER_LENGTH)];
    for (let offset = SDR_HEADER_LENGTH; offset < total; ) {
      const part = await this.readChunk(recordId, offset, total - offset);
      if (!part) continue; // refused as too large: the chunk shrank, ask again
      parts.push(part);
      offset += part.length;
    }
    return { bytes: Buffer.concat(parts), nextRecordId: head.nextRecordId };
  }

  /** Up to `remaining` bytes of a body at `offset`; undefined when the read was refused as too large and the chunk shrank. */
  private async readChunk(recordId: number, offset: number, remaining: number): Promise<Buffer | undefined> {
    this.checkAbort();
    const want = Math.min(this.mode.chunk, remaining);
    let got: Buffer;
    try {
      got = (await this.read(recordId, offset, want)).data;
    } catch (err) {
      if (isCompletionCode(err, ...READ_TOO_LARGE_CODES) && want > MIN_SDR_CHUNK) {
        // Halving from what was refused; a refused big read goes straight to the size every BMC takes.
        this.mode.chunk = Math.max(MIN_SDR_CHUNK, want > FALLBACK_SDR_CHUNK ? FALLBACK_SDR_CHUNK : Math.floor(want / 2));
        return undefined;
      }
      throw err;
    }
    if (got.length === 0) {
      throw new MalformedPacketError(`Get SDR 0x${recordId.toString(16)}: empty read at offset ${offset}`, { want, got: 0 });
    }
    return got.subarray(0, Math.min(got.length, want));
  }

  private read(recordId: number, offset: number, bytesToRead: number) {
    return this.execute(getSdr, { reservationId: this.reservationId ?? 0, recordId, offset, bytesToRead }, this.base);
  }

  private checkAbort(): void {
    if (this.signal?.aborted) throw new AbortedError('SDR repository read aborted', { cause: this.signal.reason });
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
