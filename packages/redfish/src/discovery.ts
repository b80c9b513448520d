import { link, memberPaths, obj, prop, str, type JsonObject } from './document.js';
import type { RedfishClient } from './client.js';
import { RedfishAbortedError, RedfishError, RedfishTimeoutError } from './errors.js';

/** Sensor and log URIs of one chassis, in whichever schema generation the BMC offers (possibly both). */
export interface ChassisStructure {
  path: string;
  id: string;
  name: string | undefined;
  chassisType: string | undefined;
  /** Legacy generation (Thermal.v1 / Power.v1, deprecated since Redfish 2020.4). */
  thermal: string | undefined;
  power: string | undefined;
  /** Current generation (ThermalSubsystem, PowerSubsystem, EnvironmentMetrics, Sensors). */
  thermalSubsystem: string | undefined;
  powerSubsystem: string | undefined;
  environmentMetrics: string | undefined;
  sensors: string | undefined;
  /** Sensor resources of the Sensors collection, listed once per session. */
  sensorPaths: string[];
}

export interface LogServiceStructure {
  path: string;
  id: string;
  /** Its Entries collection. */
  entries: string;
  /** 'manager', 'system' or 'chassis': who owns it. */
  owner: 'manager' | 'system' | 'chassis';
}

export interface RedfishStructure {
  /** Service root UUID (the system GUID on most BMCs). */
  uuid: string | undefined;
  redfishVersion: string | undefined;
  vendor: string | undefined;
  product: string | undefined;
  /** The root advertises $expand with Levels: a collection can be read with its members in one request. */
  expandLevels: boolean;
  chassis: ChassisStructure[];
  systems: Array<{ path: string; id: string }>;
  managers: Array<{ path: string; id: string; firmwareVersion: string | undefined; model: string | undefined; managerType: string | undefined }>;
  logServices: LogServiceStructure[];
  /** Parts of the structure that could not be listed (discovery went on without them). */
  problems: RedfishError[];
}

/** Most BMCs have one of each; a cap keeps a hostile collection from turning discovery into thousands of requests. */
const MAX_TOP_LEVEL = 16;
const MAX_LOG_SERVICES = 8;

/**
 * Walks the service root once: chassis (with both generations' links),
 * systems, managers and every log service under them. Costs about
 * 4 + chassis×2 + systems + managers×2 requests, paid once per session.
 */
export async function discoverStructure(client: RedfishClient, signal: AbortSignal): Promise<RedfishStructure> {
  const root = await client.serviceRoot(signal);
  const features = obj(obj(root, 'ProtocolFeaturesSupported'), 'ExpandQuery');
  const out: RedfishStructure = {
    uuid: str(root, 'UUID'),
    redfishVersion: str(root, 'RedfishVersion'),
    vendor: str(root, 'Vendor'),
    product: str(root, 'Product'),
    expandLevels: prop(features, 'Levels') === true && prop(features, 'NoLinks') === true,
    chassis: [],
    systems: [],
    managers: [],
    logServices: [],
    problems: [],
  };
  const logServiceLinks: Array<{ path: string; owner: LogServiceStructure['owner'] }> = [];

  for (const path of await members(client, link(root, 'Chassis'), signal, MAX_TOP_LEVEL)) {
    const c = await client.get(path, signal);
    const sensors = link(c, 'Sensors');
    out.chassis.push({
      path,
      id: str(c, 'Id') ?? path,
      name: str(c, 'Name'),
      chassisType: str(c, 'ChassisType'),
      thermal: link(c, 'Thermal'),
      power: link(c, 'Power'),
      thermalSubsystem: link(c, 'ThermalSubsystem'),
      powerSubsystem: link(c, 'PowerSubsystem'),
      environmentMetrics: link(c, 'EnvironmentMetrics'),
      sensors,
      sensorPaths: sensors ? await softMembers(client, sensors, signal, out.problems) : [],
    });
    const logs = link(c, 'LogServices');
    if (logs) logServiceLinks.push({ path: logs, owner: 'chassis' });
  }
  for (const path of await members(client, link(root, 'Systems'), signal, MAX_TOP_LEVEL)) {
    const s = await client.get(path, signal);
    out.systems.push({ path, id: str(s, 'Id') ?? path });
    const logs = link(s, 'LogServices');
    if (logs) logServiceLinks.push({ path: logs, owner: 'system' });
  }
  for (const path of await members(client, link(root, 'Managers'), signal, MAX_TOP_LEVEL)) {
    const m = await client.get(path, signal);
    out.managers.push({
      path,
      id: str(m, 'Id') ?? path,
      firmwareVersion: str(m, 'FirmwareVersion'),
      model: str(m, 'Model'),
      managerType: str(m, 'ManagerType'),
    });
    const logs = link(m, 'LogServices');
    if (logs) logServiceLinks.push({ path: logs, owner: 'manager' });
  }
  for (const { path, owner } of logServiceLinks) {
    for (const svcPath of await members(client, path, signal, MAX_LOG_SERVICES)) {
      if (out.logServices.length >= MAX_LOG_SERVICES * 2) break;
      const svc = await client.get(svcPath, signal);
      const entries = link(svc, 'Entries');
      if (entries) out.logServices.push({ path: svcPath, id: str(svc, 'Id') ?? svcPath, entries, owner });
    }
  }
  return out;
}

/**
 * The Sensors listing may be absurd (a hostile or broken BMC listing 50,000
 * sensors past the body cap): that costs the per-sensor fallback, not the
 * whole structure. readChassis still reads the collection expanded where
 * the service supports $expand.
 */
async function softMembers(client: RedfishClient, path: string, signal: AbortSignal, problems: RedfishError[]): Promise<string[]> {
  try {
    return await members(client, path, signal, client.maxMembers);
  } catch (err) {
    if (err instanceof RedfishTimeoutError || err instanceof RedfishAbortedError || !(err instanceof RedfishError)) throw err;
    problems.push(err);
    return [];
  }
}

async function members(client: RedfishClient, path: string | undefined, signal: AbortSignal, max: number): Promise<string[]> {
  if (!path) return [];
  const coll: JsonObject = await client.get(path, signal);
  return memberPaths(coll, max);
}
