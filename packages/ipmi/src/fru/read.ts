import { ByteReader } from '../codec/reader.js';
import type { Execute, ExecuteOptions } from '../commands/command.js';
import { getFruInventoryAreaInfo } from '../commands/get-fru-inventory-area-info.js';
import { readFruData } from '../commands/read-fru-data.js';
import { AbortedError, CompletionCodeError, isCompletionCode, MalformedPacketError, READ_TOO_LARGE_CODES } from '../errors.js';
import { FRU_HEADER_LENGTH, parseFruHeader, type FruHeader } from './inventory.js';

export interface ReadFruOptions {
  /** FRU device id; 0 (the BMC's own FRU) by default */
  deviceId?: number;
  signal?: AbortSignal;
  /** bytes per Read FRU Data; default 24, shrunk when the BMC refuses it */
  chunkSize?: number;
}

export const DEFAULT_FRU_CHUNK = 24;
/** §34.2 Read FRU Data's own completion code 0x81: FRU device busy; retried this many times. */
const FRU_BUSY = 0x81;
const MAX_BUSY_RETRIES = 5;
/** §16.1: multirecord header length; a chain longer than this many records is treated as corrupt. */
const MULTIRECORD_HEADER_LENGTH = 5;
const MAX_MULTIRECORDS = 256;

/**
 * Reads a FRU device's contents (IPMI v2.0 §34). Rather than the whole
 * inventory area (often a mostly-empty EEPROM), reads the common header, then
 * each area's length, and stops at the end of the last area — the bytes
 * parseFru needs. A FRU whose header is not a valid v1 header is read whole
 * so the caller still gets the raw bytes.
 */
export async function readFru(execute: Execute, opts: ReadFruOptions = {}): Promise<Buffer> {
  const fruId = opts.deviceId ?? 0;
  const xo: ExecuteOptions = opts.signal ? { signal: opts.signal } : {};
  const info = await execute(getFruInventoryAreaInfo, { fruId }, xo);
  const unit = info.accessByWords ? 2 : 1;
  const size = info.sizeBytes;
  let chunk = Math.max(unit, (opts.chunkSize ?? DEFAULT_FRU_CHUNK) - ((opts.chunkSize ?? DEFAULT_FRU_CHUNK) % unit));
  const parts: Buffer[] = [];
  let have = 0;

  async function readAt(offset: number, count: number): Promise<Buffer> {
    let busy = 0;
    for (;;) {
      if (opts.signal?.aborted) throw new AbortedError('FRU read aborted');
      const n = Math.min(count, chunk);
      try {
        // §34.2: word-access devices take offset and count in words.
        const rsp = await execute(readFruData, { fruId, offset: offset / unit, count: n / unit }, xo);
        if (rsp.data.length === 0) {
          throw new MalformedPacketError(`Read FRU Data: no data at offset ${offset}`, { want: n, got: 0 });
        }
        return rsp.data;
      } catch (e) {
        const cc = e instanceof CompletionCodeError ? e.completionCode : undefined;
        if (cc === FRU_BUSY && busy < MAX_BUSY_RETRIES) {
          busy++;
          continue;
        }
        if (isCompletionCode(e, ...READ_TOO_LARGE_CODES) && chunk > unit) {
          chunk = Math.max(unit, Math.floor(chunk / 2 / unit) * unit);
          continue;
        }
        throw e;
      }
    }
  }

  /** Extends the contiguous image from 0 up to `end` bytes (clamped to the area size). */
  async function ensure(end: number): Promise<Buffer> {
    const target = Math.min(size, Math.ceil(end / unit) * unit);
    while (have < target) {
      const data = await readAt(have, target - have);
      parts.push(data);
      have += data.length;
    }
    return Buffer.concat(parts);
  }

  let image = await ensure(FRU_HEADER_LENGTH);
  let header: FruHeader;
  try {
    header = parseFruHeader(image);
  } catch (e) {
    if (!(e instanceof MalformedPacketError)) throw e;
    return ensure(size);
  }
  if (!header.checksumValid) return ensure(size);

  let used = FRU_HEADER_LENGTH;
  const infoAreas = [header.chassisOffset, header.boardOffset, header.productOffset].filter((o) => o !== undefined);
  for (const off of infoAreas.sort((a, b) => a - b)) {
    image = await ensure(off + 2);
    if (image.length < off + 2) break;
    const r = new ByteReader(image, 'FRU info area header', off);
    r.skip(1, 'format version');
    const len = r.u8('area length') * 8;
    // A zero length is a broken area; give the parser everything.
    used = Math.max(used, len === 0 ? size : off + len);
  }
  if (header.multiRecordOffset !== undefined) {
    let pos = header.multiRecordOffset;
    for (let i = 0; i < MAX_MULTIRECORDS && pos + MULTIRECORD_HEADER_LENGTH <= size; i++) {
      image = await ensure(pos + MULTIRECORD_HEADER_LENGTH);
      const r = new ByteReader(image, 'FRU multirecord header', pos);
      r.u8('record type');
      const endOfList = (r.u8('format') & 0x80) !== 0;
      const len = r.u8('record length');
      pos += MULTIRECORD_HEADER_LENGTH + len;
      used = Math.max(used, pos);
      if (endOfList) break;
    }
  }
  image = await ensure(used);
  return image.subarray(0, Math.min(used, image.length));
}
