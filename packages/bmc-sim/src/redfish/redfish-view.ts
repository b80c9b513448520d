import type { BmcModel } from '../model/bmc-model.js';
import type { SimSensor } from '../model/sensors.js';
import { chassisDocument, powerDocument, thermalDocument } from './view-chassis.js';
import { CHASSIS, collection, MANAGER, odata, ref, ROOT, SEL_SERVICE, SYSTEM, type Doc, type SchemaGeneration } from './view-common.js';
import { LOG_ENTRIES, logEntries, logEntry, logEntryCount, logServiceDocument } from './view-logs.js';
import { sensorDocument, sensorMembers, subsystemDocument } from './view-subsystems.js';

export { ROOT, sensorId, type Doc, type SchemaGeneration } from './view-common.js';

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
 *
 * This file holds the service root, the collections, the system and the
 * manager, and routes a path to its document; view-chassis.ts has the
 * chassis and the legacy Thermal/Power documents, view-subsystems.ts the
 * current generation's, view-logs.ts the log service and its entries, and
 * view-common.ts what they share.
 */

/** FRU fields may be text or raw bytes; only text reaches Redfish. */
function fieldText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
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
        return chassisDocument(this.m, { legacy: this.legacy, subsystems: this.subsystems });
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
        return logServiceDocument(this.m, this.opts.extraLogEntries());
    }
    if (this.legacy && p === `${CHASSIS}/Thermal`) return thermalDocument(this.m);
    if (this.legacy && p === `${CHASSIS}/Power`) return powerDocument(this.m);
    if (this.subsystems) return subsystemDocument(this.m, p);
    return undefined;
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

  // ---- current generation: sensors (the server expands the collection) ------

  sensorDocument(s: SimSensor): Doc {
    return sensorDocument(s);
  }

  sensorMembers(): Doc[] {
    return sensorMembers(this.m);
  }

  // ---- log service ------------------------------------------------------------

  get logEntriesPath(): string {
    return LOG_ENTRIES;
  }

  logEntryCount(): number {
    return logEntryCount(this.m, this.opts.extraLogEntries());
  }

  /** Entries [skip, skip+top), oldest first (see view-logs.ts). */
  logEntries(skip: number, top: number): Doc[] {
    return logEntries(this.m, this.opts.extraLogEntries(), skip, top);
  }

  logEntry(id: string): Doc | undefined {
    return logEntry(this.m, this.opts.extraLogEntries(), id);
  }
}
