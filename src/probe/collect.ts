import {
  dcmiGetPowerReading,
  dcmiGetSupportedCapabilities,
  describeEvent,
  formatFirmware,
  formatGuid,
  fruSummary,
  getChassisStatus,
  getDeviceId,
  getSelInfo,
  getSystemGuid,
  parseFru,
  readFru,
  readSdrRepository,
  readSelTail,
  readSensor,
  sensorsFromSdr,
  TimeoutError,
  type BmcClient,
  type SessionDescription,
  CompletionCode,
  isCompletionCode,
  UNSUPPORTED_COMMAND_CODES,
} from '@bmc-exporter/ipmi';

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
  /** Sections that could not be read, with why; absent sections that the BMC simply lacks are not errors. */
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

function absent(err: unknown): boolean {
  return isCompletionCode(err, ...ABSENT_CODES);
}

/**
 * Read everything, section by section. The session is opened first (a
 * failure there is the probe's failure); after that each section that fails
 * is recorded and the rest still run — unless the deadline has passed.
 */
export async function collectProbe(client: BmcClient, signal: AbortSignal, selEvents = 20): Promise<ProbeResult> {
  const session = await client.open({ signal });
  const o = { signal };
  const result: ProbeResult = {
    target: client.target,
    ipmiVersion: session.ipmiVersion,
    cipherSuite: session.cipherSuite,
    authType: session.authType,
    privilege: session.privilege,
    device: null,
    guid: null,
    chassis: null,
    sensors: [],
    fru: null,
    sel: null,
    dcmiPower: null,
    errors: {},
  };

  const section = async (name: string, fn: () => Promise<void>): Promise<void> => {
    if (signal.aborted) {
      result.errors[name] = 'not read: deadline reached';
      return;
    }
    try {
      await fn();
    } catch (err) {
      if (absent(err)) return;
      result.errors[name] = err instanceof Error ? err.message : String(err);
      if (err instanceof TimeoutError && signal.aborted) return;
    }
  };

  await section('device', async () => {
    const d = await client.execute(getDeviceId, undefined, o);
    result.device = {
      deviceId: d.deviceId,
      deviceRevision: d.deviceRevision,
      firmware: formatFirmware(d),
      ipmiVersion: d.ipmiVersion,
      manufacturerId: d.manufacturerId,
      productId: d.productId,
    };
  });
  await section('guid', async () => {
    result.guid = formatGuid((await client.execute(getSystemGuid, undefined, o)).guid);
  });
  await section('chassis', async () => {
    const c = await client.execute(getChassisStatus, undefined, o);
    result.chassis = {
      poweredOn: c.poweredOn,
      intrusion: c.intrusion,
      powerFault: c.powerFault,
      coolingFault: c.coolingFault,
      driveFault: c.driveFault,
    };
  });
  await section('sensors', async () => {
    const records = await readSdrRepository(client.execute, o);
    if (records.incomplete) result.errors.sdr = records.incomplete.message;
    for (const descriptor of sensorsFromSdr(records.records)) {
      const r = await readSensor(client.execute, descriptor, o);
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
        value: r.value,
        state: r.state,
      });
    }
  });
  await section('fru', async () => {
    const s = fruSummary(parseFru(await readFru(client.execute, o)));
    result.fru = {
      manufacturer: s.manufacturer ?? null,
      product: s.product ?? null,
      serial: s.serial ?? null,
      partNumber: s.partNumber ?? null,
    };
  });
  await section('sel', async () => {
    const info = await client.execute(getSelInfo, undefined, o);
    const tail = info.entries > 0 ? await readSelTail(client.execute, selEvents, o) : [];
    result.sel = {
      entries: info.entries,
      freeBytes: info.freeBytes,
      lastAddition: info.mostRecentAddition,
      lastErase: info.mostRecentErase,
      events: tail.map((rec) => {
        const d = describeEvent(rec);
        const ts = 'timestamp' in rec ? rec.timestamp : null;
        const relative = 'timestampIsRelative' in rec ? rec.timestampIsRelative : false;
        return {
          id: rec.recordId,
          timestamp: ts,
          time: ts !== null && !relative ? new Date(ts * 1000).toISOString() : null,
          category: d.category,
          severity: d.severity,
          description: d.description,
        };
      }),
    };
  });
  await section('dcmiPower', async () => {
    const caps = await client.execute(dcmiGetSupportedCapabilities, undefined, o);
    if (!caps.supported.powerManagement) return;
    const p = await client.execute(dcmiGetPowerReading, {}, o);
    if (!p.powerMeasurementActive) return;
    result.dcmiPower = {
      currentWatts: p.currentWatts,
      minimumWatts: p.minimumWatts,
      maximumWatts: p.maximumWatts,
      averageWatts: p.averageWatts,
      periodSeconds: p.statisticsReportingPeriodSeconds,
    };
  });
  return result;
}
