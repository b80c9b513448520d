import { hex2 } from '../errors.js';
import { sensorTypeName } from '../sdr/sensor-types.js';
import type { SelCategory, SelSeverity } from './categories.js';
import { genericEventText, type OffsetText } from './generic-event-texts.js';
import { eventTypeClass, type SelRecord, type SystemEventRecord } from './record.js';
import { FIRMWARE_ERROR_CODES, FIRMWARE_PROGRESS_CODES } from './firmware-progress-codes.js';
import { sensorSpecificText } from './sensor-specific-texts.js';

export { SEL_CATEGORIES, SEL_CATEGORY_DESCRIPTIONS, SEL_SEVERITIES } from './categories.js';
export type { SelCategory, SelSeverity } from './categories.js';

export interface SelEventDescription {
  description: string;
  category: SelCategory;
  severity: SelSeverity;
}

export interface DescribeEventOptions {
  /** The sensor's SDR ID string, when the caller has the SDR; shown after the sensor type. */
  sensorName?: string;
  /**
   * Renders a raw threshold reading/threshold byte (event data 2/3). Without
   * an SDR the record only has raw bytes, so the default prints them as is.
   */
  formatReading?: (raw: number) => string;
}

const O = 'other' as const;

/**
 * Sensor-specific (event type 0x6F) offsets that belong to a category,
 * indexed by sensor type then offset (Table 42-3); missing means 'other'.
 */
const SENSOR_SPECIFIC_CATEGORIES: Readonly<Record<number, readonly SelCategory[]>> = {
  /** Processor: all but presence (7) and terminator presence (9) are errors; throttling and correctable MCE included */
  0x07: [...Array<SelCategory>(7).fill('processor-error'), O, 'processor-error', O, 'processor-error', 'processor-error', 'processor-error'],
  /** Power Supply: failure, predictive failure and config error are the PSU's fault; input lost/out of range is the feed's */
  0x08: [O, 'psu-failure', 'psu-failure', 'ac-lost', 'ac-lost', 'ac-lost', 'psu-failure', O],
  /** Power Unit: offset 4 is AC lost; soft power control failure, unit failure, predictive failure */
  0x09: [O, O, O, O, 'ac-lost', 'psu-failure', 'psu-failure', 'psu-failure'],
  /** Memory: parity, scrub failure and a disabled DIMM count as uncorrectable; offset 5 is the correctable ECC logging limit */
  0x0c: [
    'memory-ecc-correctable',
    'memory-ecc-uncorrectable',
    'memory-ecc-uncorrectable',
    'memory-ecc-uncorrectable',
    'memory-ecc-uncorrectable',
    'memory-ecc-correctable',
  ],
  /** Drive Slot: fault, predictive failure, in critical array, in failed array, rebuild aborted */
  0x0d: [O, 'drive-fault', 'drive-fault', O, O, 'drive-fault', 'drive-fault', O, 'drive-fault'],
  /** System Firmware Progress: POST only runs on the way up, so progress marks a restart (a BIOS that logs several steps gives several) */
  0x0f: [O, O, 'system-restart'],
  /**
   * Event Logging Disabled: offset 0 (correctable memory error logging
   * disabled) is what BIOSes log when a DIMM's correctable-error rate hit its
   * limit — the same signal as Memory offset 5 — so it counts as correctable
   * ECC; offset 6 is its machine-check twin; offset 2 is the log being cleared.
   */
  0x10: ['memory-ecc-correctable', O, 'log-cleared', O, O, O, 'processor-error'],
  /** Watchdog 1: every offset is an expiry */
  0x11: Array<SelCategory>(8).fill('watchdog'),
  /** System Event: only the OEM System Boot Event is a restart ("reconfigured" is not) */
  0x12: [O, 'system-restart'],
  /** Critical Interrupt: every offset (NMI, PERR/SERR, bus errors) */
  0x13: Array<SelCategory>(12).fill('critical-interrupt'),
  /** System Boot / Restart Initiated: every offset */
  0x1d: Array<SelCategory>(8).fill('system-restart'),
  /** Watchdog 2: every offset */
  0x23: Array<SelCategory>(9).fill('watchdog'),
};

/** A generic (event type 0x02-0x0C) event on a given sensor type that belongs to a category. */
interface GenericRule {
  sensorTypes: readonly number[];
  eventType: number;
  offsets: readonly number[];
  category: SelCategory;
  /** replaces the generic table's severity where the sensor type makes it worse (a fan gone absent) */
  severity?: SelSeverity;
}

const FAN = 0x04;
const TEMPERATURE = 0x01;
const PROCESSOR = 0x07;
const POWER = [0x08, 0x09] as const;
const DRIVE = 0x0d;
/** severity states 0x07: offsets 1-6 are the non-OK transitions */
const WORSE = [1, 2, 3, 4, 5, 6] as const;
/** redundancy states 0x0B: offsets 1-7 are everything short of fully redundant */
const NOT_REDUNDANT = [1, 2, 3, 4, 5, 6, 7] as const;

const GENERIC_RULES: readonly GenericRule[] = [
  { sensorTypes: [TEMPERATURE], eventType: 0x05, offsets: [1], category: 'temperature-threshold' },
  { sensorTypes: [TEMPERATURE], eventType: 0x07, offsets: WORSE, category: 'temperature-threshold' },
  { sensorTypes: [FAN], eventType: 0x07, offsets: WORSE, category: 'fan-failure' },
  { sensorTypes: [FAN], eventType: 0x0b, offsets: NOT_REDUNDANT, category: 'fan-failure' },
  { sensorTypes: [FAN], eventType: 0x04, offsets: [1], category: 'fan-failure' },
  { sensorTypes: [FAN], eventType: 0x08, offsets: [0], category: 'fan-failure', severity: 'warning' },
  { sensorTypes: [FAN], eventType: 0x0a, offsets: [4, 6, 8], category: 'fan-failure' },
  { sensorTypes: POWER, eventType: 0x07, offsets: WORSE, category: 'psu-failure' },
  { sensorTypes: POWER, eventType: 0x0b, offsets: NOT_REDUNDANT, category: 'psu-failure' },
  { sensorTypes: POWER, eventType: 0x04, offsets: [1], category: 'psu-failure' },
  { sensorTypes: POWER, eventType: 0x08, offsets: [0], category: 'psu-failure', severity: 'warning' },
  { sensorTypes: [PROCESSOR], eventType: 0x07, offsets: WORSE, category: 'processor-error' },
  { sensorTypes: [DRIVE], eventType: 0x07, offsets: WORSE, category: 'drive-fault' },
  { sensorTypes: [DRIVE], eventType: 0x04, offsets: [1], category: 'drive-fault' },
];

/** Threshold offsets (Table 42-2, type 0x01) that mean a fan is slowing down: lower NC/C/NR going low. */
const FAN_GOING_LOW = [0, 2, 4] as const;

function categorize(r: SystemEventRecord): { category: SelCategory; severity?: SelSeverity } {
  const off = r.eventOffset;
  switch (eventTypeClass(r.eventType)) {
    case 'threshold':
      if (r.sensorType === TEMPERATURE) return { category: 'temperature-threshold' };
      if (r.sensorType === FAN && (FAN_GOING_LOW as readonly number[]).includes(off)) return { category: 'fan-failure' };
      return { category: O };
    case 'sensor-specific':
      return { category: SENSOR_SPECIFIC_CATEGORIES[r.sensorType]?.[off] ?? O };
    case 'generic': {
      const rule = GENERIC_RULES.find((g) => g.eventType === r.eventType && g.sensorTypes.includes(r.sensorType) && g.offsets.includes(off));
      return rule ? { category: rule.category, ...(rule.severity ? { severity: rule.severity } : {}) } : { category: O };
    }
    default:
      return { category: O };
  }
}

function offsetText(r: SystemEventRecord): OffsetText | undefined {
  switch (eventTypeClass(r.eventType)) {
    case 'threshold':
    case 'generic':
      return genericEventText(r.eventType, r.eventOffset);
    case 'sensor-specific':
      return sensorSpecificText(r.sensorType, r.eventOffset);
    default:
      return undefined;
  }
}

function fallbackText(r: SystemEventRecord): string {
  const cls = eventTypeClass(r.eventType);
  const type = `0x${hex2(r.eventType)}`;
  if (cls === 'oem') return `OEM event type ${type}, offset ${r.eventOffset}`;
  if (cls === 'sensor-specific') return `sensor-specific offset ${r.eventOffset}`;
  return `event type ${type}, offset ${r.eventOffset}`;
}

/** Table 42-3, Watchdog 2 event data 2 bits 3:0: the timer use when it expired. */
const WATCHDOG_TIMER_USES: readonly string[] = ['reserved', 'BIOS FRB2', 'BIOS/POST', 'OS Load', 'SMS/OS', 'OEM'];

/** Extra facts from event data 2/3, where §29.7 and Table 42-3 say what they hold. */
function details(r: SystemEventRecord, fmt: (raw: number) => string): string[] {
  const [, d2, d3] = r.eventData;
  const out: string[] = [];
  if (r.eventData2Meaning === 'trigger-reading') out.push(`reading ${fmt(d2)}`);
  if (r.eventData3Meaning === 'trigger-threshold') out.push(`threshold ${fmt(d3)}`);
  if (r.eventType !== 0x6f) return out;
  const ss2 = r.eventData2Meaning === 'sensor-specific';
  const ss3 = r.eventData3Meaning === 'sensor-specific';
  switch (r.sensorType) {
    case 0x0c: // Memory: data 3 identifies the module
      if (ss3) out.push(`DIMM ${d3}`);
      break;
    case 0x10: // Event Logging Disabled offset 0: data 2 identifies the module
      if (r.eventOffset === 0 && ss2) out.push(`DIMM ${d2}`);
      break;
    case 0x0f: // System Firmware Progress: data 2 is an error (offset 0) or progress code
      if (ss2) {
        const table = r.eventOffset === 0 ? FIRMWARE_ERROR_CODES : FIRMWARE_PROGRESS_CODES;
        out.push(table[d2] ?? `code 0x${hex2(d2)}`);
      }
      break;
    case 0x23: // Watchdog 2: data 2 bits 3:0 are the timer use
      if (ss2) out.push(`timer use ${WATCHDOG_TIMER_USES[d2 & 0x0f] ?? `0x${hex2(d2 & 0x0f)}`}`);
      break;
  }
  return out;
}

function hexBytes(b: Buffer): string {
  return [...b].map(hex2).join(' ');
}

/**
 * A one-line human description of a SEL record plus the category and
 * severity the exporter counts it under. Deassertions keep the category (so a
 * recovered fan is still a fan event) with severity 'info'.
 */
export function describeEvent(record: SelRecord, opts: DescribeEventOptions = {}): SelEventDescription {
  switch (record.kind) {
    case 'oem-timestamped':
      return {
        description: `OEM record type 0x${hex2(record.recordType)} (manufacturer ${record.manufacturerId}): ${hexBytes(record.oemData)}`,
        category: O,
        severity: 'info',
      };
    case 'oem-non-timestamped':
      return {
        description: `OEM record type 0x${hex2(record.recordType)}: ${hexBytes(record.oemData)}`,
        category: O,
        severity: 'info',
      };
    case 'unknown':
      return {
        description: `Unknown SEL record type 0x${hex2(record.recordType)}: ${hexBytes(record.data)}`,
        category: O,
        severity: 'info',
      };
    case 'system-event':
      break;
  }
  const r = record;
  const fmt = opts.formatReading ?? ((raw: number) => String(raw));
  const entry = offsetText(r);
  const extra = details(r, fmt);
  const subject = sensorTypeName(r.sensorType) + (opts.sensorName ? ` (${opts.sensorName})` : '');
  const what = (entry?.[0] ?? fallbackText(r)) + (extra.length > 0 ? ` (${extra.join(', ')})` : '');
  const asserted = r.eventDirection === 'assertion';
  const { category, severity } = categorize(r);
  return {
    description: `${subject}: ${what} ${asserted ? 'asserted' : 'deasserted'}`,
    category,
    severity: asserted ? (severity ?? entry?.[1] ?? 'info') : 'info',
  };
}
