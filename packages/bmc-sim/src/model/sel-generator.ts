import { EVENT_READING_TYPES } from '@bmc-exporter/ipmi';
import type { SelEntryDefinition, SelEventKind } from './definition.js';
import { sensorTypeCode } from './names.js';
import type { SimSensor } from './sensors.js';

/** Every kind the generator knows, in its default cycling order. */
export const SEL_EVENT_KINDS: readonly SelEventKind[] = [
  'memory-ecc-correctable',
  'fan-lower-critical',
  'psu-failure',
  'temperature-upper-critical',
  'ac-lost',
];

/** Sensor types (Table 42-3) the kinds are logged against. */
const TYPE = {
  temperature: sensorTypeCode('temperature'),
  fan: sensorTypeCode('fan'),
  powerSupply: sensorTypeCode('power-supply'),
  memory: sensorTypeCode('memory'),
} as const;
/** §42.1: threshold and sensor-specific event/reading types. */
const THRESHOLD = EVENT_READING_TYPES.threshold;
const SENSOR_SPECIFIC = EVENT_READING_TYPES.sensorSpecific;
/**
 * §29.7 Table 29-6 event data 1: [7:6] = 01b data 2 is the trigger reading,
 * [5:4] = 01b data 3 is the threshold (threshold events); [5:4] = 11b data 3
 * is a sensor-specific extension (discrete events: the DIMM for memory).
 */
const TRIGGER_READING_AND_THRESHOLD = 0x50;
const DATA3_SENSOR_SPECIFIC = 0x30;
/** Most generated events in one tick, so a long pause cannot flood the SEL at once. */
const MAX_PER_TICK = 64;

/**
 * Builds one event of a kind, on the first defined sensor of the matching
 * type (number 0 when there is none). Offsets: memory 0 correctable ECC,
 * threshold 2 lower critical going low, threshold 9 upper critical going
 * high, power supply 1 failure detected and 3 AC lost (Table 42-2, 42-3).
 */
export function eventOfKind(kind: SelEventKind, sensors: readonly SimSensor[], n: number): SelEntryDefinition {
  const first = (type: number) => sensors.find((s) => s.sensorType === type && s.kind !== 'event-only');
  switch (kind) {
    case 'memory-ecc-correctable':
      return {
        sensorType: TYPE.memory,
        sensorNumber: first(TYPE.memory)?.number ?? 0,
        eventType: SENSOR_SPECIFIC,
        data: [DATA3_SENSOR_SPECIFIC | 0x00, 0xff, (n % 8) + 1],
      };
    case 'fan-lower-critical': {
      const s = first(TYPE.fan);
      const threshold = s?.rawThresholds.lcr ?? 0x05;
      return {
        sensorType: TYPE.fan,
        sensorNumber: s?.number ?? 0,
        eventType: THRESHOLD,
        data: [TRIGGER_READING_AND_THRESHOLD | 0x02, Math.max(0, threshold - 1), threshold],
      };
    }
    case 'temperature-upper-critical': {
      const s = first(TYPE.temperature);
      const threshold = s?.rawThresholds.ucr ?? 0x5a;
      return {
        sensorType: TYPE.temperature,
        sensorNumber: s?.number ?? 0,
        eventType: THRESHOLD,
        data: [TRIGGER_READING_AND_THRESHOLD | 0x09, Math.min(0xff, threshold + 1), threshold],
      };
    }
    case 'psu-failure':
    case 'ac-lost':
      return {
        sensorType: TYPE.powerSupply,
        sensorNumber: first(TYPE.powerSupply)?.number ?? 0,
        eventType: SENSOR_SPECIFIC,
        data: [kind === 'psu-failure' ? 0x01 : 0x03, 0xff, 0xff],
      };
  }
}

/** Adds events every `everyMs`, cycling through `kinds`; driven by tick(now) from the fleet layer. */
export class SelGenerator {
  private nextAt: number;
  private n = 0;

  constructor(
    private readonly everyMs: number,
    private readonly kinds: readonly SelEventKind[],
    startMs: number,
    private readonly add: (e: SelEntryDefinition) => void,
    private readonly sensors: readonly SimSensor[],
  ) {
    if (!(everyMs > 0)) throw new RangeError(`SEL generator everyMs must be > 0, got ${everyMs}`);
    if (kinds.length === 0) throw new RangeError('SEL generator needs at least one kind');
    this.nextAt = startMs + everyMs;
  }

  /** Adds the events due by `nowMs`; returns how many. */
  tick(nowMs: number): number {
    let added = 0;
    while (nowMs >= this.nextAt && added < MAX_PER_TICK) {
      this.add(eventOfKind(this.kinds[this.n % this.kinds.length]!, this.sensors, this.n));
      this.n++;
      added++;
      this.nextAt += this.everyMs;
    }
    if (nowMs >= this.nextAt) this.nextAt = nowMs + this.everyMs;
    return added;
  }
}
