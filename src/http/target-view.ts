import { describeEvent, formatGuid, type SelRecord, type SensorDescriptor } from '@bmc-exporter/ipmi';
import { fanSensors } from '../collectors/fans.js';
import { formatFirmwareLabel } from '../collectors/firmware.js';
import { powerSupplyStatusSensors, PSU_OFFSETS } from '../collectors/power-supply.js';
import { powerSupplyWattageSensors } from '../collectors/power-draw.js';
import { fleetState, type FleetState } from './fleet-summary.js';
import type { Target } from '../targets/target.js';
import type { PowerView, ReadingState, SensorView } from '../targets/sensor-snapshot.js';

/**
 * What the exporter knows about one BMC without asking it anything: the
 * last scrape, the session, the device, the last sensor readings and the
 * newest SEL records. The console's JSON is this object; its HTML renders
 * it. Built from what the target holds for its scrapes; never a credential
 * (the target's credentials are not in reach of this module).
 */
export interface TargetView {
  target: string;
  labels: Readonly<Record<string, string>> | null;
  lastScrape: {
    at: string | null;
    state: FleetState;
    up: boolean | null;
    partial: boolean;
    durationSeconds: number | null;
    commands: number;
    errors: string[];
    /** 'ipmi' or 'redfish' once scraped; `commands` counts HTTP requests for Redfish. */
    transport?: 'ipmi' | 'redfish';
  };
  bmcInfo: { firmware: string; guid: string; ipmiVersion: string; manufacturerId: number; productId: number; deviceId: number; deviceRevision: number } | null;
  session: { ipmiVersion: string; cipherSuite: number | null; authType: string | null; privilege: string; openedAt: string | null } | null;
  sensorsReadAt: string | null;
  sensors: SensorRow[];
  powerSupplies: Array<{
    psu: string;
    sensor: string;
    state: ReadingState;
    present: boolean | null;
    failed: boolean | null;
    predictiveFailure: boolean | null;
    inputLost: boolean | null;
    watts: number | null;
  }>;
  fans: Array<{ fan: string; value: number | null; unit: string; state: ReadingState }>;
  dcmiPower: PowerView | null;
  sel: {
    supported: boolean;
    /** SEL events logged while the exporter watched. */
    newEvents: number;
    /** The newest records the exporter keeps (a bounded ring), newest first. */
    events: SelEventRow[];
  };
}

export interface SensorRow {
  name: string;
  type: string;
  entity: string;
  number: number;
  value: number | null;
  unit: string;
  state: ReadingState;
  /** Discrete sensors: asserted state offsets. */
  asserted: number[] | null;
  thresholds: Record<string, number | null> | null;
}

export interface SelEventRow {
  recordId: number;
  /** ISO time; null when the BMC's clock was not set (relative or unspecified timestamp). */
  time: string | null;
  category: string;
  severity: string;
  description: string;
  /** Logged while the exporter watched. */
  fresh: boolean;
}

const bits = (v: number) => [...Array(15).keys()].filter((i) => (v >> i) & 1);
const bit = (v: number | null, i: number) => (v === null ? null : ((v >> i) & 1) === 1);

function sensorRow(v: SensorView): SensorRow {
  const s = v.sensor;
  return {
    name: s.name,
    type: s.sensorTypeName,
    entity: `${s.entityIdName} ${s.entityInstance & 0x7f}`,
    number: s.number,
    value: v.value,
    unit: s.unitName,
    state: v.state,
    asserted: v.discreteStates === null ? null : bits(v.discreteStates),
    thresholds: s.thresholds ? { ...s.thresholds } : null,
  };
}

/** The SDR name of the sensor a record names, when the SDR has one (BMC-supplied: escaped by every page). */
function sensorNameFor(rec: SelRecord, sensors: readonly SensorDescriptor[]): string | undefined {
  if (rec.kind !== 'system-event') return undefined;
  return sensors.find((s) => s.number === rec.sensorNumber && s.sensorType === rec.sensorType)?.name;
}

export function targetView(t: Target, labels: Readonly<Record<string, string>> | undefined): TargetView {
  const s = t.status;
  const device = t.cache.cachedDevice;
  const session = t.client.session;
  const views = t.snapshot.sensors();
  const byKey = new Map(views.map((v) => [v.sensor.key, v] as const));
  const list = views.map((v) => v.sensor);
  const watts = powerSupplyWattageSensors(list);
  const { rpm, ratio } = fanSensors(list);
  const sel = t.cache.cachedSelState;
  const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);
  return {
    target: t.key,
    labels: labels ?? null,
    lastScrape: {
      at: s.lastScrapeAt?.toISOString() ?? null,
      state: fleetState(s),
      up: s.up,
      partial: s.partial,
      durationSeconds: s.durationSeconds,
      commands: s.commands,
      errors: s.errors ? [...s.errors] : [],
      ...(s.transport ? { transport: s.transport } : {}),
    },
    bmcInfo: device
      ? {
          firmware: formatFirmwareLabel(device.device),
          guid: device.guid ? formatGuid(device.guid) : '',
          ipmiVersion: device.device.ipmiVersion,
          manufacturerId: device.device.manufacturerId,
          productId: device.device.productId,
          deviceId: device.device.deviceId,
          deviceRevision: device.device.deviceRevision,
        }
      : null,
    session: session
      ? {
          ipmiVersion: session.ipmiVersion,
          cipherSuite: session.cipherSuite,
          authType: session.authType,
          privilege: session.privilege,
          openedAt: iso(t.sessionOpenedAt),
        }
      : null,
    sensorsReadAt: iso(t.snapshot.readAt),
    sensors: views.filter((v) => v.sensor.readable).map(sensorRow),
    powerSupplies: [...powerSupplyStatusSensors(list)].map(([psu, sensor]) => {
      const v = byKey.get(sensor.key)!;
      const d = v.discreteStates;
      const w = watts.get(psu);
      return {
        psu,
        sensor: sensor.name,
        state: v.state,
        present: bit(d, PSU_OFFSETS.presence),
        failed: bit(d, PSU_OFFSETS.failure),
        predictiveFailure: bit(d, PSU_OFFSETS.predictiveFailure),
        inputLost: d === null ? null : (bit(d, PSU_OFFSETS.inputLost) ?? false) || (bit(d, PSU_OFFSETS.inputLostOrOutOfRange) ?? false),
        watts: w ? (byKey.get(w.key)?.value ?? null) : null,
      };
    }),
    fans: [...[...rpm].map(([fan, d]) => ({ fan, d, unit: 'RPM' })), ...[...ratio].map(([fan, d]) => ({ fan, d, unit: '%' }))].map(({ fan, d, unit }) => {
      const v = byKey.get(d.key)!;
      return { fan, value: v.value, unit, state: v.state };
    }),
    dcmiPower: t.snapshot.powerView ?? null,
    sel: {
      supported: !sel?.unsupported,
      newEvents: sel?.recent.freshCount ?? 0,
      events: (sel?.recent.newestFirst() ?? []).map(({ record, fresh }) => {
        const d = describeEvent(record, { sensorName: sensorNameFor(record, list) });
        const date = 'date' in record ? record.date : null;
        return {
          recordId: record.recordId,
          time: date ? date.toISOString() : null,
          category: d.category,
          severity: d.severity,
          description: d.description,
          fresh,
        };
      }),
    },
  };
}
