import { convertReading, readSelEntries, type SensorDescriptor, type SystemEventRecord } from '@bmc-exporter/ipmi';
import { GENERIC_EVENT_TEXTS, SENSOR_SPECIFIC_EVENT_TEXTS, THRESHOLD_EVENT_TEXTS } from '../freeipmi-sel-texts.js';
import { discreteSensorState, type FreeIpmiState } from '../sensor-state.js';
import type { CompatCollector } from './compat-collector.js';

/** SEL timestamps below this count seconds since BMC start, not wall time (IPMI v2.0 §37.1): ipmi-sel prints no date. */
const RELATIVE_TIMESTAMP_LIMIT = 0x20000000;

/**
 * A threshold event's state as FreeIPMI's SEL interpretation defaults give
 * it (freeipmi_interpret_sel.conf), by offset: [assertion, deassertion].
 */
const THRESHOLD_EVENT_STATES: ReadonlyArray<readonly [FreeIpmiState, FreeIpmiState]> = [
  ['Warning', 'Nominal'],
  ['Nominal', 'Nominal'],
  ['Critical', 'Warning'],
  ['Warning', 'Warning'],
  ['Critical', 'Critical'],
  ['Critical', 'Critical'],
  ['Nominal', 'Nominal'],
  ['Warning', 'Nominal'],
  ['Warning', 'Warning'],
  ['Critical', 'Warning'],
  ['Critical', 'Critical'],
  ['Critical', 'Critical'],
];

/** FreeIPMI's unit abbreviations for the reading it appends to threshold events. */
const UNIT_ABBREVIATIONS: Readonly<Record<string, string>> = {
  celsius: 'C',
  fahrenheit: 'F',
  kelvin: 'K',
  volts: 'V',
  amperes: 'A',
  watts: 'W',
  rpm: 'RPM',
  percent: '%',
};

export interface SelEvent {
  state: FreeIpmiState;
  text: string;
  /** Seconds since 1970 (UTC), 0 when the entry has no wall-clock time. */
  timestamp: number;
}

/** One system event record as ipmi-sel prints its State and Event columns. */
export function describeSelEvent(r: SystemEventRecord, sensor: SensorDescriptor | undefined): SelEvent {
  const timestamp = r.timestampIsRelative || r.timestamp < RELATIVE_TIMESTAMP_LIMIT || r.timestamp === 0xffffffff ? 0 : r.timestamp;
  const offset = r.eventOffset;
  if (r.eventType === 0x01) {
    let text = THRESHOLD_EVENT_TEXTS[offset] ?? `Unrecognized Event = ${offset}`;
    const unit = sensor ? UNIT_ABBREVIATIONS[sensor.unit] : undefined;
    const conv = sensor?.conversion;
    // Event data 1 [7:6] = 01: byte 2 is the trigger reading; [5:4] = 01: byte 3 the threshold (Table 29-6).
    if (conv && unit !== undefined && (r.eventData[0] & 0xc0) === 0x40 && (r.eventData[0] & 0x30) === 0x10) {
      const reading = convertReading(r.eventData[1], conv);
      const threshold = convertReading(r.eventData[2], conv);
      if (reading !== null && threshold !== null) text += ` ; Sensor Reading = ${reading.toFixed(2)} ${unit} ; Threshold = ${threshold.toFixed(2)} ${unit}`;
    }
    const states = THRESHOLD_EVENT_STATES[offset];
    return { state: states ? states[r.eventDirection === 'assertion' ? 0 : 1] : 'N/A', text, timestamp };
  }
  const texts = r.eventType === 0x6f ? SENSOR_SPECIFIC_EVENT_TEXTS[r.sensorType] : GENERIC_EVENT_TEXTS[r.eventType];
  const text = texts?.[offset] ?? `Event Offset = ${offset.toString(16).padStart(2, '0')}h`;
  return { state: discreteSensorState(r.sensorType, r.eventType, 1 << offset), text, timestamp };
}

/**
 * `sel-events` (ipmi-sel in later ipmi_exporter releases): every system
 * event in the SEL counted by its FreeIPMI state, and per configured
 * sel_events rule the number of events whose text matches its regex and
 * the newest such event's time (0 when none, or none with a date).
 */
export const selEventsCompatCollector: CompatCollector = {
  name: 'sel-events',
  async collect(ctx) {
    const { records } = await readSelEntries(ctx.execute, { signal: ctx.signal });
    const sensors = await ctx.target.sensors(ctx.signal);
    const byNumber = new Map(sensors.filter((s) => !s.bridged).map((s) => [s.number, s]));
    const byState = new Map<string, number>();
    const rules = ctx.module.selEvents;
    const counts = new Map(rules.map((r) => [r.name, 0]));
    const latest = new Map(rules.map((r) => [r.name, 0]));
    for (const record of records) {
      if (record.kind !== 'system-event') continue;
      const e = describeSelEvent(record, byNumber.get(record.sensorNumber));
      // ipmi_exporter reads ipmi-sel's comma-separated output with a pattern
      // whose Event field cannot hold a comma: such events are skipped there.
      if (e.text.includes(',')) continue;
      byState.set(e.state, (byState.get(e.state) ?? 0) + 1);
      for (const rule of rules) {
        if (!rule.regex.test(e.text)) continue;
        counts.set(rule.name, (counts.get(rule.name) ?? 0) + 1);
        if (e.timestamp > (latest.get(rule.name) ?? 0)) latest.set(rule.name, e.timestamp);
      }
    }
    const r = ctx.out;
    const stateSpec = { name: 'ipmi_sel_events_count_by_state', help: 'Current number of log entries in the SEL by state.', labelNames: ['state'] as const };
    for (const [state, n] of byState) r.set(stateSpec, n, { state });
    const nameSpec = { name: 'ipmi_sel_events_count_by_name', help: 'Current number of custom log entries in the SEL by name.', labelNames: ['name'] as const };
    const tsSpec = {
      name: 'ipmi_sel_events_latest_timestamp',
      help: 'Latest timestamp of custom log entries in the SEL by name.',
      labelNames: ['name'] as const,
    };
    for (const [name, n] of counts) {
      r.set(nameSpec, n, { name });
      r.set(tsSpec, latest.get(name) ?? 0, { name });
    }
  },
};
