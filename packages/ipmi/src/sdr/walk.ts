import { AbortedError, CompletionCode, CompletionCodeError, isCompletionCode, MalformedPacketError, READ_TOO_LARGE_CODES, SdrIncompleteError } from '../errors.js';
import type { Execute, ExecuteOptions } from '../commands/command.js';
import { getSdr, SDR_LAST_RECORD_ID } from '../commands/get-sdr.js';
import { getSdrRepositoryInfo } from '../commands/get-sdr-repository-info.js';
import { reserveSdrRepository } from '../commands/reserve-sdr-repository.js';
import { decodeSdrHeader, decodeSdrRecord, SDR_HEADER_LENGTH, type SdrRecord } from './records.js';

/**
 * Chunk size for record bodies: the most one Get SDR may ask for (0xFF means
 * "entire record", which some BMCs mishandle), so a record costs two round
 * trips, its header and its body. A BMC whose buffer is smaller says 0xCA and
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

export interface ReadSdrOptions {
  signal?: AbortSignal;
  /** Body chunk size in bytes (default 254: whole bodies), clamped to each record's length. */
  chunkSize?: number;
  /** Record count from Get SDR Repository Info if the caller already has it; otherwise it is asked for. */
  recordCount?: number;
  /** Stop after this many records (default DEFAULT_SDR_MAX_RECORDS). */
  maxRecords?: number;
  /** Stop before holding more than this many record bytes (default DEFAULT_SDR_MAX_BYTES). */
  maxBytes?: number;
}

/**
 * Reads every record of the SDR repository (IPMI v2.0 §33): Reserve SDR
 * Repository, then from record 0x0000 follow "next record ID" until 0xFFFF.
 * Each record is read as its 5-byte header, then its body, whole when the BMC
 * allows, else in chunks: many BMCs refuse (0xCA) reads larger than their buffer. A cancelled
 * reservation (0xC5, the repository changed) re-reserves and restarts that
 * record. The walk is bounded whatever the BMC serves: a next ID already
 * visited (a cycle), more records than `maxRecords` or than the BMC reported
 * (plus a margin), or more bytes than `maxBytes` end it, keeping what was read
 * and saying why in `incomplete`. Records that fail to decode are listed in
 * `unparsed` instead of failing the whole walk; transport errors propagate.
 */
export async function readSdrRepository(execute: Execute, opts: ReadSdrOptions = {}): Promise<SdrRepositoryContents> {
  const { signal } = opts;
  const base: ExecuteOptions = signal ? { signal } : {};
  const checkAbort = () => {
    if (signal?.aborted) throw new AbortedError('SDR repository read aborted', { cause: signal.reason });
  };

  let recordCount = opts.recordCount;
  if (recordCount === undefined) {
    try {
      recordCount = (await execute(getSdrRepositoryInfo, undefined, base)).recordCount;
    } catch (err) {
      if (!(err instanceof CompletionCodeError)) throw err;
    }
  }
  const cap = opts.maxRecords ?? DEFAULT_SDR_MAX_RECORDS;
  const reportedCap = (recordCount ?? 0xffff) + EXTRA_RECORDS_TOLERATED;
  const maxRecords = Math.min(0xffff, cap, reportedCap);
  const maxBytes = opts.maxBytes ?? DEFAULT_SDR_MAX_BYTES;

  const reserve = async (): Promise<number> => {
    try {
      return (await execute(reserveSdrRepository, undefined, base)).reservationId;
    } catch (err) {
      // Reservation is optional for BMCs that answer whole records; 0 is the "no reservation" ID.
      if (isCompletionCode(err, CompletionCode.invalidCommand)) return 0;
      throw err;
    }
  };

  let reservationId = await reserve();
  let chunk = Math.max(MIN_SDR_CHUNK, Math.min(opts.chunkSize ?? DEFAULT_SDR_CHUNK, 0xfe));
  const records: SdrRecord[] = [];
  const unparsed: UnparsedSdrRecord[] = [];
  const visited = new Set<number>();

  const read = (recordId: number, offset: number, bytesToRead: number) =>
    execute(getSdr, { reservationId, recordId, offset, bytesToRead }, base);

  /** One record's bytes and the next ID; restarts itself on a lost reservation. */
  const readRecord = async (recordId: number): Promise<{ bytes: Buffer; nextRecordId: number }> => {
    for (let restarts = 0; ; restarts++) {
      try {
        checkAbort();
        const head = await read(recordId, 0, SDR_HEADER_LENGTH);
        if (head.data.length < SDR_HEADER_LENGTH) {
          throw new MalformedPacketError(`Get SDR 0x${recordId.toString(16)}: header read returned ${head.data.length} byte(s)`, {
            want: SDR_HEADER_LENGTH,
            got: head.data.length,
          });
        }
        const header = decodeSdrHeader(head.data);
        const total = SDR_HEADER_LENGTH + header.length;
        const parts: Buffer[] = [head.data.subarray(0, SDR_HEADER_LENGTH)];
        let offset = SDR_HEADER_LENGTH;
        while (offset < total) {
          checkAbort();
          const want = Math.min(chunk, total - offset);
          let got: Buffer;
          try {
            got = (await read(recordId, offset, want)).data;
          } catch (err) {
            if (isCompletionCode(err, ...READ_TOO_LARGE_CODES) && want > MIN_SDR_CHUNK) {
              // Halving from what was refused; a refused big read goes straight to the size every BMC takes.
              chunk = Math.max(MIN_SDR_CHUNK, want > FALLBACK_SDR_CHUNK ? FALLBACK_SDR_CHUNK : Math.floor(want / 2));
              continue;
            }
            throw err;
          }
          if (got.length === 0) {
            throw new MalformedPacketError(`Get SDR 0x${recordId.toString(16)}: empty read at offset ${offset}`, {
              want,
              got: 0,
            });
          }
          const take = got.subarray(0, Math.min(got.length, want));
          parts.push(take);
          offset += take.length;
        }
        return { bytes: Buffer.concat(parts), nextRecordId: head.nextRecordId };
      } catch (err) {
        if (isCompletionCode(err, CompletionCode.reservationCancelled) && restarts < MAX_RESERVATION_RESTARTS) {
          reservationId = await reserve();
          continue;
        }
        throw err;
      }
    }
  };

  let recordId = 0x0000;
  let bytesHeld = 0;
  let incomplete: SdrIncompleteError | undefined;
  for (;;) {
    if (records.length + unparsed.length >= maxRecords) {
      incomplete = new SdrIncompleteError(
        'record-limit',
        maxRecords === reportedCap
          ? `SDR has more records than the ${recordCount} its repository info reports (stopped after ${maxRecords})`
          : `SDR has more than ${maxRecords} records (the walk's limit); the rest were not read`,
      );
      break;
    }
    visited.add(recordId);
    let result: { bytes: Buffer; nextRecordId: number };
    try {
      result = await readRecord(recordId);
    } catch (err) {
      // An empty repository answers the first Get SDR with "not present".
      if (recordId === 0x0000 && isCompletionCode(err, CompletionCode.notPresent)) break;
      if (err instanceof MalformedPacketError) {
        unparsed.push({ recordId, error: err.message });
        break; // without a good response there is no next ID to follow
      }
      throw err;
    }
    if (bytesHeld + result.bytes.length > maxBytes) {
      incomplete = new SdrIncompleteError('byte-limit', `SDR holds more than ${maxBytes} bytes (the walk's limit); the rest were not read`);
      break;
    }
    bytesHeld += result.bytes.length;
    // Record 0x0000 means "first": remember the ID the BMC actually served too.
    visited.add(decodeSdrHeader(result.bytes).recordId);
    try {
      records.push(decodeSdrRecord(result.bytes));
    } catch (err) {
      if (!(err instanceof MalformedPacketError)) throw err;
      unparsed.push({ recordId, error: err.message });
    }
    const next = result.nextRecordId;
    if (next === SDR_LAST_RECORD_ID) break;
    if (visited.has(next)) {
      const at = decodeSdrHeader(result.bytes).recordId;
      incomplete = new SdrIncompleteError('cycle', `SDR record 0x${hex4(at)} links back to record 0x${hex4(next)}, already read: the repository's links form a cycle`);
      break;
    }
    recordId = next;
  }
  return incomplete ? { records, unparsed, incomplete } : { records, unparsed };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
