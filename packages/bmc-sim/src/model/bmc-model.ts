import {
  CompletionCode,
  DCMI_GROUP_EXTENSION_ID,
  MalformedPacketError,
  NETFN,
  PRIVILEGE,
  SEL_RECORD_LENGTH,
  BMC_OWNER_ID,
  DCMI_CAPABILITY_PARAMETERS,
  DCMI_POWER_READING_MODES,
  dcmiGetCapabilities,
  dcmiGetPowerReading,
  getChassisStatus,
  getDeviceId,
  getFruInventoryAreaInfo,
  getSdr,
  getSdrRepositoryInfo,
  getSelEntry,
  getSelInfo,
  getSelTime,
  getSensorReading,
  getSensorReadingFactors,
  getSystemGuid,
  parseGuid,
  readFruData,
  reserveSdrRepository,
  reserveSel,
} from '@bmc-exporter/ipmi';
import {
  buildFru,
  decodeDcmiGetCapabilitiesRequest,
  decodeDcmiGetPowerReadingRequest,
  decodeGetFruInventoryAreaInfoRequest,
  decodeGetSdrRequest,
  decodeGetSelEntryRequest,
  decodeGetSensorReadingFactorsRequest,
  decodeGetSensorReadingRequest,
  decodeReadFruDataRequest,
  encodeDcmiGetCapabilitiesResponse,
  encodeDcmiGetPowerReadingResponse,
  encodeDcmiSupportedCapabilities,
  encodeGetChassisStatusResponse,
  encodeGetDeviceIdResponse,
  encodeGetFruInventoryAreaInfoResponse,
  encodeGetSelTimeResponse,
  encodeGetSensorReadingFactorsResponse,
  encodeGetSystemGuidResponse,
  encodeReadFruDataResponse,
  encodeReserveSdrRepositoryResponse,
  encodeReserveSelResponse,
} from '@bmc-exporter/ipmi/wire';
import {
  commandKey,
  formatCommandKey,
  keyOf,
  type CommandContext,
  type CommandHandler,
  type CommandId,
  type CommandRequest,
  type CommandResult,
} from '../command-handler.js';
import { LAN_CHANNEL } from '../protocol/session-commands.js';
import type { BmcDefinition, DcmiPowerDefinition, SelEntryDefinition } from './definition.js';
import { SdrRepository } from './sdr-repository.js';
import { SEL_EVENT_KINDS, SelGenerator } from './sel-generator.js';
import { SelStore } from './sel-store.js';
import { SimSensor } from './sensors.js';

/** §5.2 Table 5-2 completion codes, by the library's names. */
const CC = CompletionCode;

const code = (completionCode: number): CommandResult => ({ completionCode });

/** §31.9 Clear SEL request bytes 3-5: the ASCII "CLR" guard. */
const CLR = [0x43, 0x4c, 0x52] as const;
/** §31.9 byte 6: initiate erase; 0x00 asks for the status. Response [3:0] 1 = erasure completed. */
const CLEAR_INITIATE = 0xaa;
const ERASE_COMPLETED = Buffer.from([0x01]);

/** DCMI v1.5 Table 6-3 parameter revision for DCMI 1.5. */
const DCMI_PARAMETER_REVISION = 0x02;
const DEFAULT_DCMI_PERIOD_S = 60;

type Handler = (req: CommandRequest, ctx: CommandContext) => CommandResult | undefined;
interface Entry {
  name: string;
  privilege: number;
  handle: Handler;
}

/** §31.6 Add SEL Entry and §31.9 Clear SEL: commands the library does not send, so it has no objects for them. */
const addSelEntry: CommandId = { name: 'Add SEL Entry', netFn: NETFN.storage, cmd: 0x44 };
const clearSel: CommandId = { name: 'Clear SEL', netFn: NETFN.storage, cmd: 0x47 };

export interface BmcModelOptions {
  /** Clock in ms (SEL timestamps, SEL time, DCMI timestamps); default Date.now. */
  now?: () => number;
  /** Recorded for the fleet layer; the model itself is deterministic. */
  seed?: number;
}

/**
 * One simulated BMC's state and command answers. `handler` is the seam the
 * protocol engine calls for every non-session command (command-handler.ts);
 * the other methods are knobs for tests, the fleet and the fault layer.
 * Answers that do not change are built once; responses are shared Buffers
 * the engine must not modify.
 */
export class BmcModel {
  readonly handler: CommandHandler;
  readonly sensors: readonly SimSensor[];
  readonly sel: SelStore;
  readonly sdr: SdrRepository;
  readonly seed: number | undefined;
  /** Hint for the fault layer: delay Get SDR answers by this many ms. */
  readonly slowSdrMs: number | undefined;
  private readonly now: () => number;
  private readonly bySensorKey = new Map<number, SimSensor>();
  private readonly byName = new Map<string, SimSensor>();
  private readonly commands = new Map<number, Entry>();
  private readonly counts = new Map<number, number>();
  private readonly generator: SelGenerator | undefined;
  private readonly deviceId: Buffer;
  private readonly guid: Buffer;
  private readonly fru: Buffer | undefined;
  private readonly fruInfo: Buffer | undefined;
  private chassis: Required<NonNullable<BmcDefinition['chassis']>>;
  private chassisResponse!: Buffer;
  private dcmi: BmcDefinition['dcmi'];
  private dcmiCapabilities = new Map<number, Buffer>();

  constructor(
    readonly definition: BmcDefinition,
    opts: BmcModelOptions = {},
  ) {
    const def = definition;
    this.now = opts.now ?? Date.now;
    this.seed = opts.seed;
    this.slowSdrMs = def.quirks?.slowSdrMs;
    this.sensors = def.sensors.map((s) => new SimSensor(s));
    for (const s of this.sensors) {
      const k = sensorKey(s.owner, s.lun, s.number);
      if (this.bySensorKey.has(k)) throw new RangeError(`sensor number 0x${s.number.toString(16)} on LUN ${s.lun} defined twice`);
      this.bySensorKey.set(k, s);
      this.byName.set(s.name, s);
    }
    this.sdr = new SdrRepository(this.sensors, this.nowSeconds(), def.quirks?.sdrMaxRead);
    this.sel = new SelStore(def.sel?.capacity ?? 512, () => this.nowSeconds());
    for (const e of def.sel?.entries ?? []) this.sel.add(e);
    const gen = def.sel?.generator;
    if (gen) {
      this.generator = new SelGenerator(gen.everyMs, gen.kinds ?? SEL_EVENT_KINDS, this.now(), (e) => this.sel.add(e), this.sensors);
    }
    this.deviceId = encodeDeviceId(def);
    this.guid = encodeGetSystemGuidResponse({ guid: parseGuid(def.guid) });
    if (def.fru) {
      this.fru = buildFru(def.fru);
      this.fruInfo = encodeGetFruInventoryAreaInfoResponse({ sizeBytes: this.fru.length, accessByWords: false });
    }
    this.chassis = { poweredOn: true, intrusion: false, powerFault: false, coolingFault: false, driveFault: false, ...def.chassis };
    this.rebuildChassis();
    this.dcmi = def.dcmi ?? false;
    this.rebuildDcmiCapabilities();
    this.registerCommands();
    this.handler = (req, ctx) => this.handle(req, ctx);
  }

  // ---- knobs -------------------------------------------------------------

  sensor(nameOrNumber: string | number): SimSensor {
    const s =
      typeof nameOrNumber === 'string' ? this.byName.get(nameOrNumber) : this.sensors.find((x) => x.number === nameOrNumber && x.owner === BMC_OWNER_ID);
    if (!s) throw new RangeError(`no sensor ${JSON.stringify(nameOrNumber)}`);
    return s;
  }

  /** Engineering value of an analog sensor; null = "reading unavailable". */
  setSensorValue(nameOrNumber: string | number, value: number | null): void {
    this.sensor(nameOrNumber).setValue(value);
  }

  setSensorStates(nameOrNumber: string | number, offsets: number[]): void {
    this.sensor(nameOrNumber).setStates(offsets);
  }

  /** false: described in the SDR, but Get Sensor Reading answers 0xCB. */
  setSensorPresent(nameOrNumber: string | number, present: boolean): void {
    this.sensor(nameOrNumber).present = present;
  }

  /** Returns the record ID, or -1 when the SEL is full (its overflow flag is then set). */
  addSelEvent(e: SelEntryDefinition): number {
    return this.sel.add(e);
  }

  clearSel(): void {
    this.sel.clear();
  }

  /** Runs the SEL generator up to `nowMs` (default: the model's clock); returns events added. */
  tick(nowMs: number = this.now()): number {
    return this.generator?.tick(nowMs) ?? 0;
  }

  setChassis(patch: Partial<Required<NonNullable<BmcDefinition['chassis']>>>): void {
    this.chassis = { ...this.chassis, ...patch };
    this.rebuildChassis();
  }

  /** Changes the DCMI power numbers (or DCMI support itself: false / 'ignore'). */
  setDcmiPower(patch: Partial<DcmiPowerDefinition['powerWatts']> | false | 'ignore'): void {
    if (patch === false || patch === 'ignore') this.dcmi = patch;
    else if (typeof this.dcmi === 'object') this.dcmi = { ...this.dcmi, powerWatts: { ...this.dcmi.powerWatts, ...patch } };
    else this.dcmi = { powerWatts: { current: 0, min: 0, max: 0, average: 0, ...patch } };
    this.rebuildDcmiCapabilities();
  }

  /** Chassis state as Get Chassis Status reports it (read by the Redfish view). */
  get chassisState(): Readonly<Required<NonNullable<BmcDefinition['chassis']>>> {
    return this.chassis;
  }

  /** The DCMI power reading, when the BMC has one (read by the Redfish view). */
  get dcmiPower(): DcmiPowerDefinition | undefined {
    return typeof this.dcmi === 'object' ? this.dcmi : undefined;
  }

  /** Cancels outstanding SDR reservations, as a repository change does (§33.11): readers then see 0xC5. */
  cancelSdrReservation(): void {
    this.sdr.cancelReservation();
  }

  /** Simulates an SDR update: new "most recent addition" timestamp, reservations cancelled. */
  touchSdrRepository(): void {
    this.sdr.touch(this.nowSeconds());
  }

  get sdrRepositoryInfo(): { recordCount: number; lastAddition: number } {
    return { recordCount: this.sdr.recordCount, lastAddition: this.sdr.lastAdditionSeconds };
  }

  /** Commands received, keyed both "0x0a:0x23" (request NetFn:cmd) and by name ("Get SDR"). */
  get commandCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.counts) {
      out[formatCommandKey(k)] = n;
      const name = this.commands.get(k)?.name;
      if (name) out[name] = (out[name] ?? 0) + n;
    }
    return out;
  }

  commandCount(netFn: number, cmd: number): number {
    return this.counts.get(commandKey(netFn, cmd)) ?? 0;
  }

  // ---- dispatch ------------------------------------------------------------

  private handle(req: CommandRequest, ctx: CommandContext): CommandResult | undefined {
    const k = commandKey(req.netFn, req.cmd);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    const entry = this.commands.get(k);
    if (entry === undefined) {
      // An unknown DCMI command on a BMC that ignores DCMI gets silence too.
      if (req.netFn === NETFN.groupExtension && this.dcmi === 'ignore') return undefined;
      return code(CC.invalidCommand);
    }
    if (ctx.privilege < entry.privilege) return code(CC.insufficientPrivilege);
    try {
      return entry.handle(req, ctx);
    } catch (err) {
      // A request too short for its fields: "request data length invalid".
      return code(err instanceof MalformedPacketError ? CC.requestLengthInvalid : CC.unspecified);
    }
  }

  private on(command: CommandId, privilege: number, handle: Handler): void {
    this.commands.set(keyOf(command), { name: command.name, privilege, handle });
  }

  /** Privileges per IPMI v2.0 Appendix G (DCMI v1.5 Table 6-1): reads at USER, SEL changes at OPERATOR. */
  private registerCommands(): void {
    const U = PRIVILEGE.user;
    const data = (d: Buffer): CommandResult => ({ completionCode: CC.ok, data: d });
    this.on(getDeviceId, U, () => data(this.deviceId));
    this.on(getSystemGuid, U, () => data(this.guid));
    this.on(getChassisStatus, U, () => data(this.chassisResponse));

    this.on(getSdrRepositoryInfo, U, () => data(this.sdr.info()));
    this.on(reserveSdrRepository, U, () => data(encodeReserveSdrRepositoryResponse({ reservationId: this.sdr.reserve() })));
    this.on(getSdr, U, (req) => {
      const r = decodeGetSdrRequest(req.data);
      return this.sdr.read(r.reservationId, r.recordId, r.offset, r.bytesToRead);
    });

    this.on(getSensorReading, U, (req) => {
      const s = this.bySensorKey.get(sensorKey(BMC_OWNER_ID, req.lun, decodeGetSensorReadingRequest(req.data).sensorNumber));
      if (!s || !s.present || s.kind === 'event-only') return code(CC.notPresent);
      return data(s.response);
    });
    this.on(getSensorReadingFactors, U, (req) => {
      const r = decodeGetSensorReadingFactorsRequest(req.data);
      const s = this.bySensorKey.get(sensorKey(BMC_OWNER_ID, req.lun, r.sensorNumber));
      if (!s || !s.linear) return code(CC.notPresent);
      const f = s.linear;
      // Linear sensors: the SDR's factors hold for every reading, so the "next reading" is the top of the range.
      return data(
        encodeGetSensorReadingFactorsResponse({
          nextReading: 0xff,
          m: f.m,
          b: f.b,
          bExp: f.bExp,
          rExp: f.rExp,
          tolerance: 0,
          accuracy: 0,
          accuracyExp: 0,
          direction: 0,
        }),
      );
    });

    this.on(getSelInfo, U, () => data(this.sel.info()));
    this.on(reserveSel, U, () => data(encodeReserveSelResponse({ reservationId: this.sel.reserve() })));
    this.on(getSelEntry, U, (req) => {
      const r = decodeGetSelEntryRequest(req.data);
      return this.sel.read(r.reservationId, r.recordId, r.offset, r.bytesToRead);
    });
    this.on(addSelEntry, PRIVILEGE.operator, (req) => {
      if (req.data.length !== SEL_RECORD_LENGTH) return code(CC.requestLengthInvalid);
      const id = this.sel.addRaw(req.data);
      return id < 0 ? code(CC.outOfSpace) : data(Buffer.from([id & 0xff, id >> 8]));
    });
    this.on(clearSel, PRIVILEGE.operator, (req) => {
      // §31.9 request: 1-2 reservation ID, 3-5 'C' 'L' 'R', 6 0xAA initiate / 0x00 get status.
      if (req.data.length !== 6) return code(CC.requestLengthInvalid);
      if (req.data[2] !== CLR[0] || req.data[3] !== CLR[1] || req.data[4] !== CLR[2]) return code(CC.invalidDataField);
      if (!this.sel.isReservationValid(req.data.readUInt16LE(0))) return code(CC.reservationCancelled);
      if (req.data[5] === CLEAR_INITIATE) this.sel.clear();
      else if (req.data[5] !== 0x00) return code(CC.invalidDataField);
      return data(ERASE_COMPLETED);
    });
    this.on(getSelTime, U, () => data(encodeGetSelTimeResponse({ seconds: this.nowSeconds() })));

    this.on(getFruInventoryAreaInfo, U, (req) => {
      const { fruId } = decodeGetFruInventoryAreaInfoRequest(req.data);
      return fruId === 0 && this.fruInfo ? data(this.fruInfo) : code(CC.notPresent);
    });
    this.on(readFruData, U, (req) => {
      const r = decodeReadFruDataRequest(req.data);
      const fru = this.fru;
      if (r.fruId !== 0 || !fru) return code(CC.notPresent);
      // §34.2 leaves reads past the end open; "parameter out of range" is what most BMCs answer.
      if (r.offset >= fru.length || r.count === 0) return code(CC.parameterOutOfRange);
      return data(encodeReadFruDataResponse({ data: fru.subarray(r.offset, Math.min(fru.length, r.offset + r.count)) }));
    });

    this.on(dcmiGetCapabilities, U, (req) => {
      if (this.dcmi === false) return code(CC.invalidCommand);
      if (this.dcmi === 'ignore') return undefined;
      if (req.data[0] !== DCMI_GROUP_EXTENSION_ID) return code(CC.invalidDataField);
      const rsp = this.dcmiCapabilities.get(decodeDcmiGetCapabilitiesRequest(req.data).parameter);
      return rsp ? data(rsp) : code(CC.invalidDataField);
    });
    this.on(dcmiGetPowerReading, U, (req) => {
      const d = this.dcmi;
      if (d === false || d === undefined) return code(CC.invalidCommand);
      if (d === 'ignore') return undefined;
      if (req.data[0] !== DCMI_GROUP_EXTENSION_ID) return code(CC.invalidDataField);
      const r = decodeDcmiGetPowerReadingRequest(req.data);
      // Mode 1 only: enhanced statistics (mode 2) need rolling-average periods this BMC does not advertise.
      if (r.mode !== DCMI_POWER_READING_MODES.systemPowerStatistics) return code(CC.invalidDataField);
      const p = d.powerWatts;
      return data(
        encodeDcmiGetPowerReadingResponse({
          currentWatts: p.current,
          minimumWatts: p.min,
          maximumWatts: p.max,
          averageWatts: p.average,
          timestamp: this.nowSeconds(),
          statisticsReportingPeriodSeconds: d.periodSeconds ?? DEFAULT_DCMI_PERIOD_S,
          powerMeasurementActive: true,
        }),
      );
    });
  }

  // ---- precomputed answers -------------------------------------------------

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000) >>> 0;
  }

  private rebuildChassis(): void {
    const c = this.chassis;
    this.chassisResponse = encodeGetChassisStatusResponse({
      poweredOn: c.poweredOn,
      powerOverload: false,
      interlock: false,
      powerFault: c.powerFault,
      powerControlFault: false,
      powerRestorePolicy: 'previous',
      lastPowerEvent: { acFailed: false, powerOverload: false, interlock: false, powerFault: false, powerOnByIpmi: false },
      intrusion: c.intrusion,
      frontPanelLockout: false,
      driveFault: c.driveFault,
      coolingFault: c.coolingFault,
      identifyState: 'off',
      frontPanelButtons: undefined,
    });
  }

  /**
   * DCMI v1.5 §6.1.1 parameters 1-5: supported capabilities (power
   * management when a power reading is configured), SEL attributes, the
   * power management controller address, LAN channel 1, no rolling averages.
   */
  private rebuildDcmiCapabilities(): void {
    this.dcmiCapabilities.clear();
    if (typeof this.dcmi !== 'object') return;
    const param = (p: number, d: Buffer) =>
      this.dcmiCapabilities.set(p, encodeDcmiGetCapabilitiesResponse({ dcmiVersion: '1.5', parameterRevision: DCMI_PARAMETER_REVISION, data: d }));
    param(
      DCMI_CAPABILITY_PARAMETERS.supportedCapabilities,
      encodeDcmiSupportedCapabilities({
        identification: false,
        selLogging: false,
        chassisPower: false,
        temperatureMonitor: false,
        powerManagement: true,
        inBandKcs: true,
        serialTmode: false,
        secondaryLan: false,
        primaryLan: true,
        sol: true,
        vlan: false,
      }),
    );
    // Table 6-4: [11:0] SEL entries, [15] flush on overflow; identification support; temperature sampling.
    const cap = Math.min(0xfff, this.sel.capacity);
    param(DCMI_CAPABILITY_PARAMETERS.mandatoryPlatformAttributes, Buffer.from([cap & 0xff, cap >> 8, 0x01, 0x00, 0x00]));
    // Table 6-5: power management device slave address 0x20 (the BMC), channel 0.
    param(DCMI_CAPABILITY_PARAMETERS.optionalPlatformAttributes, Buffer.from([BMC_OWNER_ID, 0x00]));
    // Table 6-6: primary LAN channel 1; no secondary LAN, no serial.
    param(DCMI_CAPABILITY_PARAMETERS.manageabilityAccessAttributes, Buffer.from([LAN_CHANNEL, 0xff, 0xff]));
    // Table 6-7: no rolling average periods.
    param(DCMI_CAPABILITY_PARAMETERS.enhancedSystemPowerStatistics, Buffer.from([0x00]));
  }
}

function sensorKey(owner: number, lun: number, number: number): number {
  return (owner << 16) | ((lun & 0x03) << 8) | (number & 0xff);
}

/** "2.47" -> major 2, BCD minor 0x47 (formatFirmware prints the BCD byte as two hex digits). */
function encodeDeviceId(def: BmcDefinition): Buffer {
  const [major = '0', minor = '0'] = def.device.firmware.split('.');
  const minorRaw = Number.parseInt(minor.padStart(2, '0').slice(0, 2), 16);
  if (!Number.isInteger(Number(major)) || Number.isNaN(minorRaw)) throw new RangeError(`firmware "${def.device.firmware}" is not "major.minor"`);
  return encodeGetDeviceIdResponse({
    deviceId: def.device.deviceId ?? 0x20,
    deviceRevision: def.device.deviceRevision ?? 1,
    providesSdrs: false,
    deviceAvailable: true,
    firmwareMajor: Number(major),
    firmwareMinor: 0,
    firmwareMinorRaw: minorRaw,
    ipmiVersion: def.protocol?.ipmi20 === false ? '1.5' : '2.0',
    support: {
      chassis: true,
      bridge: false,
      ipmbEventGenerator: false,
      ipmbEventReceiver: true,
      fruInventory: def.fru !== undefined,
      sel: true,
      sdrRepository: true,
      sensor: true,
    },
    manufacturerId: def.device.manufacturerId,
    productId: def.device.productId,
    auxFirmware: def.device.auxFirmware ? Buffer.from(def.device.auxFirmware) : undefined,
  });
}
