import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SDR_MAX_BYTES, type DeviceId } from '@bmc-exporter/ipmi';

/** The file's format tag: a file without it (another program's, an older layout) is not ours to read. */
const FORMAT = 'bmc-exporter-sdr/1';

/** The first read of a cache file: more than a typical server's SDR takes as JSON (a few KiB). */
const FIRST_READ_BYTES = 16 * 1024;

/** A SEL state file: aggregates, a cursor and 32 recent records, about 2 KiB; anything much larger is not one. */
const SEL_FILE_MAX_BYTES = 64 * 1024;

/** The SEL state file's format tag. */
const SEL_FORMAT = 'bmc-exporter-sel/1';

/** Room for the JSON around the records (base64 grows them by a third). */
const FILE_OVERHEAD_BYTES = 64 * 1024;
/** Write failures logged after the first: at most one in this many milliseconds (see writeFailed). */
const WRITE_WARNING_INTERVAL_MS = 60_000;

/** Where a cached SDR may be used: the BMC it was read from and the repository state it was read under. */
export interface SdrCacheKey {
  /** The target as configured (host:port). */
  target: string;
  /** The BMC's identity (bmcIdentity): a different BMC at the same address, or new firmware, never matches. */
  identity: string;
  /** Get SDR Repository Info's most recent addition and erase timestamps and record count. */
  stamp: string;
}

/** A target's file as read: what it is keyed by, its records, and the RMCP+ suite of the session that walked them. */
export interface SdrFile {
  identity: string;
  stamp: string;
  records: Buffer[];
  /** The cipher suite that BMC's session used when the file was written (absent: IPMI 1.5, or a file without it). */
  cipherSuite?: number;
}

/** The file's records when it was written for `key` (same BMC identity and repository stamp), else undefined. */
export function sdrFileRecords(file: SdrFile | undefined, key: SdrCacheKey): Buffer[] | undefined {
  // A different BMC, new firmware or a changed SDR: expected, not worth a warning; the walk replaces the file.
  return file && file.identity === key.identity && file.stamp === key.stamp ? file.records : undefined;
}

export interface SdrFileCacheLogger {
  warn(obj: object, msg: string): void;
}

/**
 * The BMC's identity as Get System GUID and Get Device ID give it: GUID,
 * device ID and revision, firmware revision, manufacturer and product. A
 * firmware update (which may bring a new SDR) changes it.
 */
export function bmcIdentity(device: DeviceId, guid: Buffer | null): string {
  return [
    guid ? guid.toString('hex') : 'no-guid',
    device.deviceId,
    device.deviceRevision,
    `${device.firmwareMajor}.${device.firmwareMinorRaw}`,
    device.auxFirmware ? device.auxFirmware.toString('hex') : '',
    device.manufacturerId,
    device.productId,
  ].join('/');
}

/**
 * SDRs kept on disk across restarts (--sdr.cache-dir), one file per target,
 * so a restarted exporter does not walk every BMC's SDR again. A file is used
 * only when target, BMC identity and repository stamp all match the BMC's
 * answers of this session, so a BMC whose SDR changed while the exporter was
 * down is walked again. Files are written to a temporary name and renamed
 * (a reader sees the old file or the new one, never half of one), hold the
 * raw record bytes and what they are keyed by (no credential), with the
 * RMCP+ cipher suite of the session that read them (a hint for the first
 * login after a restart, which then needs no suite discovery), and are
 * bounded by the walk's byte limit. A file that is unreadable, too big,
 * malformed, for another BMC or fails its checksum is ignored with a log
 * line, and the SDR is walked.
 */
export class SdrFileCache {
  private readonly maxFileBytes: number;
  /** Writes in flight, per file: a later write for the same target waits for the earlier one. */
  private readonly writing = new Map<string, Promise<void>>();
  private ready: Promise<void> | undefined;
  /** When the last write failure was logged (the clock's ms), and the failures since that were not. */
  private writeWarnedAt: number | undefined;
  private writeFailuresUnlogged = 0;

  constructor(
    readonly dir: string,
    private readonly logger?: SdrFileCacheLogger,
    /** The walk's byte limit (--sdr.max-bytes): no valid file holds more records than that. */
    maxRecordBytes = DEFAULT_SDR_MAX_BYTES,
    /** Milliseconds, for spacing the write-failure warnings. */
    private readonly now: () => number = Date.now,
  ) {
    this.maxFileBytes = Math.ceil((maxRecordBytes * 4) / 3) + FILE_OVERHEAD_BYTES;
  }

  /** The records stored for `key`, or undefined when there is no usable file (the reason logged unless there is none). */
  async load(key: SdrCacheKey): Promise<Buffer[] | undefined> {
    return sdrFileRecords(await this.read(key.target), key);
  }

  /** `target`'s file, whatever BMC and stamp it was written for; undefined when there is no usable one (the reason logged unless there is none). Never rejects. */
  async read(target: string): Promise<SdrFile | undefined> {
    const file = this.fileOf(target);
    const parsed = await this.readFor(target, file, this.maxFileBytes, 'a cached SDR', parseCacheFile, (why) => this.warn(target, file, why));
    if (!parsed) return undefined;
    const { identity, stamp, records, cipherSuite } = parsed;
    return cipherSuite === undefined ? { identity, stamp, records } : { identity, stamp, records, cipherSuite };
  }

  /**
   * Store `records` for `key` (replacing what was there), with the cipher
   * suite of the session that read them. Never rejects: a failure is logged
   * and the SDR is walked next time.
   */
  save(key: SdrCacheKey, records: readonly Buffer[], cipherSuite?: number): Promise<void> {
    const body = serialise(key, records, cipherSuite);
    // Larger than any file load() accepts: not written.
    if (Buffer.byteLength(body) > this.maxFileBytes) return Promise.resolve();
    return this.queueWrite(this.fileOf(key.target), key.target, body, 'SDR', 'the SDR will be walked after a restart');
  }

  /**
   * The SEL collector's state kept for `target` (SelState.snapshot()) when
   * the file was written for the same BMC `identity`; undefined when there
   * is none, or it is for another BMC (a different BMC, new firmware), or it
   * cannot be used (logged). Never rejects.
   */
  async loadSel(target: string, identity: string): Promise<unknown> {
    const file = this.selFileOf(target);
    const parsed = await this.readFor(target, file, SEL_FILE_MAX_BYTES, 'a SEL state file', parseSelFile, (why) => this.warnSel(target, file, why));
    return parsed?.identity === identity ? parsed.state : undefined;
  }

  /** Keep `state` (a SelState snapshot) for `target`'s BMC `identity`, replacing what was there. Never rejects: a failure is logged. */
  saveSel(target: string, identity: string, state: object): Promise<void> {
    const body = serialiseSel(target, identity, state);
    if (Buffer.byteLength(body) > SEL_FILE_MAX_BYTES) return Promise.resolve();
    return this.queueWrite(this.selFileOf(target), target, body, 'SEL', 'its SEL will be counted again after a restart');
  }

  /** The file that holds `target`'s SEL state, named as its SDR file is. */
  selFileOf(target: string): string {
    return this.fileFor('sel', target);
  }

  /** Write `body` to `file`, after any write to it still in flight. */
  private queueWrite(file: string, target: string, body: string, what: string, consequence: string): Promise<void> {
    const previous = this.writing.get(file) ?? Promise.resolve();
    const done = previous.then(() => this.write(file, target, body, what, consequence));
    this.writing.set(file, done);
    void done.then(() => {
      if (this.writing.get(file) === done) this.writing.delete(file);
    });
    return done;
  }

  /** Resolves when every write started so far has finished (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all(this.writing.values());
  }

  /** The file that holds `target`'s SDR. */
  fileOf(target: string): string {
    return this.fileFor('sdr', target);
  }

  /** `kind`-<hash of the address>.json: any host name makes a safe file name. */
  private fileFor(kind: 'sdr' | 'sel', target: string): string {
    return join(this.dir, `${kind}-${createHash('sha256').update(target).digest('hex').slice(0, 32)}.json`);
  }

  private async write(file: string, target: string, body: string, what: string, consequence: string): Promise<void> {
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
      await this.ready;
      await writeFile(temp, body, { mode: 0o644 });
      await rename(temp, file);
    } catch (err) {
      this.ready = undefined;
      await unlink(temp).catch(() => undefined);
      this.writeFailed({ target, file, err: (err as Error).message }, `cannot write the ${what} cache file; ${consequence}`);
    }
  }

  /**
   * A failed write is logged at most once a minute. A directory that cannot be
   * written (read-only, full, gone) fails every target's writes alike: after a
   * restart that is one per target, and one per SEL change for as long as it
   * lasts. The next line says how many were not logged.
   */
  private writeFailed(obj: { target: string; file: string; err: string }, msg: string): void {
    const now = this.now();
    if (this.writeWarnedAt !== undefined && now - this.writeWarnedAt < WRITE_WARNING_INTERVAL_MS) {
      this.writeFailuresUnlogged++;
      return;
    }
    const unlogged = this.writeFailuresUnlogged;
    this.writeWarnedAt = now;
    this.writeFailuresUnlogged = 0;
    this.logger?.warn(unlogged > 0 ? { ...obj, failedWritesNotLogged: unlogged } : obj, msg);
  }

  /** `file` read (at most `maxBytes`) and parsed, if it was written for `target`; undefined when there is none, or it cannot be used (the reason told to `warn`). */
  private async readFor<T extends { target: string }>(
    target: string,
    file: string,
    maxBytes: number,
    what: string,
    parse: (text: string) => T | string,
    warn: (why: string) => void,
  ): Promise<T | undefined> {
    let text: string | undefined;
    try {
      text = await this.readBounded(file, maxBytes, what);
    } catch (err) {
      warn(`unreadable: ${(err as Error).message}`);
      return undefined;
    }
    if (text === undefined) return undefined;
    const parsed = parse(text);
    if (typeof parsed === 'string') {
      warn(parsed);
      return undefined;
    }
    if (parsed.target !== target) {
      warn('written for another target');
      return undefined;
    }
    return parsed;
  }

  /** The file's text, undefined when there is none; throws when it cannot be read or is larger than any valid file. */
  private async readBounded(file: string, maxFileBytes: number, what: string): Promise<string | undefined> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      // A cached SDR is a few KiB: one read of FIRST_READ_BYTES that comes back short is the
      // whole file, and open, read, close are all the I/O a restarted target's file costs.
      const first = Buffer.allocUnsafe(FIRST_READ_BYTES);
      const { bytesRead: head } = await handle.read(first, 0, first.length, 0);
      if (head < first.length) return first.toString('utf8', 0, head);
      // A larger file: its size first, so one larger than any valid file is never read.
      const { size } = await handle.stat();
      if (size > maxFileBytes) throw new Error(`${size} bytes, more than the ${maxFileBytes} ${what} may take`);
      // Read one byte past the size seen, should the file have grown since.
      const buf = Buffer.alloc(size + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > size) throw new Error('the file grew while it was read');
      return buf.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  private warn(target: string, file: string, why: string): void {
    this.logger?.warn({ target, file, reason: why }, 'ignoring the SDR cache file; walking the SDR');
  }

  /** A SEL state file was read but its contents could not be taken back: said as for an unusable file. */
  ignoredSel(target: string, why: string): void {
    this.warnSel(target, this.selFileOf(target), why);
  }

  private warnSel(target: string, file: string, why: string): void {
    this.logger?.warn({ target, file, reason: why }, 'ignoring the SEL cache file; counting the SEL from its first entry');
  }
}

interface CacheFile {
  format: typeof FORMAT;
  target: string;
  identity: string;
  stamp: string;
  /** The RMCP+ suite of the session that read the records (absent: IPMI 1.5, or a file written before it was kept). */
  cipherSuite?: number;
  /** Each record's bytes, base64, in walk order. */
  records: string[];
  /** sha256 over target, identity, stamp, suite (when there is one) and records: a file damaged on disk is not used. */
  checksum: string;
}

function checksumOf(target: string, identity: string, stamp: string, cipherSuite: number | undefined, records: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of [target, identity, stamp]) h.update(part).update('\n');
  // Only when there is one, so a file written without it still checks; ':' is never in a base64 record.
  if (cipherSuite !== undefined) h.update(`suite:${cipherSuite}\n`);
  for (const part of records) h.update(part).update('\n');
  return h.digest('hex');
}

function serialise(key: SdrCacheKey, records: readonly Buffer[], cipherSuite: number | undefined): string {
  const encoded = records.map((r) => r.toString('base64'));
  const file: CacheFile = {
    format: FORMAT,
    target: key.target,
    identity: key.identity,
    stamp: key.stamp,
    ...(cipherSuite === undefined ? {} : { cipherSuite }),
    records: encoded,
    checksum: checksumOf(key.target, key.identity, key.stamp, cipherSuite, encoded),
  };
  return JSON.stringify(file);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `text` as a JSON object tagged `format`, or why it is not one (`what`: the kind of file, for the reason). */
function parseTagged(text: string, format: string, what: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null) return `not ${what}`;
  const f = value as Record<string, unknown>;
  if (f.format !== format) return `not ${what} of this format`;
  return f;
}

/** The SDR file's contents, or why they cannot be used. */
function parseCacheFile(text: string): (SdrFile & { target: string }) | string {
  const tagged = parseTagged(text, FORMAT, 'a cached SDR');
  if (typeof tagged === 'string') return tagged;
  const f = tagged as Partial<Record<keyof CacheFile, unknown>>;
  if (typeof f.target !== 'string' || typeof f.identity !== 'string' || typeof f.stamp !== 'string' || typeof f.checksum !== 'string') {
    return 'a field is missing';
  }
  const suite = f.cipherSuite;
  if (suite !== undefined && !(typeof suite === 'number' && Number.isInteger(suite) && suite >= 0 && suite <= 255)) return 'cipherSuite is not 0-255';
  if (!Array.isArray(f.records) || !f.records.every((r): r is string => typeof r === 'string' && BASE64.test(r))) return 'records are not base64 strings';
  if (checksumOf(f.target, f.identity, f.stamp, suite, f.records) !== f.checksum) return 'checksum mismatch';
  const records = f.records.map((r) => Buffer.from(r, 'base64'));
  return suite === undefined
    ? { target: f.target, identity: f.identity, stamp: f.stamp, records }
    : { target: f.target, identity: f.identity, stamp: f.stamp, records, cipherSuite: suite };
}

/** sha256 over target, identity and the state's JSON: a file damaged on disk is not used. */
function selChecksumOf(target: string, identity: string, stateJson: string): string {
  return createHash('sha256').update(target).update('\n').update(identity).update('\n').update(stateJson).digest('hex');
}

function serialiseSel(target: string, identity: string, state: object): string {
  const stateJson = JSON.stringify(state);
  // The state is spliced in as the text the checksum was taken over, so a reader can check it byte for byte.
  return `{"format":${JSON.stringify(SEL_FORMAT)},"target":${JSON.stringify(target)},"identity":${JSON.stringify(identity)},"checksum":"${selChecksumOf(target, identity, stateJson)}","state":${stateJson}}`;
}

/** The SEL file's contents (the state not yet validated: SelState.fromSnapshot does that), or why they cannot be used. */
function parseSelFile(text: string): { target: string; identity: string; state: unknown } | string {
  const f = parseTagged(text, SEL_FORMAT, 'a SEL state file');
  if (typeof f === 'string') return f;
  if (typeof f.target !== 'string' || typeof f.identity !== 'string' || typeof f.checksum !== 'string' || typeof f.state !== 'object' || f.state === null) {
    return 'a field is missing';
  }
  if (selChecksumOf(f.target, f.identity, JSON.stringify(f.state)) !== f.checksum) return 'checksum mismatch';
  return { target: f.target, identity: f.identity, state: f.state };
}
