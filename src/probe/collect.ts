import {
  CompletionCode,
  describeEvent,
  formatFirmware,
  formatGuid,
  fruSummary,
  isCompletionCode,
  parseFru,
  readFru,
  readSelTail,
  UdpTransport,
  UNSUPPORTED_COMMAND_CODES,
  type SessionDescription,
} from '@bmc-exporter/ipmi';
import type { CollectContext, Collector } from '../collectors/collector.js';
import { CHASSIS_METRICS } from '../collectors/chassis.js';
import { ALL_COLLECTORS } from '../collectors/index.js';
import { SEL_METRICS } from '../collectors/sel.js';
import { ExporterMetrics } from '../metrics/exporter-metrics.js';
import { Exposition } from '../metrics/exposition.js';
import { HealthTracker } from '../metrics/health.js';
import type { TargetAddress } from '../targets/target-address.js';
import type { TargetCredentials } from '../targets/target-config.js';
import { Target } from '../targets/target.js';
import { VERSION } from '../version.js';

/** What `probe` prints: everything the exporter will see for one BMC. */
export interface ProbeResult {
  target: string;
  ipmiVersion: SessionDescription['ipmiVersion'];
  cipherSuite: number | null;
  authType: string | null;
  privilege: string;
  device: {
    deviceId: number;
    deviceRevision: number;
    firmware: string;
    ipmiVersion: string;
    manufacturerId: number;
    productId: number;
  } | null;
  guid: string | null;
  chassis: { poweredOn: boolean; intrusion: boolean; powerFault: boolean; coolingFault: boolean; driveFault: boolean } | null;
  sensors: ProbeSensor[];
  fru: { manufacturer: string | null; product: string | null; serial: string | null; partNumber: string | null } | null;
  sel: {
    entries: number;
    freeBytes: number;
    /** Unix seconds; null when the BMC has no such time or its clock was never set (as the sel_* metrics). */
    lastAddition: number | null;
    lastErase: number | null;
    events: ProbeSelEvent[];
  } | null;
  dcmiPower: {
    currentWatts: number;
    minimumWatts: number;
    maximumWatts: number;
    averageWatts: number;
    periodSeconds: number;
  } | null;
  /**
   * Sections and exporter collectors that could not be read, with why; what
   * the BMC simply lacks is not an error.
   */
  errors: Record<string, string>;
}

export interface ProbeSensor {
  name: string;
  number: number;
  ownerId: number;
  lun: number;
  sensorType: string;
  sensorTypeCode: number;
  entityId: number;
  entityInstance: number;
  /** Stable unit id ('celsius', 'volts', 'rpm', 'watts', ...); '' for discrete sensors. */
  unit: string;
  /** The unit as ipmitool prints it ('degrees C'). */
  unitName: string;
  value: number | null;
  state: string;
}

export interface ProbeSelEvent {
  id: number;
  /** Seconds as the BMC's SEL clock reports them; null when the record has none. */
  timestamp: number | null;
  /** ISO 8601 when the timestamp is wall-clock time, null when it is relative to BMC start. */
  time: string | null;
  category: string;
  severity: string;
  description: string;
}

/** Codes a BMC uses to say "this command or device is not here" (not a failure of the probe). */
const ABSENT_CODES: readonly number[] = [...UNSUPPORTED_COMMAND_CODES, CompletionCode.insufficientPrivilege, CompletionCode.parameterOutOfRange];

/** What one probe read: the report, and the answer /bmc would have served from the same scrape. */
export interface ProbeRun {
  result: ProbeResult;
  exposition: Exposition;
}

export interface ProbeOptions {
  address: TargetAddress;
  credentials: TargetCredentials;
  /** The latest SEL events to list. */
  selEvents?: number;
}

/**
 * Read one BMC the way the exporter does: a Target (client, session cache,
 * scrape context) runs every collector into an exposition, as a /bmc scrape
 * would, and then the probe's sections, which read the rest of the report
 * through the same scrape context (sensor readings and DCMI answers already
 * read are not asked again) or from the exposition the collectors filled.
 *
 * The session is opened first, and a failure there is the probe's failure
 * (thrown: AuthenticationError, TimeoutError, ...); after that each section
 * or collector that fails is recorded and the rest still run, until `signal`
 * fires.
 */
export async function collectProbe(options: ProbeOptions, signal: AbortSignal, deadline = Infinity): Promise<ProbeRun> {
  const result: ProbeResult = {
    target: options.address.key,
    ipmiVersion: '2.0',
    cipherSuite: null,
    authType: null,
    privilege: '',
    device: null,
    guid: null,
    chassis: null,
    sensors: [],
    fru: null,
    sel: null,
    dcmiPower: null,
    errors: {},
  };
  const exposition = new Exposition('Nan');
  const sections = probeSections(result, exposition, options.selEvents ?? 20);
  const transport = new UdpTransport();
  const target = new Target({
    address: options.address,
    credentials: options.credentials,
    transport,
    metrics: new ExporterMetrics({ version: VERSION, commit: 'probe', health: new HealthTracker(), processMetrics: false }),
    health: new HealthTracker(),
    collectors: [...ALL_COLLECTORS, ...sections.collectors],
  });
  try {
    describeSession(result, await target.client.open({ signal }));
    const collectorErrors: Record<string, string> = {};
    await target.scrape(signal, exposition, deadline, { collectorFailed: (name, message) => (collectorErrors[name] = message) });
    for (const name of sections.notRun()) result.errors[name] = 'not read: deadline reached';
    const sdr = target.cache.sdrIncomplete;
    if (sdr) result.errors.sdr = sdr.message;
    if (!target.status.up) result.errors.session = target.status.lastError ?? 'lost during the probe';
    // A section's own account of a failure says more than the collector's behind it.
    result.errors = { ...collectorErrors, ...result.errors };
    return { result, exposition };
  } finally {
    await target.close();
    await transport.close();
  }
}

function describeSession(result: ProbeResult, session: SessionDescription): void {
  result.ipmiVersion = session.ipmiVersion;
  result.cipherSuite = session.cipherSuite;
  result.authType = session.authType;
  result.privilege = session.privilege;
}

/** The value of an unlabelled gauge a collector set in this scrape's exposition, undefined when it set none. */
function gaugeValue(exposition: Exposition, name: string): number | undefined {
  return exposition.value(name);
}

/**
 * The probe's report sections, as collectors that run after the exporter's
 * own in the same scrape. Each records its own failure in `result.errors`
 * (under its name) rather than throwing, so the next still runs.
 */
function probeSections(result: ProbeResult, exposition: Exposition, selEvents: number): { collectors: Collector[]; notRun(): string[] } {
  const ran = new Set<string>();
  const section = (name: string, read: (ctx: CollectContext) => Promise<void>): Collector => ({
    name: `probe:${name}`,
    async collect(ctx) {
      ran.add(name);
      try {
        await read(ctx);
      } catch (err) {
        if (isCompletionCode(err, ...ABSENT_CODES)) return;
        result.errors[name] = err instanceof Error ? err.message : String(err);
      }
    },
  });

  const collectors = [
    section('device', async ({ target, signal }) => {
      // Read by bmc_info already: the session cache answers.
      const { device, guid } = await target.deviceInfo(signal);
      result.device = {
        deviceId: device.deviceId,
        deviceRevision: device.deviceRevision,
        firmware: formatFirmware(device),
        ipmiVersion: device.ipmiVersion,
        manufacturerId: device.manufacturerId,
        productId: device.productId,
      };
      result.guid = guid ? formatGuid(guid) : null;
    }),
    section('chassis', async () => {
      // Get Chassis Status is the chassis collector's: its gauges hold the answer.
      const bits = (['poweredOn', 'intrusion', 'powerFault', 'coolingFault', 'driveFault'] as const).map((k) =>
        gaugeValue(exposition, CHASSIS_METRICS[k].name),
      );
      if (bits.some((b) => b === undefined)) return;
      const [poweredOn, intrusion, powerFault, coolingFault, driveFault] = bits.map((b) => b === 1) as [boolean, boolean, boolean, boolean, boolean];
      result.chassis = { poweredOn, intrusion, powerFault, coolingFault, driveFault };
    }),
    section('sensors', async ({ target, signal, readSensor }) => {
      // Every sensor of the SDR, discrete ones too; those a collector read this scrape are not asked again.
      for (const descriptor of await target.sensors(signal)) {
        const reading = await readSensor(descriptor);
        result.sensors.push({
          name: descriptor.name,
          number: descriptor.number,
          ownerId: descriptor.ownerId,
          lun: descriptor.lun,
          sensorType: descriptor.sensorTypeName,
          sensorTypeCode: descriptor.sensorType,
          entityId: descriptor.entityId,
          entityInstance: descriptor.entityInstance,
          unit: descriptor.unit,
          unitName: descriptor.unitName,
          value: reading.value,
          state: reading.state,
        });
      }
    }),
    section('fru', async ({ execute, signal }) => {
      const summary = fruSummary(parseFru(await readFru(execute, { signal })));
      result.fru = {
        manufacturer: summary.manufacturer ?? null,
        product: summary.product ?? null,
        serial: summary.serial ?? null,
        partNumber: summary.partNumber ?? null,
      };
    }),
    section('sel', async ({ execute, signal }) => {
      // Get SEL Info is the sel collector's: a BMC without a SEL leaves its gauges unset.
      const entries = gaugeValue(exposition, SEL_METRICS.entries.name);
      if (entries === undefined) return;
      const tail = entries > 0 ? await readSelTail(execute, selEvents, { signal }) : [];
      result.sel = {
        entries,
        freeBytes: gaugeValue(exposition, SEL_METRICS.freeBytes.name) ?? 0,
        lastAddition: gaugeValue(exposition, SEL_METRICS.lastAddition.name) ?? null,
        lastErase: gaugeValue(exposition, SEL_METRICS.lastErase.name) ?? null,
        events: tail.map((record) => {
          const event = describeEvent(record);
          const timestamp = 'timestamp' in record ? record.timestamp : null;
          const relative = 'timestampIsRelative' in record ? record.timestampIsRelative : false;
          return {
            id: record.recordId,
            timestamp,
            time: timestamp !== null && !relative ? new Date(timestamp * 1000).toISOString() : null,
            category: event.category,
            severity: event.severity,
            description: event.description,
          };
        }),
      };
    }),
    section('dcmiPower', async ({ dcmiPowerReading }) => {
      // Asked once per scrape: the dcmi collector's answer.
      const power = await dcmiPowerReading();
      if (!power?.powerMeasurementActive) return;
      result.dcmiPower = {
        currentWatts: power.currentWatts,
        minimumWatts: power.minimumWatts,
        maximumWatts: power.maximumWatts,
        averageWatts: power.averageWatts,
        periodSeconds: power.statisticsReportingPeriodSeconds,
      };
    }),
  ];
  const names = ['device', 'chassis', 'sensors', 'fru', 'sel', 'dcmiPower'];
  return { collectors, notRun: () => names.filter((name) => !ran.has(name)) };
}
