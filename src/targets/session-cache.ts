import {
  CompletionCodeError,
  dcmiGetSupportedCapabilities,
  decodeSdrRecord,
  getDeviceId,
  getSdrRepositoryInfo,
  getSystemGuid,
  MalformedPacketError,
  SdrWalk,
  sensorsFromSdr,
  type SdrIncompleteError,
  type SdrRecord,
  type SdrRepositoryInfo,
  TimeoutError,
  type DeviceId,
  type Execute,
  type SensorDescriptor,
  isCompletionCode,
  UNSUPPORTED_COMMAND_CODES,
} from '@bmc-exporter/ipmi';
import type { CollectTarget } from '../collectors/collector.js';
import { SelState } from '../collectors/sel-state.js';
import { bmcIdentity, sdrFileRecords, type SdrCacheKey, type SdrFile, type SdrFileCache } from './sdr-file-cache.js';
import { sensorListsBySdr, sharedDeviceIds, sharedSensorLists } from './shared-sensor-lists.js';

/**
 * `read` (a cache file), or the abort of `signal` if that comes first: a
 * file read stuck on a hung disk must not hold a scrape past its deadline.
 * The read itself goes on and is dropped.
 */
function fileReadWithin<T>(read: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    read.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** A copy with its own small ArrayBuffer (Buffer.alloc never takes from the pool). */
function unpooled(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  b.copy(out);
  return out;
}

interface SdrCache {
  /** Repository info the walk was taken under: addition/erase timestamps and record count. */
  stamp: string;
  sensors: readonly SensorDescriptor[];
  /** The walk stopped early (cycle, cap): `sensors` are those of the records read before. */
  incomplete?: SdrIncompleteError;
  /**
   * The walk went on across scrapes while the stamp kept moving
   * (MAX_SDR_WALK_RESTARTS): used for this session only, never confirmed nor
   * written, and its `stamp` matches none, so the next session walks again.
   */
  drifted?: true;
  /**
   * Set on a walk's result until Get SDR Repository Info, asked after the
   * walk ended, gives the stamp the walk began under. Until then its records
   * may mix two versions of a repository changed during the walk (read whole
   * under no reservation, a walk hears nothing of a change), so it is not
   * written to --sdr.cache-dir: `save` is what to write once it is confirmed.
   */
  unconfirmed?: { save: { key: SdrCacheKey; records: Buffer[] } | undefined };
}

/**
 * The most walks one SDR check makes when the repository keeps changing
 * under them: the first, and one more when the stamp asked after it differs.
 * A BMC whose stamp moves on every answer then costs two walks a session, and
 * the second walk is used for that session without being written to disk.
 */
export const MAX_SDR_WALKS_PER_CHECK = 2;

/**
 * How often a walk cut short by a deadline starts again because the stamp
 * moved before the next scrape continued it. After that it is continued
 * whatever the stamp says: a big SDR on a BMC whose stamp moves between any
 * two scrapes would otherwise be started again on every scrape and never
 * finish, and the target would never have sensors. Such a walk's records may
 * mix versions of the repository, so it is treated as the last walk of a
 * check whose stamp kept moving (MAX_SDR_WALKS_PER_CHECK): used for the
 * session, never written to disk.
 */
export const MAX_SDR_WALK_RESTARTS = 1;

/** Bounds of one SDR walk (--sdr.max-records, --sdr.max-bytes); the library's defaults when absent. */
export interface SdrLimits {
  maxRecords?: number;
  maxBytes?: number;
}

/**
 * What Get SDR Repository Info says about the repository's state: the most
 * recent addition and erase timestamps and the record count. Equal stamps
 * mean the same records under the same IDs. A BMC that leaves both
 * timestamps unspecified says nothing: its stamp holds the session number
 * (and the record count), so the SDR is walked again on every new session
 * and never taken from disk.
 */
export function repositoryStamp(info: SdrRepositoryInfo, sessionGeneration: number): string {
  return info.mostRecentAddition === null && info.mostRecentErase === null
    ? `unspecified/${sessionGeneration}/${info.recordCount}`
    : `${info.mostRecentAddition}/${info.mostRecentErase}/${info.recordCount}`;
}

/** The library's defaults: one object for every target that sets no bounds. */
const DEFAULT_SDR_LIMITS: SdrLimits = Object.freeze({});

export interface SessionCacheOptions {
  /** Bounds of each SDR walk. */
  sdrLimits?: SdrLimits;
  /** Told once per walk that stopped early (a cycle, a cap). */
  onSdrIncomplete?: (err: SdrIncompleteError) => void;
  /** SDRs on disk across restarts (--sdr.cache-dir), with the target they are kept under. */
  sdrFiles?: { cache: SdrFileCache; target: string };
}

/**
 * Per-session knowledge of one BMC. Device ID, GUID and DCMI support are
 * forgotten when a new session starts (a BMC may have been updated while we
 * were away); the SDR walk survives sessions and is re-read only when Get SDR
 * Repository Info, asked once per session, shows a different stamp
 * (repositoryStamp; invariant 7 in docs/architecture.md). It is asked again
 * when a walk ends: a stamp moved meanwhile means the records read may mix
 * two versions, and the SDR is walked once more (MAX_SDR_WALKS_PER_CHECK);
 * only a walk so confirmed is written to disk. A walk the scrape
 * deadline cut short is continued by the next scrape while the stamp is
 * unchanged, so a big or slow SDR completes over a few scrapes; a stamp that
 * moves between every two scrapes starts it again only once
 * (MAX_SDR_WALK_RESTARTS), and the walk then goes on, for that session only.
 * The SEL collector's cursor and counts live here too, for as long as the
 * target.
 */
export class SessionCache implements CollectTarget {
  ipmiVersion = '2.0';
  /** The current session's RMCP+ suite (null: IPMI 1.5), written into the SDR file with a walk's records. */
  private cipherSuite: number | null = null;
  private generation = -1;
  private device: Promise<{ device: DeviceId; guid: Buffer | null }> | undefined;
  /** The same answer once it has arrived, for the console (which never sends a command). */
  private deviceKnown: { device: DeviceId; guid: Buffer | null } | undefined;
  private dcmi: boolean | undefined;
  private sdr: SdrCache | undefined;
  private sdrChecked = false;
  private sdrUsed: SdrCache | undefined;
  /**
   * A walk not finished yet, and the stamp it began (or, drifted, last went on)
   * under: continued under the same stamp, or under any once it was started
   * again MAX_SDR_WALK_RESTARTS times.
   */
  private walking: { stamp: string; walk: SdrWalk; fileKey: SdrCacheKey | undefined; restarts: number; drifted: boolean } | undefined;
  private sel: SelState | undefined;
  private readonly sdrLimits: SdrLimits;
  private readonly onSdrIncomplete: (err: SdrIncompleteError) => void;
  private readonly sdrFiles: SessionCacheOptions['sdrFiles'];
  /**
   * The target's SDR file as read before its first session (fileCipherSuite),
   * kept for that scrape's SDR check so the file is read once, and dropped
   * when the next scrape starts: a file that scrape left unused (no SDR
   * collector, a stamp that cannot be cached) holds no memory after it.
   */
  private fileRead: { file: Promise<SdrFile | undefined>; scrapesStarted: number } | undefined;
  /** The SEL state file was looked for (restoreSelState): once per target. */
  private selRestored = false;
  /** SelState.changes when its state was last written (or restored): written again only when it moved. */
  private selSavedChanges = 0;

  constructor(
    private readonly execute: Execute,
    private readonly onInitialiseTimeout: () => void,
    options: SessionCacheOptions = {},
  ) {
    this.sdrLimits = options.sdrLimits ?? DEFAULT_SDR_LIMITS;
    this.onSdrIncomplete = options.onSdrIncomplete ?? (() => undefined);
    this.sdrFiles = options.sdrFiles;
  }

  /** Why the SDR this scrape used is incomplete (a cycle, a cap), if it is: the scrape reports it. */
  get sdrIncomplete(): SdrIncompleteError | undefined {
    return this.sdrUsed?.incomplete;
  }

  /** Records read by a walk still in progress (cut short by a deadline, to be continued), if there is one. */
  get sdrWalkProgress(): number | undefined {
    return this.walking?.walk.recordsRead;
  }

  /**
   * The RMCP+ suite the target's SDR file says its BMC took last time (before
   * a restart), undefined without a file or a suite in it: the first login's
   * hint (BmcClient.setCipherSuiteHint), which then discovers no suites.
   */
  async fileCipherSuite(signal: AbortSignal): Promise<number | undefined> {
    if (!this.sdrFiles) return undefined;
    this.fileRead ??= { file: this.sdrFiles.cache.read(this.sdrFiles.target), scrapesStarted: 0 };
    return (await fileReadWithin(this.fileRead.file, signal))?.cipherSuite;
  }

  /** Call at the start of each scrape with the client's session count and session; a new session drops per-session facts. */
  startScrape(sessionGeneration: number, ipmiVersion: string, cipherSuite: number | null = null): void {
    if (this.fileRead && this.fileRead.scrapesStarted++ > 0) this.fileRead = undefined;
    this.ipmiVersion = ipmiVersion;
    this.cipherSuite = cipherSuite;
    this.sdrUsed = undefined;
    if (sessionGeneration === this.generation) return;
    this.generation = sessionGeneration;
    this.device = undefined;
    this.dcmi = undefined;
    this.sdrChecked = false;
  }

  deviceInfo(signal: AbortSignal): Promise<{ device: DeviceId; guid: Buffer | null }> {
    const p = (this.device ??= this.readDevice(signal));
    p.then(
      (d) => {
        if (this.device === p) this.deviceKnown = d;
      },
      () => undefined,
    );
    // A failed read is not cached: the next scrape asks again.
    p.catch(() => {
      if (this.device === p) this.device = undefined;
    });
    return p;
  }

  async sensors(signal: AbortSignal): Promise<readonly SensorDescriptor[]> {
    if (this.sdrChecked && this.sdr) {
      this.sdrUsed = this.sdr;
      return this.sdr.sensors;
    }
    try {
      let info = await this.execute(getSdrRepositoryInfo, undefined, { signal });
      let stamp = repositoryStamp(info, this.generation);
      let sdr = this.sdr;
      for (let walks = 0; sdr?.stamp !== stamp && walks < MAX_SDR_WALKS_PER_CHECK; walks++) {
        this.sdr = sdr = await this.readSdr(stamp, info.recordCount, signal);
        if (sdr.unconfirmed === undefined) break; // from the file, under this very stamp
        if (sdr.drifted) break; // the stamp moved all through it: nothing to confirm
        // The walk took a round trip per record: asked again, the repository says whether it changed meanwhile.
        info = await this.execute(getSdrRepositoryInfo, undefined, { signal });
        stamp = repositoryStamp(info, this.generation);
      }
      // Set: the loop ran at least once unless the stamps were equal. A stamp still
      // moving after the last walk allowed leaves that walk unconfirmed: used for this session, never on disk.
      const used = sdr!;
      if (used.unconfirmed && used.stamp === stamp) this.confirm(used);
      this.sdrChecked = true;
      this.sdrUsed = used;
      return used.sensors;
    } catch (err) {
      if (signal.aborted) this.onInitialiseTimeout();
      throw err;
    }
  }

  /** The SDR under `stamp`: from disk when a file matches, else walked (continuing a walk begun under the same stamp). */
  private async readSdr(stamp: string, recordCount: number, signal: AbortSignal): Promise<SdrCache> {
    const cut = this.walking;
    if (cut !== undefined && cut.stamp !== stamp && cut.restarts >= MAX_SDR_WALK_RESTARTS) {
      // Started again too often under a moving stamp: go on from where it was cut, never to disk.
      cut.stamp = stamp;
      cut.fileKey = undefined;
      cut.drifted = true;
    } else if (cut?.stamp !== stamp) {
      const fileKey = await this.fileKey(stamp, signal);
      const stored = fileKey && (await fileReadWithin(this.storedRecords(fileKey), signal));
      if (stored) {
        this.walking = undefined;
        return { stamp, sensors: sensorListsBySdr.get(stored, () => sensorsFromSdr(decodeStored(stored))) };
      }
      // Any walk begun under another stamp read records that may have moved: start again.
      // The bytes are kept for the file and to find the shared sensor list by them.
      const restarts = cut === undefined ? 0 : cut.restarts + 1;
      this.walking = { stamp, walk: new SdrWalk({ recordCount, ...this.sdrLimits, keepBytes: true }), fileKey, restarts, drifted: false };
    }
    const { walk, fileKey, drifted } = this.walking!;
    // Throws on the deadline or a BMC failure; the walk keeps what it read for the next scrape.
    const contents = await walk.run(this.execute, signal);
    this.walking = undefined;
    if (contents.incomplete) this.onSdrIncomplete(contents.incomplete);
    // Shared with every target whose SDR describes the same sensors (one copy per server model).
    const build = () => sensorsFromSdr(contents.records);
    const sensors = walk.recordBytes ? sensorListsBySdr.get(walk.recordBytes, build) : sharedSensorLists.intern(build());
    if (drifted) {
      // A stamp no repository has (repositoryStamp's always holds a '/'): nothing compares equal to it.
      const unsaved = { save: undefined };
      return contents.incomplete
        ? { stamp: '', sensors, incomplete: contents.incomplete, unconfirmed: unsaved, drifted: true }
        : { stamp: '', sensors, unconfirmed: unsaved, drifted: true };
    }
    const unconfirmed = { save: !contents.incomplete && fileKey && walk.recordBytes ? { key: fileKey, records: walk.recordBytes } : undefined };
    return contents.incomplete ? { stamp, sensors, incomplete: contents.incomplete, unconfirmed } : { stamp, sensors, unconfirmed };
  }

  /** A walk's result seen under the stamp it began under, after it ended: whole, one version; written to disk if it is to be. */
  private confirm(sdr: SdrCache): void {
    const save = sdr.unconfirmed?.save;
    sdr.unconfirmed = undefined;
    if (save) void this.sdrFiles?.cache.save(save.key, save.records, this.cipherSuite ?? undefined);
  }

  /** The records on disk for `key`: from the file read before the session if there was one (used once), else read now. */
  private async storedRecords(key: SdrCacheKey): Promise<Buffer[] | undefined> {
    const read = this.fileRead;
    this.fileRead = undefined;
    return read ? sdrFileRecords(await read.file, key) : this.sdrFiles?.cache.load(key);
  }

  /**
   * What this BMC's SDR is stored under on disk, or undefined when it is not
   * stored: no --sdr.cache-dir, a stamp that cannot tell a changed SDR from
   * the same one, or a BMC whose identity cannot be read.
   */
  private async fileKey(stamp: string, signal: AbortSignal): Promise<SdrCacheKey | undefined> {
    if (!this.sdrFiles || stamp.startsWith('unspecified/')) return undefined;
    try {
      const { device, guid } = await this.deviceInfo(signal);
      return { target: this.sdrFiles.target, identity: bmcIdentity(device, guid), stamp };
    } catch (err) {
      if (signal.aborted) throw err;
      return undefined;
    }
  }

  async dcmiPowerSupported(signal: AbortSignal): Promise<boolean> {
    if (this.dcmi !== undefined) return this.dcmi;
    try {
      const caps = await this.execute(dcmiGetSupportedCapabilities, undefined, { signal });
      this.dcmi = caps.supported.powerManagement;
    } catch (err) {
      // Rejected, or ignored while the session answers (the client's canary
      // told the two apart): no DCMI. Cut off by our deadline: ask again next time.
      if (err instanceof CompletionCodeError || (err instanceof TimeoutError && !signal.aborted)) this.dcmi = false;
      else throw err;
    }
    return this.dcmi;
  }

  dcmiPowerUnsupported(): void {
    this.dcmi = false;
  }

  /** Get Device ID and Get System GUID as the current (or, until a scrape re-reads them, the previous) session answered. */
  get cachedDevice(): { device: DeviceId; guid: Buffer | null } | undefined {
    return this.deviceKnown;
  }

  /** The SEL collector's aggregates and cursor for this BMC, created on first use; they live as long as the target. */
  selState(): SelState {
    return (this.sel ??= new SelState());
  }

  /**
   * With --sdr.cache-dir, once per target before its first SEL read: the
   * state the file keeps for this BMC's identity (Get Device ID and Get
   * System GUID, as for the SDR) becomes the target's, so a restarted
   * exporter goes on from its cursor; the collector's own checks (erase
   * time, entry count, the last record read again) then catch a SEL cleared
   * or rewritten while it was down. No file, another BMC, or one that
   * cannot be used: the SEL is counted from its first entry, as without it.
   */
  restoreSelState(signal: AbortSignal): Promise<void> | undefined {
    if (this.selRestored || !this.sdrFiles || this.sel) return undefined;
    this.selRestored = true;
    return this.readSelFile(this.sdrFiles, signal);
  }

  private async readSelFile(sdrFiles: NonNullable<SessionCacheOptions['sdrFiles']>, signal: AbortSignal): Promise<void> {
    let identity: string;
    try {
      const { device, guid } = await this.deviceInfo(signal);
      identity = bmcIdentity(device, guid);
    } catch (err) {
      if (signal.aborted) {
        this.selRestored = false;
        throw err;
      }
      return;
    }
    let kept: unknown;
    try {
      kept = await fileReadWithin(sdrFiles.cache.loadSel(sdrFiles.target, identity), signal);
    } catch (err) {
      // Cut by the deadline: the next scrape looks again.
      this.selRestored = false;
      throw err;
    }
    if (kept === undefined) return;
    const state = SelState.fromSnapshot(kept);
    if (!state) {
      sdrFiles.cache.ignoredSel(sdrFiles.target, 'not a SEL state of this exporter');
      return;
    }
    this.sel = state;
    this.selSavedChanges = state.changes;
  }

  /** The SEL collector is done for this scrape: with --sdr.cache-dir, its state is written when it changed. */
  selStateRead(): void {
    const sel = this.sel;
    const known = this.deviceKnown;
    if (!this.sdrFiles || !sel || sel.unsupported || sel.changes === this.selSavedChanges || !known) return;
    const snapshot = sel.snapshot();
    if (!snapshot) return;
    this.selSavedChanges = sel.changes;
    void this.sdrFiles.cache.saveSel(this.sdrFiles.target, bmcIdentity(known.device, known.guid), snapshot);
  }

  /** The SEL state if the SEL collector has run (for the homepage, which sends no command). */
  get cachedSelState(): SelState | undefined {
    return this.sel;
  }

  /** Sensor descriptors from the last walk, if any (for the homepage and tests). */
  get cachedSensors(): readonly SensorDescriptor[] | undefined {
    return this.sdr?.sensors;
  }

  private async readDevice(signal: AbortSignal): Promise<{ device: DeviceId; guid: Buffer | null }> {
    try {
      const device = await this.execute(getDeviceId, undefined, { signal });
      let guid: Buffer | null = null;
      try {
        guid = (await this.execute(getSystemGuid, undefined, { signal })).guid;
      } catch (err) {
        if (!isCompletionCode(err, ...UNSUPPORTED_COMMAND_CODES)) throw err;
      }
      // Kept for the whole session: copy the few bytes out of Node's shared 8 KiB
      // buffer pool, or each would pin a whole pool slab (8 KiB per target).
      // The device answer is one object for every BMC that gives the same one.
      const own = device.auxFirmware ? { ...device, auxFirmware: unpooled(device.auxFirmware) } : device;
      return { device: sharedDeviceIds.intern(own), guid: guid && unpooled(guid) };
    } catch (err) {
      if (signal.aborted) this.onInitialiseTimeout();
      throw err;
    }
  }
}

/** Records read back from disk, decoded as the walk decodes them (an undecodable one is left out, as the walk lists it apart). */
function decodeStored(stored: readonly Buffer[]): SdrRecord[] {
  const records: SdrRecord[] = [];
  for (const bytes of stored) {
    try {
      records.push(decodeSdrRecord(bytes));
    } catch (err) {
      if (!(err instanceof MalformedPacketError)) throw err;
    }
  }
  return records;
}
