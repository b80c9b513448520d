import { convertReading, decodeSelRecord, describeEvent, SENSOR_TYPES } from '@bmc-exporter/ipmi';
import type { BmcModel } from '../model/bmc-model.js';
import { entityCode } from '../model/names.js';
import type { SimSensor } from '../model/sensors.js';

/**
 * The Redfish documents of one simulated BMC, built on every request from
 * the same BmcModel the IPMI side answers from: a reading changed through
 * the model reads the same over both protocols. Numbers go through the
 * sensor's IPMI conversion, so Redfish reports exactly the quantised value
 * an IPMI client computes from the raw byte.
 *
 * Layout: chassis "1", system "1", manager "bmc", log service "SEL".
 * Property names follow the DMTF schemas: Thermal.v1_7 / Power.v1_7 (the
 * legacy generation) and Sensor.v1_x, ThermalSubsystem, PowerSubsystem,
 * PowerSupply(Metrics), EnvironmentMetrics (the current one).
 */

export type SchemaGeneration = 'legacy' | 'subsystems' | 'both';
export type Doc = Record<string, unknown>;

export const ROOT = '/redfish/v1';
const CHASSIS = `${ROOT}/Chassis/1`;
const SYSTEM = `${ROOT}/Systems/1`;
const MANAGER = `${ROOT}/Managers/bmc`;
const SEL_SERVICE = `${MANAGER}/LogServices/SEL`;
const TOTAL_POWER_SENSOR = 'TotalPower';

/** IPMI sensor type (Table 42-3) -> Sensor.ReadingType and its UCUM unit. */
const READING_TYPES: Readonly<Record<number, { type: string; units: string }>> = {
  0x01: { type: 'Temperature', units: 'Cel' },
  0x02: { type: 'Voltage', units: 'V' },
  0x03: { type: 'Current', units: 'A' },
  0x04: { type: 'Rotational', units: 'RPM' },
};
const OTHER_UNITS = 0x0b;
const PSU_STATUS_TYPE = 0x08;

/** Entity (Table 43-13) -> PhysicalContext. */
const CONTEXTS: ReadonlyArray<[number, string]> = [
  [0x03, 'CPU'],
  [0x37, 'Intake'],
  [0x1d, 'Fan'],
  [0x0a, 'PowerSupply'],
  [0x08, 'Memory'],
  [0x20, 'Memory'],
  [0x07, 'SystemBoard'],
];

const odata = (id: string, type: string, rest: Doc): Doc => ({ '@odata.id': id, '@odata.type': type, ...rest });
const ref = (id: string) => ({ '@odata.id': id });
const collection = (id: string, type: string, name: string, members: string[]): Doc =>
  odata(id, `#${type}.${type}`, { Name: name, 'Members@odata.count': members.length, Members: members.map(ref) });

export function sensorId(s: SimSensor): string {
  return s.name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

function context(s: SimSensor): string {
  if (/exhaust/i.test(s.name)) return 'Exhaust';
  const e = entityCode(s.def.entity.id);
  return CONTEXTS.find(([code]) => code === e)?.[1] ?? 'SystemBoard';
}

function value(s: SimSensor, raw: number | null | undefined): number | null {
  const f = s.linear;
  if (!f || raw === null || raw === undefined || !s.present) return null;
  // The IPMI client's own conversion of the same raw byte: both protocols report one number.
  return convertReading(raw, { analogFormat: f.signed ? 'twos-complement' : 'unsigned', m: f.m, b: f.b, bExp: f.bExp, rExp: f.rExp, linearization: 0 });
}

function health(s: SimSensor): { State: string; Health: string } {
  if (!s.present) return { State: 'Absent', Health: 'OK' };
  const v = value(s, s.rawReading);
  const t = s.rawThresholds;
  const at = (k: keyof typeof t, upper: boolean) => {
    const lim = value(s, t[k]);
    return v !== null && lim !== null && (upper ? v >= lim : v <= lim);
  };
  const critical = at('ucr', true) || at('unr', true) || at('lcr', false) || at('lnr', false);
  const warning = at('unc', true) || at('lnc', false);
  return { State: 'Enabled', Health: critical ? 'Critical' : warning ? 'Warning' : 'OK' };
}

/** FRU fields may be text or raw bytes; only text reaches Redfish. */
function fieldText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

interface PsuGroup {
  instance: number;
  watts: SimSensor | undefined;
  status: SimSensor | undefined;
}

export class RedfishView {
  constructor(
    private readonly model: () => BmcModel,
    private readonly generation: SchemaGeneration,
    private readonly opts: { sessionService: boolean; expand: boolean; extraLogEntries: () => number },
  ) {}

  private get m(): BmcModel {
    return this.model();
  }

  private get legacy(): boolean {
    return this.generation !== 'subsystems';
  }

  private get subsystems(): boolean {
    return this.generation !== 'legacy';
  }

  serviceRoot(): Doc {
    const def = this.m.definition;
    return odata(`${ROOT}/`, '#ServiceRoot.v1_15_0.ServiceRoot', {
      Id: 'RootService',
      Name: 'Root Service',
      RedfishVersion: '1.17.0',
      UUID: def.guid,
      Vendor: 'bmc-sim',
      Product: 'Simulated BMC',
      ProtocolFeaturesSupported: { ExpandQuery: { Levels: this.opts.expand, MaxLevels: 1, NoLinks: this.opts.expand, ExpandAll: false, Links: false } },
      Chassis: ref(`${ROOT}/Chassis`),
      Systems: ref(`${ROOT}/Systems`),
      Managers: ref(`${ROOT}/Managers`),
      ...(this.opts.sessionService
        ? { SessionService: ref(`${ROOT}/SessionService`), Links: { Sessions: ref(`${ROOT}/SessionService/Sessions`) } }
        : { Links: {} }),
    });
  }

  /** GET of a path that does not depend on the session; undefined = 404. */
  document(path: string): Doc | undefined {
    const p = path.replace(/\/$/, '');
    switch (p) {
      case `${ROOT}/Chassis`:
        return collection(p, 'ChassisCollection', 'Chassis Collection', [CHASSIS]);
      case CHASSIS:
        return this.chassis();
      case `${ROOT}/Systems`:
        return collection(p, 'ComputerSystemCollection', 'Computer System Collection', [SYSTEM]);
      case SYSTEM:
        return this.system();
      case `${ROOT}/Managers`:
        return collection(p, 'ManagerCollection', 'Manager Collection', [MANAGER]);
      case MANAGER:
        return this.manager();
      case `${MANAGER}/LogServices`:
        return collection(p, 'LogServiceCollection', 'Log Service Collection', [SEL_SERVICE]);
      case SEL_SERVICE:
        return odata(p, '#LogService.v1_3_0.LogService', {
          Id: 'SEL',
          Name: 'IPMI SEL',
          LogEntryType: 'SEL',
          OverWritePolicy: 'NeverOverWrites',
          MaxNumberOfRecords: this.m.sel.capacity + this.opts.extraLogEntries(),
          Entries: ref(`${p}/Entries`),
        });
    }
    if (this.legacy && p === `${CHASSIS}/Thermal`) return this.thermal();
    if (this.legacy && p === `${CHASSIS}/Power`) return this.power();
    if (this.subsystems) return this.subsystemDocument(p);
    return undefined;
  }

  private chassis(): Doc {
    const c = this.m.chassisState;
    const fault = c.powerFault || c.coolingFault || c.driveFault;
    return odata(CHASSIS, '#Chassis.v1_22_0.Chassis', {
      Id: '1',
      Name: 'Chassis',
      ChassisType: 'RackMount',
      PowerState: c.poweredOn ? 'On' : 'Off',
      PhysicalSecurity: { IntrusionSensor: c.intrusion ? 'HardwareIntrusion' : 'Normal' },
      Status: { State: 'Enabled', Health: fault ? 'Critical' : 'OK', HealthRollup: fault ? 'Critical' : 'OK' },
      ...(this.legacy ? { Thermal: ref(`${CHASSIS}/Thermal`), Power: ref(`${CHASSIS}/Power`) } : {}),
      ...(this.subsystems
        ? {
            ThermalSubsystem: ref(`${CHASSIS}/ThermalSubsystem`),
            PowerSubsystem: ref(`${CHASSIS}/PowerSubsystem`),
            EnvironmentMetrics: ref(`${CHASSIS}/EnvironmentMetrics`),
            Sensors: ref(`${CHASSIS}/Sensors`),
          }
        : {}),
      Links: { ComputerSystems: [ref(SYSTEM)], ManagedBy: [ref(MANAGER)] },
    });
  }

  private system(): Doc {
    const def = this.m.definition;
    return odata(SYSTEM, '#ComputerSystem.v1_20_0.ComputerSystem', {
      Id: '1',
      Name: 'System',
      SystemType: 'Physical',
      UUID: def.guid,
      Manufacturer: fieldText(def.fru?.product?.manufacturer) ?? 'bmc-sim',
      Model: fieldText(def.fru?.product?.productName) ?? 'Simulated Server',
      SerialNumber: fieldText(def.fru?.product?.serialNumber) ?? '',
      PowerState: this.m.chassisState.poweredOn ? 'On' : 'Off',
      Status: { State: 'Enabled', Health: 'OK' },
      Boot: { BootSourceOverrideEnabled: 'Disabled', BootSourceOverrideTarget: 'None' },
      Links: { Chassis: [ref(CHASSIS)], ManagedBy: [ref(MANAGER)] },
      // Listed because clients (sushy) require the property; POSTing it answers 405: the simulator is read-only.
      Actions: { '#ComputerSystem.Reset': { target: `${SYSTEM}/Actions/ComputerSystem.Reset`, 'ResetType@Redfish.AllowableValues': ['On', 'ForceOff'] } },
    });
  }

  private manager(): Doc {
    const def = this.m.definition;
    return odata(MANAGER, '#Manager.v1_17_0.Manager', {
      Id: 'bmc',
      Name: 'Manager',
      ManagerType: 'BMC',
      UUID: def.guid,
      FirmwareVersion: def.device.firmware,
      Model: 'bmc-sim',
      Status: { State: 'Enabled', Health: 'OK' },
      LogServices: ref(`${MANAGER}/LogServices`),
      Actions: { '#Manager.Reset': { target: `${MANAGER}/Actions/Manager.Reset`, 'ResetType@Redfish.AllowableValues': ['GracefulRestart'] } },
    });
  }

  private of(types: number[]): SimSensor[] {
    return this.m.sensors.filter((s) => s.kind === 'full' && types.includes(s.sensorType));
  }

  private powerSensors(): SimSensor[] {
    return this.m.sensors.filter((s) => s.kind === 'full' && s.sensorType === OTHER_UNITS && s.def.unit === 'watts');
  }

  private legacyThresholds(s: SimSensor): Doc {
    const t = s.rawThresholds;
    const out: Doc = {};
    const put = (k: string, raw: number | undefined) => {
      if (raw !== undefined) out[k] = value(s, raw);
    };
    put('UpperThresholdNonCritical', t.unc);
    put('UpperThresholdCritical', t.ucr);
    put('UpperThresholdFatal', t.unr);
    put('LowerThresholdNonCritical', t.lnc);
    put('LowerThresholdCritical', t.lcr);
    put('LowerThresholdFatal', t.lnr);
    return out;
  }

  private thermal(): Doc {
    const p = `${CHASSIS}/Thermal`;
    const temps = this.of([0x01]).map((s, i) =>
      odata(`${p}#/Temperatures/${i}`, '#Thermal.v1_7_0.Temperature', {
        MemberId: sensorId(s),
        Name: s.name,
        SensorNumber: s.number,
        ReadingCelsius: value(s, s.rawReading),
        PhysicalContext: context(s),
        Status: health(s),
        ...this.legacyThresholds(s),
      }),
    );
    const fans = this.of([0x04]).map((s, i) =>
      odata(`${p}#/Fans/${i}`, '#Thermal.v1_7_0.Fan', {
        MemberId: sensorId(s),
        Name: s.name,
        SensorNumber: s.number,
        Reading: value(s, s.rawReading),
        ReadingUnits: 'RPM',
        PhysicalContext: 'Fan',
        Status: health(s),
        ...this.legacyThresholds(s),
      }),
    );
    return odata(p, '#Thermal.v1_7_0.Thermal', {
      Id: 'Thermal',
      Name: 'Thermal',
      Status: { State: 'Enabled', Health: this.m.chassisState.coolingFault ? 'Critical' : 'OK' },
      Temperatures: temps,
      Fans: fans,
    });
  }

  private psus(): PsuGroup[] {
    const groups = new Map<number, PsuGroup>();
    const group = (instance: number) => {
      let g = groups.get(instance);
      if (!g) groups.set(instance, (g = { instance, watts: undefined, status: undefined }));
      return g;
    };
    for (const s of this.m.sensors) {
      if (entityCode(s.def.entity.id) !== 0x0a) continue;
      if (s.sensorType === PSU_STATUS_TYPE) group(s.def.entity.instance).status = s;
      else if (s.kind === 'full' && s.def.unit === 'watts') group(s.def.entity.instance).watts = s;
    }
    return [...groups.values()].sort((a, b) => a.instance - b.instance);
  }

  /** Power supply sensor-specific offsets (Table 42-3, type 0x08): 0 presence, 1 failure, 2 predictive failure, 3 input lost. */
  private psuStatus(g: PsuGroup): { State: string; Health: string } {
    if (!g.status) return { State: 'Enabled', Health: 'OK' };
    const bits = g.status.response[2] ?? 0;
    const present = (bits & 0x01) !== 0;
    const health = bits & 0x0a ? 'Critical' : bits & 0x04 ? 'Warning' : 'OK';
    return { State: present ? 'Enabled' : 'Absent', Health: health };
  }

  private power(): Doc {
    const p = `${CHASSIS}/Power`;
    const dcmi = this.m.dcmiPower;
    const voltages = this.of([0x02]).map((s, i) =>
      odata(`${p}#/Voltages/${i}`, '#Power.v1_7_0.Voltage', {
        MemberId: sensorId(s),
        Name: s.name,
        SensorNumber: s.number,
        ReadingVolts: value(s, s.rawReading),
        PhysicalContext: context(s),
        Status: health(s),
        ...this.legacyThresholds(s),
      }),
    );
    const supplies = this.psus().map((g, i) =>
      odata(`${p}#/PowerSupplies/${i}`, '#Power.v1_7_0.PowerSupply', {
        MemberId: String(g.instance),
        Name: `PSU${g.instance}`,
        PowerInputWatts: g.watts ? value(g.watts, g.watts.rawReading) : null,
        Status: this.psuStatus(g),
      }),
    );
    const control = dcmi
      ? [
          odata(`${p}#/PowerControl/0`, '#Power.v1_7_0.PowerControl', {
            MemberId: '0',
            Name: 'System Power Control',
            PowerConsumedWatts: dcmi.powerWatts.current,
            PowerMetrics: {
              IntervalInMin: Math.max(1, Math.round((dcmi.periodSeconds ?? 60) / 60)),
              MinConsumedWatts: dcmi.powerWatts.min,
              MaxConsumedWatts: dcmi.powerWatts.max,
              AverageConsumedWatts: dcmi.powerWatts.average,
            },
          }),
        ]
      : [];
    return odata(p, '#Power.v1_7_0.Power', {
      Id: 'Power',
      Name: 'Power',
      Status: { State: 'Enabled', Health: this.m.chassisState.powerFault ? 'Critical' : 'OK' },
      PowerControl: control,
      Voltages: voltages,
      PowerSupplies: supplies,
    });
  }

  // ---- current generation ---------------------------------------------------

  private sensorsOfNewGeneration(): SimSensor[] {
    return this.m.sensors.filter((s) => s.kind === 'full' && (READING_TYPES[s.sensorType] !== undefined || (s.sensorType === OTHER_UNITS && s.def.unit === 'watts')));
  }

  sensorDocument(s: SimSensor): Doc {
    const rt = READING_TYPES[s.sensorType] ?? { type: 'Power', units: 'W' };
    const t = s.rawThresholds;
    const th: Doc = {};
    const put = (k: string, raw: number | undefined) => {
      if (raw !== undefined) th[k] = { Reading: value(s, raw) };
    };
    put('UpperCaution', t.unc);
    put('UpperCritical', t.ucr);
    put('UpperFatal', t.unr);
    put('LowerCaution', t.lnc);
    put('LowerCritical', t.lcr);
    put('LowerFatal', t.lnr);
    const id = sensorId(s);
    return odata(`${CHASSIS}/Sensors/${id}`, '#Sensor.v1_9_0.Sensor', {
      Id: id,
      Name: s.name,
      Reading: value(s, s.rawReading),
      ReadingType: rt.type,
      ReadingUnits: rt.units,
      PhysicalContext: context(s),
      Status: health(s),
      Thresholds: th,
    });
  }

  private totalPowerSensor(): Doc | undefined {
    const d = this.m.dcmiPower;
    if (!d) return undefined;
    return odata(`${CHASSIS}/Sensors/${TOTAL_POWER_SENSOR}`, '#Sensor.v1_9_0.Sensor', {
      Id: TOTAL_POWER_SENSOR,
      Name: 'Total Power',
      Reading: d.powerWatts.current,
      ReadingType: 'Power',
      ReadingUnits: 'W',
      PhysicalContext: 'Chassis',
      PeakReading: d.powerWatts.max,
      LowestReading: d.powerWatts.min,
      AverageReading: d.powerWatts.average,
      AveragingInterval: `PT${d.periodSeconds ?? 60}S`,
      Status: { State: 'Enabled', Health: 'OK' },
    });
  }

  sensorMembers(): Doc[] {
    const docs = this.sensorsOfNewGeneration().map((s) => this.sensorDocument(s));
    const total = this.totalPowerSensor();
    if (total) docs.push(total);
    return docs;
  }

  private subsystemDocument(p: string): Doc | undefined {
    const sensors = `${CHASSIS}/Sensors`;
    if (p === sensors) return collection(p, 'SensorCollection', 'Sensors', this.sensorMembers().map((d) => d['@odata.id'] as string));
    if (p.startsWith(`${sensors}/`)) {
      const id = p.slice(sensors.length + 1);
      if (id === TOTAL_POWER_SENSOR) return this.totalPowerSensor();
      const s = this.sensorsOfNewGeneration().find((x) => sensorId(x) === id);
      return s ? this.sensorDocument(s) : undefined;
    }
    const c = this.m.chassisState;
    const ts = `${CHASSIS}/ThermalSubsystem`;
    if (p === ts) {
      return odata(p, '#ThermalSubsystem.v1_3_0.ThermalSubsystem', {
        Id: 'ThermalSubsystem',
        Name: 'Thermal Subsystem',
        Status: { State: 'Enabled', Health: c.coolingFault ? 'Critical' : 'OK' },
        ThermalMetrics: ref(`${ts}/ThermalMetrics`),
      });
    }
    if (p === `${ts}/ThermalMetrics`) {
      const temps = this.of([0x01]);
      const summary = (ctx: string) => {
        const s = temps.find((x) => context(x) === ctx);
        return s ? { Reading: value(s, s.rawReading), DataSourceUri: `${sensors}/${sensorId(s)}` } : undefined;
      };
      return odata(p, '#ThermalMetrics.v1_3_0.ThermalMetrics', {
        Id: 'ThermalMetrics',
        Name: 'Thermal Metrics',
        TemperatureSummaryCelsius: { Intake: summary('Intake'), Exhaust: summary('Exhaust') },
        TemperatureReadingsCelsius: temps.map((s) => ({ DataSourceUri: `${sensors}/${sensorId(s)}`, DeviceName: s.name, Reading: value(s, s.rawReading) })),
      });
    }
    const ps = `${CHASSIS}/PowerSubsystem`;
    if (p === ps) {
      return odata(p, '#PowerSubsystem.v1_1_0.PowerSubsystem', {
        Id: 'PowerSubsystem',
        Name: 'Power Subsystem',
        Status: { State: 'Enabled', Health: c.powerFault ? 'Critical' : 'OK' },
        PowerSupplies: ref(`${ps}/PowerSupplies`),
      });
    }
    const supplies = `${ps}/PowerSupplies`;
    if (p === supplies) {
      return collection(p, 'PowerSupplyCollection', 'Power Supplies', this.psus().map((g) => `${supplies}/${g.instance}`));
    }
    const m = /^(\d+)(\/Metrics)?$/.exec(p.startsWith(`${supplies}/`) ? p.slice(supplies.length + 1) : '');
    if (m) {
      const g = this.psus().find((x) => x.instance === Number(m[1]));
      if (!g) return undefined;
      const base = `${supplies}/${g.instance}`;
      if (m[2]) {
        return odata(`${base}/Metrics`, '#PowerSupplyMetrics.v1_1_0.PowerSupplyMetrics', {
          Id: 'Metrics',
          Name: `PSU${g.instance} Metrics`,
          InputPowerWatts: { Reading: g.watts ? value(g.watts, g.watts.rawReading) : null, ...(g.watts ? { DataSourceUri: `${sensors}/${sensorId(g.watts)}` } : {}) },
        });
      }
      return odata(base, '#PowerSupply.v1_5_0.PowerSupply', {
        Id: String(g.instance),
        Name: `PSU${g.instance}`,
        Status: this.psuStatus(g),
        Metrics: ref(`${base}/Metrics`),
      });
    }
    if (p === `${CHASSIS}/EnvironmentMetrics`) {
      const d = this.m.dcmiPower;
      return odata(p, '#EnvironmentMetrics.v1_3_0.EnvironmentMetrics', {
        Id: 'EnvironmentMetrics',
        Name: 'Chassis Environment Metrics',
        ...(d ? { PowerWatts: { Reading: d.powerWatts.current, DataSourceUri: `${sensors}/${TOTAL_POWER_SENSOR}` } } : {}),
      });
    }
    return undefined;
  }

  // ---- log service ------------------------------------------------------------

  get logEntriesPath(): string {
    return `${SEL_SERVICE}/Entries`;
  }

  logEntryCount(): number {
    return this.m.sel.count + this.opts.extraLogEntries();
  }

  /**
   * Entries [skip, skip+top), oldest first: the synthetic entries of the
   * huge-log fault (dated from 2025-01-01), then the SEL records, so an event
   * added to the model is always the newest entry.
   */
  logEntries(skip: number, top: number): Doc[] {
    const out: Doc[] = [];
    const extra = this.opts.extraLogEntries();
    const total = this.logEntryCount();
    for (let i = skip; i < Math.min(total, skip + top); i++) out.push(i < extra ? this.syntheticEntry(i + 1) : this.selEntry(i - extra + 1));
    return out;
  }

  logEntry(id: string): Doc | undefined {
    const n = Number(id);
    if (/^\d+$/.test(id) && n >= 1 && n <= this.m.sel.count) return this.selEntry(n);
    const s = /^E(\d+)$/.exec(id);
    if (s && Number(s[1]) >= 1 && Number(s[1]) <= this.opts.extraLogEntries()) return this.syntheticEntry(Number(s[1]));
    return undefined;
  }

  private selEntry(recordId: number): Doc {
    const read = this.m.sel.read(0, recordId, 0, 0xff);
    const rec = decodeSelRecord(read.data!.subarray(2));
    const id = String(recordId);
    const base = { Id: id, Name: `SEL Entry ${id}`, EntryType: 'SEL' };
    if (rec.kind !== 'system-event') return odata(`${this.logEntriesPath}/${id}`, '#LogEntry.v1_15_0.LogEntry', { ...base, Severity: 'OK', Message: 'OEM record' });
    const d = describeEvent(rec);
    return odata(`${this.logEntriesPath}/${id}`, '#LogEntry.v1_15_0.LogEntry', {
      ...base,
      Created: new Date(rec.timestamp * 1000).toISOString().replace('.000Z', '+00:00'),
      Severity: d.severity === 'critical' ? 'Critical' : d.severity === 'warning' ? 'Warning' : 'OK',
      Message: d.description,
      SensorType: (SENSOR_TYPES as Record<number, string>)[rec.sensorType] ?? 'OEM',
      SensorNumber: rec.sensorNumber,
      EntryCode: rec.eventDirection === 'assertion' ? 'Assert' : 'Deassert',
    });
  }

  private syntheticEntry(n: number): Doc {
    const id = `E${n}`;
    return odata(`${this.logEntriesPath}/${id}`, '#LogEntry.v1_15_0.LogEntry', {
      Id: id,
      Name: `Log Entry ${id}`,
      EntryType: 'Event',
      Created: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString().replace('.000Z', '+00:00'),
      Severity: 'OK',
      MessageId: 'ResourceEvent.1.0.ResourceCreated',
      Message: `Synthetic event ${n}`,
    });
  }
}
