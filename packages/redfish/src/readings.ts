import type { RedfishClient } from './client.js';
import type { ChassisStructure } from './discovery.js';
import { arr, link, memberPaths, num, obj, prop, status, str, type JsonObject, type ResourceStatus } from './document.js';
import { RedfishAbortedError, RedfishError, RedfishTimeoutError } from './errors.js';

/**
 * One chassis' readings, the same shape from either schema generation:
 * legacy Thermal/Power (arrays inside two documents) or the current
 * Sensors / PowerSubsystem / EnvironmentMetrics resources.
 */

export type SensorKind = 'temperature' | 'fan' | 'voltage' | 'power' | 'current' | 'other';

/** Redfish threshold names (Sensor.v1 Thresholds); the legacy NonCritical/Critical/Fatal map onto Caution/Critical/Fatal. */
export interface Thresholds {
  lowerCaution?: number;
  lowerCritical?: number;
  lowerFatal?: number;
  upperCaution?: number;
  upperCritical?: number;
  upperFatal?: number;
}

export interface SensorReading {
  kind: SensorKind;
  /** MemberId (legacy) or the Sensor's Id. */
  id: string;
  name: string;
  /** null: the BMC says the reading is unavailable. */
  reading: number | null;
  /** UCUM units as Redfish writes them: 'Cel', 'RPM', '%', 'V', 'W', 'A'. */
  units: string;
  /** 'CPU', 'Intake', 'Exhaust', 'SystemBoard', 'PowerSupply', 'Fan', ... */
  physicalContext: string | undefined;
  thresholds: Thresholds;
  status: ResourceStatus;
}

export interface PowerSupplyReading {
  id: string;
  name: string;
  inputWatts: number | null | undefined;
  outputWatts: number | null | undefined;
  capacityWatts: number | null | undefined;
  status: ResourceStatus;
}

/** Chassis power: the current draw and, where the BMC keeps them, min/max/average over an interval. */
export interface PowerSummary {
  consumedWatts: number | null | undefined;
  capacityWatts: number | null | undefined;
  minWatts: number | undefined;
  maxWatts: number | undefined;
  averageWatts: number | undefined;
  intervalSeconds: number | undefined;
}

export interface ChassisReadings {
  path: string;
  generation: 'legacy' | 'subsystems';
  powerState: string | undefined;
  /** PhysicalSecurity.IntrusionSensor: 'Normal', 'HardwareIntrusion', 'TamperingDetected'. */
  intrusion: string | undefined;
  status: ResourceStatus;
  thermalStatus: ResourceStatus | undefined;
  powerStatus: ResourceStatus | undefined;
  sensors: SensorReading[];
  powerSupplies: PowerSupplyReading[];
  power: PowerSummary | undefined;
  /** Parts that could not be read; the rest is still returned (a partial scrape). */
  errors: RedfishError[];
}

export type Generation = 'auto' | 'legacy' | 'subsystems';

const MAX_ARRAY = 256;

export async function readChassis(client: RedfishClient, c: ChassisStructure, signal: AbortSignal, generation: Generation = 'auto'): Promise<ChassisReadings> {
  const doc = await client.get(c.path, signal);
  const useSubsystems = generation === 'subsystems' || (generation === 'auto' && (c.sensors !== undefined || c.powerSubsystem !== undefined));
  const out: ChassisReadings = {
    path: c.path,
    generation: useSubsystems ? 'subsystems' : 'legacy',
    powerState: str(doc, 'PowerState'),
    intrusion: str(obj(doc, 'PhysicalSecurity'), 'IntrusionSensor'),
    status: status(doc),
    thermalStatus: undefined,
    powerStatus: undefined,
    sensors: [],
    powerSupplies: [],
    power: undefined,
    errors: [],
  };
  const part = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      // The deadline ends the whole read; anything else costs only this part.
      if (err instanceof RedfishTimeoutError || err instanceof RedfishAbortedError || !(err instanceof RedfishError)) throw err;
      out.errors.push(err);
    }
  };
  if (useSubsystems) {
    await part(() => readSensors(client, c, signal, out));
    if (c.thermalSubsystem) await part(async () => void (out.thermalStatus = status(await client.get(c.thermalSubsystem!, signal))));
    if (c.powerSubsystem) await part(() => readPowerSubsystem(client, c.powerSubsystem!, signal, out));
    if (c.environmentMetrics) await part(() => readEnvironment(client, c.environmentMetrics!, signal, out));
  } else {
    if (c.thermal) await part(async () => readThermal(await client.get(c.thermal!, signal), out));
    if (c.power) await part(async () => readPower(await client.get(c.power!, signal), out));
  }
  return out;
}

// ---- legacy generation: Thermal.v1_x, Power.v1_x ---------------------------

function legacyThresholds(o: JsonObject): Thresholds {
  return defined({
    lowerCaution: finite(num(o, 'LowerThresholdNonCritical')),
    lowerCritical: finite(num(o, 'LowerThresholdCritical')),
    lowerFatal: finite(num(o, 'LowerThresholdFatal')),
    upperCaution: finite(num(o, 'UpperThresholdNonCritical')),
    upperCritical: finite(num(o, 'UpperThresholdCritical')),
    upperFatal: finite(num(o, 'UpperThresholdFatal')),
  });
}

function readThermal(doc: JsonObject, out: ChassisReadings): void {
  out.thermalStatus = status(doc);
  for (const t of arr(doc, 'Temperatures', MAX_ARRAY)) {
    out.sensors.push(legacySensor(t, 'temperature', 'ReadingCelsius', 'Cel'));
  }
  for (const f of arr(doc, 'Fans', MAX_ARRAY)) {
    const units = str(f, 'ReadingUnits') === 'Percent' ? '%' : 'RPM';
    out.sensors.push({ ...legacySensor(f, 'fan', 'Reading', units), name: str(f, 'Name') ?? str(f, 'FanName') ?? '' });
  }
}

function readPower(doc: JsonObject, out: ChassisReadings): void {
  out.powerStatus = status(doc);
  for (const v of arr(doc, 'Voltages', MAX_ARRAY)) out.sensors.push(legacySensor(v, 'voltage', 'ReadingVolts', 'V'));
  for (const p of arr(doc, 'PowerSupplies', MAX_ARRAY)) {
    out.powerSupplies.push({
      id: str(p, 'MemberId') ?? '',
      name: str(p, 'Name') ?? '',
      inputWatts: num(p, 'PowerInputWatts'),
      outputWatts: num(p, 'PowerOutputWatts') ?? num(p, 'LastPowerOutputWatts'),
      capacityWatts: num(p, 'PowerCapacityWatts'),
      status: status(p),
    });
  }
  const control = arr(doc, 'PowerControl', MAX_ARRAY)[0];
  if (control) {
    const metrics = obj(control, 'PowerMetrics');
    const interval = finite(num(metrics, 'IntervalInMin'));
    out.power = {
      consumedWatts: num(control, 'PowerConsumedWatts'),
      capacityWatts: num(control, 'PowerCapacityWatts'),
      minWatts: finite(num(metrics, 'MinConsumedWatts')),
      maxWatts: finite(num(metrics, 'MaxConsumedWatts')),
      averageWatts: finite(num(metrics, 'AverageConsumedWatts')),
      intervalSeconds: interval === undefined ? undefined : interval * 60,
    };
  }
}

function legacySensor(o: JsonObject, kind: SensorKind, readingKey: string, units: string): SensorReading {
  return {
    kind,
    id: str(o, 'MemberId') ?? '',
    name: str(o, 'Name') ?? '',
    reading: num(o, readingKey) ?? null,
    units,
    physicalContext: str(o, 'PhysicalContext'),
    thresholds: legacyThresholds(o),
    status: status(o),
  };
}

// ---- current generation: Sensor.v1_x, PowerSubsystem, EnvironmentMetrics ------

/** Sensor.ReadingType -> our kind. Fans report 'Rotational' (RPM) or 'Percent' with PhysicalContext 'Fan'. */
const READING_TYPES: Readonly<Record<string, SensorKind>> = {
  Temperature: 'temperature',
  Rotational: 'fan',
  Voltage: 'voltage',
  Power: 'power',
  Current: 'current',
};

async function readSensors(client: RedfishClient, c: ChassisStructure, signal: AbortSignal, out: ChassisReadings): Promise<void> {
  if (!c.sensors) return;
  const structure = await client.discover(signal);
  let docs: JsonObject[];
  if (structure.expandLevels) {
    // One request instead of one per sensor: $expand of the members, one level, no Links.
    docs = arr(await client.get(`${c.sensors}?$expand=.($levels=1)`, signal), 'Members', client.maxMembers);
  } else {
    docs = [];
    for (const p of c.sensorPaths) docs.push(await client.get(p, signal));
  }
  for (const s of docs) {
    const type = str(s, 'ReadingType') ?? '';
    const context = str(s, 'PhysicalContext');
    let kind: SensorKind = READING_TYPES[type] ?? 'other';
    if (type === 'Percent' && context === 'Fan') kind = 'fan';
    const th = obj(s, 'Thresholds');
    const t = (k: string) => finite(num(obj(th, k), 'Reading'));
    out.sensors.push({
      kind,
      id: str(s, 'Id') ?? '',
      name: str(s, 'Name') ?? '',
      reading: num(s, 'Reading') ?? null,
      units: str(s, 'ReadingUnits') ?? '',
      physicalContext: context,
      thresholds: defined({
        lowerCaution: t('LowerCaution'),
        lowerCritical: t('LowerCritical'),
        lowerFatal: t('LowerFatal'),
        upperCaution: t('UpperCaution'),
        upperCritical: t('UpperCritical'),
        upperFatal: t('UpperFatal'),
      }),
      status: status(s),
    });
  }
}

async function readPowerSubsystem(client: RedfishClient, path: string, signal: AbortSignal, out: ChassisReadings): Promise<void> {
  const ps = await client.get(path, signal);
  out.powerStatus = status(ps);
  const suppliesPath = link(ps, 'PowerSupplies');
  if (!suppliesPath) return;
  const coll = await client.get(suppliesPath, signal);
  for (const p of memberPaths(coll, MAX_ARRAY)) {
    const psu = await client.get(p, signal);
    const metricsPath = link(psu, 'Metrics');
    const metrics = metricsPath ? await client.get(metricsPath, signal) : undefined;
    out.powerSupplies.push({
      id: str(psu, 'Id') ?? p,
      name: str(psu, 'Name') ?? '',
      inputWatts: num(obj(metrics, 'InputPowerWatts'), 'Reading'),
      outputWatts: num(obj(metrics, 'OutputPowerWatts'), 'Reading'),
      capacityWatts: num(psu, 'PowerCapacityWatts'),
      status: status(psu),
    });
  }
}

/** EnvironmentMetrics.PowerWatts is the chassis draw; its DataSourceUri Sensor carries the min/max/average where kept. */
async function readEnvironment(client: RedfishClient, path: string, signal: AbortSignal, out: ChassisReadings): Promise<void> {
  const env = await client.get(path, signal);
  const pw = obj(env, 'PowerWatts');
  if (!pw) return;
  const summary: PowerSummary = {
    consumedWatts: num(pw, 'Reading'),
    capacityWatts: undefined,
    minWatts: undefined,
    maxWatts: undefined,
    averageWatts: undefined,
    intervalSeconds: undefined,
  };
  const source = prop(pw, 'DataSourceUri');
  if (typeof source === 'string' && source.startsWith('/redfish/')) {
    const s = await client.get(source, signal);
    summary.minWatts = finite(num(s, 'LowestReading'));
    summary.maxWatts = finite(num(s, 'PeakReading'));
    summary.averageWatts = finite(num(s, 'AverageReading'));
    summary.intervalSeconds = isoDurationSeconds(str(s, 'AveragingInterval'));
  }
  out.power = summary;
}

/** ISO 8601 durations as Redfish writes them ("PT1M", "PT30S", "P1DT2H"); undefined for anything else. */
export function isoDurationSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6}(?:\.\d{1,6})?)S)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

function finite(v: number | null | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
