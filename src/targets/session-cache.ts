import {
  CompletionCodeError,
  dcmiGetSupportedCapabilities,
  getDeviceId,
  getSdrRepositoryInfo,
  getSystemGuid,
  readSdrRepository,
  sensorsFromSdr,
  type SdrIncompleteError,
  TimeoutError,
  type DeviceId,
  type Execute,
  type SensorDescriptor,
  isCompletionCode,
  UNSUPPORTED_COMMAND_CODES,
} from '@bmc-exporter/ipmi';
import type { CollectTarget } from '../collectors/collector.js';
import { sharedSensorLists } from './shared-sensor-lists.js';

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
}

/** Bounds of one SDR walk (--sdr.max-records, --sdr.max-bytes); the library's defaults when absent. */
export interface SdrLimits {
  maxRecords?: number;
  maxBytes?: number;
}

/**
 * Per-session knowledge of one BMC. Device ID, GUID and DCMI support are
 * forgotten when a new session starts (a BMC may have been updated while we
 * were away); the SDR walk survives sessions and is re-read only when Get SDR
 * Repository Info, asked once per session, shows different timestamps
 * (architecture invariant 7).
 */
export class SessionCache implements CollectTarget {
  ipmiVersion = '2.0';
  private generation = -1;
  private device: Promise<{ device: DeviceId; guid: Buffer | null }> | undefined;
  /** The same answer once it has arrived, for the console (which never sends a command). */
  private deviceKnown: { device: DeviceId; guid: Buffer | null } | undefined;
  private dcmi: boolean | undefined;
  private sdr: SdrCache | undefined;
  private sdrChecked = false;
  private sdrUsed: SdrCache | undefined;

  constructor(
    private readonly execute: Execute,
    private readonly onInitialiseTimeout: () => void,
    private readonly sdrLimits: SdrLimits = {},
    /** Told once per walk that stopped early. */
    private readonly onSdrIncomplete: (err: SdrIncompleteError) => void = () => undefined,
  ) {}

  /** Why the SDR this scrape used is incomplete (a cycle, a cap), if it is: the scrape reports it. */
  get sdrIncomplete(): SdrIncompleteError | undefined {
    return this.sdrUsed?.incomplete;
  }

  /** Call at the start of each scrape with the client's session count; a new session drops per-session facts. */
  startScrape(sessionGeneration: number, ipmiVersion: string): void {
    this.ipmiVersion = ipmiVersion;
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
      const info = await this.execute(getSdrRepositoryInfo, undefined, { signal });
      // Unspecified timestamps tell us nothing: walk again on every new session.
      const stamp =
        info.mostRecentAddition === null && info.mostRecentErase === null
          ? `unspecified/${this.generation}`
          : `${info.mostRecentAddition}/${info.mostRecentErase}/${info.recordCount}`;
      if (this.sdr?.stamp !== stamp) {
        const contents = await readSdrRepository(this.execute, { signal, recordCount: info.recordCount, ...this.sdrLimits });
        // Shared with every target whose SDR describes the same sensors (one copy per server model).
        const sensors = sharedSensorLists.intern(sensorsFromSdr(contents.records));
        this.sdr = contents.incomplete ? { stamp, sensors, incomplete: contents.incomplete } : { stamp, sensors };
        if (contents.incomplete) this.onSdrIncomplete(contents.incomplete);
      }
      this.sdrChecked = true;
      this.sdrUsed = this.sdr;
      return this.sdr.sensors;
    } catch (err) {
      if (signal.aborted) this.onInitialiseTimeout();
      throw err;
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
      return { device: device.auxFirmware ? { ...device, auxFirmware: unpooled(device.auxFirmware) } : device, guid: guid && unpooled(guid) };
    } catch (err) {
      if (signal.aborted) this.onInitialiseTimeout();
      throw err;
    }
  }
}
