import type { ChassisReadings, RedfishStructure, ResourceStatus, SensorReading } from '@bmc-exporter/redfish';
import type { Exposition } from '../metrics/exposition.js';
import { BMC_INFO } from '../collectors/bmc-info.js';
import { CHASSIS_EXHAUST_TEMPERATURE, CHASSIS_INTAKE_TEMPERATURE, EXHAUST_NAME, INTAKE_NAME } from '../collectors/chassis-temperature.js';
import { CHASSIS_METRICS } from '../collectors/chassis.js';
import { DCMI_POWER_METRICS } from '../collectors/dcmi.js';
import { FAN_SPEED_RATIO, FAN_SPEED_RPM } from '../collectors/fans.js';
import { POWER_DRAW } from '../collectors/power-draw.js';
import { POWER_SUPPLY_METRICS } from '../collectors/power-supply.js';
import { PROCESSOR_TEMPERATURE } from '../collectors/processor-temperature.js';
import { SENSOR_THRESHOLD_STATE } from '../collectors/sensor-health.js';
import { VOLTAGE } from '../collectors/voltages.js';

/**
 * The /bmc families from what a Redfish service reports: the same names and
 * labels as the IPMI collectors, so one dashboard serves both. The mapping
 * (which property feeds which series) is tabled in README.md, "Redfish".
 */

export const BMC_TRANSPORT_INFO = {
  name: 'bmc_transport_info',
  help: 'How the exporter read this BMC: transport (ipmi or redfish) and, for Redfish, the service version and the authentication used. Constant 1.',
  labelNames: ['transport', 'redfish_version', 'auth'],
} as const;

/** bmc_info from the service root (UUID) and the BMC manager (FirmwareVersion); `ipmi` is "" (no IPMI session was used). */
export function setInfo(out: Exposition, s: RedfishStructure, auth: string): void {
  const manager = s.managers.find((m) => m.managerType === 'BMC') ?? s.managers[0];
  out.set(BMC_INFO, 1, { guid: (s.uuid ?? '').toLowerCase(), firmware: manager?.firmwareVersion ?? '', ipmi: '' });
  out.set(BMC_TRANSPORT_INFO, 1, { transport: 'redfish', redfish_version: s.redfishVersion ?? '', auth });
}

/** A subsystem's health as a fault bit: Critical is a fault (IPMI's chassis fault bits say "fault detected", not "degraded"). */
function faulty(status: ResourceStatus | undefined): number | undefined {
  if (!status?.health) return undefined;
  return status.health === 'Critical' ? 1 : 0;
}

/** The chassis families, the sensor families and the power families from every chassis read. */
export function setReadings(out: Exposition, chassis: readonly ChassisReadings[]): void {
  const main = chassis.find((c) => c.powerState !== undefined) ?? chassis[0];
  if (main?.powerState !== undefined) out.set(CHASSIS_METRICS.poweredOn, main.powerState === 'On' ? 1 : 0);
  const intrusion = chassis.find((c) => c.intrusion !== undefined)?.intrusion;
  if (intrusion !== undefined) out.set(CHASSIS_METRICS.intrusion, intrusion === 'Normal' ? 0 : 1);
  const power = chassis.map((c) => faulty(c.powerStatus)).filter((v) => v !== undefined);
  if (power.length > 0) out.set(CHASSIS_METRICS.powerFault, Math.max(...power));
  const cooling = chassis.map((c) => faulty(c.thermalStatus)).filter((v) => v !== undefined);
  if (cooling.length > 0) out.set(CHASSIS_METRICS.coolingFault, Math.max(...cooling));

  const sensors = chassis.flatMap((c) => c.sensors);
  setSensorFamilies(out, sensors);

  let psuWatts = false;
  for (const c of chassis) {
    for (const p of c.powerSupplies) {
      const psu = p.id || p.name;
      if (typeof p.inputWatts === 'number') {
        psuWatts = true;
        out.set(POWER_DRAW, p.inputWatts, { psu });
      }
      const present = p.status.state !== 'Absent';
      out.set(POWER_SUPPLY_METRICS.present, present ? 1 : 0, { psu });
      if (!present) continue;
      out.set(POWER_SUPPLY_METRICS.failed, p.status.health === 'Critical' ? 1 : 0, { psu });
      out.set(POWER_SUPPLY_METRICS.predictiveFailure, p.status.health === 'Warning' ? 1 : 0, { psu });
    }
  }
  const summary = chassis.find((c) => c.power !== undefined)?.power;
  if (!summary) return;
  // The chassis total stands in for the PSUs, as DCMI does on the IPMI side.
  if (!psuWatts && typeof summary.consumedWatts === 'number') out.set(POWER_DRAW, summary.consumedWatts, { psu: '' });
  const m = DCMI_POWER_METRICS;
  if (typeof summary.consumedWatts === 'number') out.set(m.current, summary.consumedWatts);
  if (summary.minWatts !== undefined) out.set(m.minimum, summary.minWatts);
  if (summary.maxWatts !== undefined) out.set(m.maximum, summary.maxWatts);
  if (summary.averageWatts !== undefined) out.set(m.average, summary.averageWatts);
  if (summary.intervalSeconds !== undefined) out.set(m.period, summary.intervalSeconds);
}

const TYPE_LABELS: Readonly<Record<SensorReading['kind'], string>> = {
  temperature: 'temperature',
  fan: 'fan',
  voltage: 'voltage',
  current: 'current',
  power: 'power',
  other: 'other',
};

/**
 * The worst threshold a reading is at or beyond (0 ok … 3 fatal, as
 * sensor_threshold_state counts); with no thresholds listed, the sensor's
 * own Health (Warning 1, Critical 2). undefined without a reading.
 */
export function thresholdLevel(s: SensorReading): number | undefined {
  const v = s.reading;
  if (v === null) return undefined;
  const t = s.thresholds;
  const up = (limit: number | undefined) => limit !== undefined && v >= limit;
  const down = (limit: number | undefined) => limit !== undefined && v <= limit;
  if (Object.keys(t).length === 0) return s.status.health === 'Critical' ? 2 : s.status.health === 'Warning' ? 1 : 0;
  if (up(t.upperFatal) || down(t.lowerFatal)) return 3;
  if (up(t.upperCritical) || down(t.lowerCritical)) return 2;
  if (up(t.upperCaution) || down(t.lowerCaution)) return 1;
  return 0;
}

/** The cpu label: the number in the sensor's name ("CPU1 Temp" -> "1"), else its position among the CPU sensors (1, 2, ...). */
export function cpuLabel(name: string, position: number): string {
  const m = /(\d+)/.exec(name);
  return m ? String(Number(m[1])) : String(position);
}

function setSensorFamilies(out: Exposition, sensors: readonly SensorReading[]): void {
  const read = sensors.filter((s) => s.reading !== null && s.status.state !== 'Absent');
  const temps = read.filter((s) => s.kind === 'temperature');
  const cpus = temps.filter((s) => s.physicalContext === 'CPU');
  const cpuSeen = new Set<string>();
  cpus.forEach((s, i) => {
    const cpu = cpuLabel(s.name, i + 1);
    if (cpuSeen.has(cpu)) return;
    cpuSeen.add(cpu);
    out.set(PROCESSOR_TEMPERATURE, s.reading!, { cpu });
  });
  const intake =
    temps.find((s) => s.physicalContext === 'Intake') ??
    temps.find((s) => s.physicalContext !== 'CPU' && INTAKE_NAME.test(s.name) && !EXHAUST_NAME.test(s.name));
  const exhaust =
    temps.find((s) => s !== intake && s.physicalContext === 'Exhaust') ??
    temps.find((s) => s !== intake && s.physicalContext !== 'CPU' && EXHAUST_NAME.test(s.name) && !INTAKE_NAME.test(s.name));
  if (intake) out.set(CHASSIS_INTAKE_TEMPERATURE, intake.reading!);
  if (exhaust) out.set(CHASSIS_EXHAUST_TEMPERATURE, exhaust.reading!);
  for (const s of read) {
    const label = s.name || s.id;
    if (s.kind === 'fan' && s.units === 'RPM') out.set(FAN_SPEED_RPM, s.reading!, { fan: label });
    else if (s.kind === 'fan' && s.units === '%') out.set(FAN_SPEED_RATIO, s.reading! / 100, { fan: label });
    else if (s.kind === 'voltage') out.set(VOLTAGE, s.reading!, { rail: label });
    const level = thresholdLevel(s);
    if (level !== undefined) out.set(SENSOR_THRESHOLD_STATE, level, { sensor: label, type: TYPE_LABELS[s.kind] });
  }
}
