import {
  BMC_OWNER_ID,
  CompletionCode,
  EVENT_READING_TYPES,
  PRIVILEGE,
  SDR_FIRST_RECORD_ID,
  SDR_HEADER_LENGTH,
  SDR_LAST_RECORD_ID,
  SDR_READ_WHOLE_RECORD,
  SDR_RECORD_TYPES,
  SEL_FIRST_ENTRY,
  SEL_LAST_ENTRY,
  SEL_READ_WHOLE_ENTRY,
  SEL_RECORD_LENGTH,
  SEL_RECORD_TYPES,
  encodeSelRecord,
  getDeviceId,
  getSdr,
  getSdrRepositoryInfo,
  getSelEntry,
  getSelInfo,
  getSensorReading,
  getSystemGuid,
} from '@bmc-exporter/ipmi';
import { SDR_VERSION, decodeGetSdrRequest, decodeGetSelEntryRequest, encodeGetSdrResponse, encodeGetSelEntryResponse } from '@bmc-exporter/ipmi/wire';
import { commandKey, keyOf, type CommandContext, type CommandHandler, type CommandRequest, type CommandResult } from '../command-handler.js';
import type { BmcModel } from '../model/index.js';
import type { FaultConfig } from './fault-config.js';
import { SeededRandom } from './prng.js';

/** §5.2 Table 5-2. */
const CC_OK = CompletionCode.ok;
const CC_NOT_PRESENT = CompletionCode.notPresent;
const CC_OUT_OF_RANGE = CompletionCode.parameterOutOfRange;
const CC_LENGTH_INVALID = CompletionCode.requestLengthInvalid;
/**
 * Filler records are OEM records (§43.12) after the 5-byte header (ID, SDR version, type, length): a 3-byte
 * manufacturer ID, then OEM data. 0x0000 is "unspecified"; our filler says "BMCSIM".
 */
const FILLER_BODY = Buffer.from([0x00, 0x00, 0x00, 0x42, 0x4d, 0x43, 0x53, 0x49, 0x4d]);
/** Minimum answer lengths (response data after the completion code): Get Device ID 11 bytes (Table 20-2), Get System GUID 16 (Table 22-19). */
const SHORT_DEVICE_ID = 5;
const SHORT_GUID = 7;

/** The commands this layer rewrites, by commandKey. */
const CMD = {
  getDeviceId: keyOf(getDeviceId),
  getSystemGuid: keyOf(getSystemGuid),
  getSensorReading: keyOf(getSensorReading),
  getSdrRepositoryInfo: keyOf(getSdrRepositoryInfo),
  getSdr: keyOf(getSdr),
  getSelInfo: keyOf(getSelInfo),
  getSelEntry: keyOf(getSelEntry),
} as const;

/** Answers the hostile layer wrote instead of (or over) the model's. */
export interface HostileCounters {
  sdr: number;
  sel: number;
  sensorReading: number;
  deviceId: number;
  guid: number;
}

/**
 * Command-level faults: a BMC whose answers are well framed, authenticated
 * and completion code 0, but whose content is hostile. It sits between the
 * protocol engine and the model (BmcModel.handler) and reads the fault
 * config live, so faults change at run time like the packet faults do:
 *  - sdrCycle: the last SDR record's "next record ID" points back at the
 *    second record, so a walk never reaches 0xFFFF;
 *  - sdrRecords: the repository holds this many records (up to 65,535): the
 *    model's own, then OEM filler records made when asked for;
 *  - selCycle: the last SEL entry's "next record ID" points at the first
 *    (a model SEL needs at least one entry for a cycle);
 *  - selEntries: the SEL holds this many entries (up to 65,535), made when
 *    asked for, instead of the model's;
 *  - shortSensorReadingPercent: Get Sensor Reading answered with 0-1 data bytes;
 *  - randomSensorReadingPercent: Get Sensor Reading answered with 0-7 random bytes;
 *  - shortDeviceId / shortGuid: Get Device ID with 5 of its 11 bytes, Get
 *    System GUID with 7 of its 16.
 * Random choices come from a PRNG of their own, so the packet faults'
 * sequence for a seed is the same with or without them.
 */
export class HostileAnswers {
  readonly counters: HostileCounters = { sdr: 0, sel: 0, sensorReading: 0, deviceId: 0, guid: 0 };
  private readonly rng: SeededRandom;
  private selTemplate: Buffer | undefined;

  constructor(
    private readonly config: () => Readonly<FaultConfig>,
    seed: number,
  ) {
    this.rng = new SeededRandom((seed ^ 0x4057111e) >>> 0);
  }

  /** Whether any command-level fault is on (the fleet skips this layer otherwise). */
  static active(c: Readonly<FaultConfig>): boolean {
    return (
      c.sdrCycle ||
      c.sdrRecords !== null ||
      c.selCycle ||
      c.selEntries !== null ||
      c.shortSensorReadingPercent > 0 ||
      c.randomSensorReadingPercent > 0 ||
      c.shortDeviceId ||
      c.shortGuid
    );
  }

  /** The model's handler with this layer around it. */
  wrap(model: () => BmcModel): CommandHandler {
    return (req, ctx) => {
      const c = this.config();
      const m = model();
      if (!HostileAnswers.active(c)) return m.handler(req, ctx);
      return this.handle(c, m, req, ctx);
    };
  }

  private handle(c: Readonly<FaultConfig>, m: BmcModel, req: CommandRequest, ctx: CommandContext): CommandResult | undefined {
    const k = commandKey(req.netFn, req.cmd);
    const sdrHostile = c.sdrCycle || c.sdrRecords !== null;
    const selHostile = c.selCycle || c.selEntries !== null;
    if (sdrHostile && k === CMD.getSdrRepositoryInfo) return this.patchCount(m.handler(req, ctx), this.sdrCount(c, m));
    if (sdrHostile && k === CMD.getSdr && ctx.privilege >= PRIVILEGE.user) return this.sdr(c, m, req);
    if (c.selEntries !== null && k === CMD.getSelInfo) return this.patchCount(m.handler(req, ctx), c.selEntries);
    if (selHostile && k === CMD.getSelEntry && ctx.privilege >= PRIVILEGE.user) return this.sel(c, m, req, ctx);
    const r = m.handler(req, ctx);
    if (!r || r.completionCode !== CC_OK || !r.data) return r;
    if (k === CMD.getSensorReading) {
      if (this.rng.chance(c.shortSensorReadingPercent)) {
        this.counters.sensorReading++;
        return { completionCode: CC_OK, data: r.data.subarray(0, this.rng.int(2)) };
      }
      if (this.rng.chance(c.randomSensorReadingPercent)) {
        this.counters.sensorReading++;
        return { completionCode: CC_OK, data: this.rng.bytes(this.rng.int(8)) };
      }
    }
    if (k === CMD.getDeviceId && c.shortDeviceId) {
      this.counters.deviceId++;
      return { completionCode: CC_OK, data: r.data.subarray(0, SHORT_DEVICE_ID) };
    }
    if (k === CMD.getSystemGuid && c.shortGuid) {
      this.counters.guid++;
      return { completionCode: CC_OK, data: r.data.subarray(0, SHORT_GUID) };
    }
    return r;
  }

  /** Get SDR Repository Info / Get SEL Info: bytes 2-3 of the answer are the record count (Tables 33-10, 31-2). */
  private patchCount(r: CommandResult | undefined, count: number): CommandResult | undefined {
    if (!r || r.completionCode !== CC_OK || !r.data || r.data.length < 3) return r;
    const data = Buffer.from(r.data);
    data.writeUInt16LE(Math.min(count, 0xffff), 1);
    return { completionCode: CC_OK, data };
  }

  private sdrCount(c: Readonly<FaultConfig>, m: BmcModel): number {
    return c.sdrRecords ?? m.sdr.records.length;
  }

  /** Record `id` (1-based) of the hostile repository: the model's, then OEM fillers. */
  private sdrRecord(m: BmcModel, id: number): Buffer {
    const own = m.sdr.records[id - 1];
    if (own) return own;
    const rec = Buffer.alloc(SDR_HEADER_LENGTH + FILLER_BODY.length);
    rec.writeUInt16LE(id, 0);
    rec[2] = SDR_VERSION;
    rec[3] = SDR_RECORD_TYPES.oem;
    rec[4] = FILLER_BODY.length;
    FILLER_BODY.copy(rec, SDR_HEADER_LENGTH);
    return rec;
  }

  /** Get SDR over the hostile repository; reservations are not checked (this BMC is past caring). */
  private sdr(c: Readonly<FaultConfig>, m: BmcModel, req: CommandRequest): CommandResult {
    if (req.data.length !== 6) return { completionCode: CC_LENGTH_INVALID };
    const r = decodeGetSdrRequest(req.data);
    const n = this.sdrCount(c, m);
    const id = r.recordId === SDR_FIRST_RECORD_ID ? 1 : r.recordId;
    if (id < 1 || id > n) return { completionCode: CC_NOT_PRESENT };
    const rec = this.sdrRecord(m, id);
    if (r.offset >= rec.length) return { completionCode: CC_OUT_OF_RANGE };
    const end = r.bytesToRead === SDR_READ_WHOLE_RECORD ? rec.length : Math.min(rec.length, r.offset + r.bytesToRead);
    const next = id < n ? id + 1 : c.sdrCycle ? Math.min(2, n) : SDR_LAST_RECORD_ID;
    this.counters.sdr++;
    return { completionCode: CC_OK, data: encodeGetSdrResponse({ nextRecordId: next, data: rec.subarray(r.offset, end) }) };
  }

  /** Entry `id` (1-based) of the synthetic SEL: one temperature event each, a second apart. */
  private selRecord(id: number, count: number): Buffer {
    this.selTemplate ??= encodeSelRecord({
      kind: 'system-event',
      recordId: 1,
      recordType: SEL_RECORD_TYPES.systemEvent,
      timestamp: 0,
      timestampIsRelative: false,
      date: null,
      generatorId: BMC_OWNER_ID,
      generator: { kind: 'ipmb-slave', id: BMC_OWNER_ID, channel: 0, lun: 0 },
      evmRev: 0x04,
      sensorType: 0x01,
      sensorNumber: 0x01,
      eventDirection: 'assertion',
      eventType: EVENT_READING_TYPES.threshold,
      eventData: [0x09, 0xff, 0xff],
      eventOffset: 0x09,
      eventData2Meaning: 'unspecified',
      eventData3Meaning: 'unspecified',
    });
    const rec = Buffer.from(this.selTemplate);
    rec.writeUInt16LE(id, 0);
    // §32.1 bytes 4-7: timestamp; the newest entry is "now" (truncated to a fixed epoch so answers repeat).
    rec.writeUInt32LE((1_700_000_000 - (count - id)) >>> 0, 3);
    return rec;
  }

  private sel(c: Readonly<FaultConfig>, m: BmcModel, req: CommandRequest, ctx: CommandContext): CommandResult | undefined {
    if (c.selEntries === null) {
      // A cycle over the model's own SEL: the answer whose next ID ends the log points at the first entry.
      const r = m.handler(req, ctx);
      if (!r || r.completionCode !== CC_OK || !r.data || r.data.length < 2 || r.data.readUInt16LE(0) !== SEL_LAST_ENTRY) return r;
      const data = Buffer.from(r.data);
      data.writeUInt16LE(1, 0);
      this.counters.sel++;
      return { completionCode: CC_OK, data };
    }
    if (req.data.length !== 6) return { completionCode: CC_LENGTH_INVALID };
    const r = decodeGetSelEntryRequest(req.data);
    const n = c.selEntries;
    const id = r.recordId === SEL_FIRST_ENTRY ? 1 : r.recordId === SEL_LAST_ENTRY ? n : r.recordId;
    if (id < 1 || id > n) return { completionCode: CC_NOT_PRESENT };
    if (r.offset >= SEL_RECORD_LENGTH) return { completionCode: CC_OUT_OF_RANGE };
    const rec = this.selRecord(id, n);
    const end = r.bytesToRead === SEL_READ_WHOLE_ENTRY ? SEL_RECORD_LENGTH : Math.min(SEL_RECORD_LENGTH, r.offset + r.bytesToRead);
    const next = id < n ? id + 1 : c.selCycle ? 1 : SEL_LAST_ENTRY;
    this.counters.sel++;
    return { completionCode: CC_OK, data: encodeGetSelEntryResponse({ nextRecordId: next, data: rec.subarray(r.offset, end) }) };
  }
}
