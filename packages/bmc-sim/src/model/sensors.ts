import { BMC_OWNER_ID, EVENT_READING_TYPES, THRESHOLD_STATUS_BITS } from '@bmc-exporter/ipmi';
import { encodeCompactSensorRecord, encodeEventOnlyRecord, encodeFullSensorRecord, encodeGetSensorReadingResponse } from '@bmc-exporter/ipmi/wire';
import { deriveLinear, rawFromValue, rawToNumber, type Linear } from './conversion.js';
import type { SensorDefinition, SensorThresholds } from './definition.js';
import { entityCode, sensorTypeCode, unitCode } from './names.js';

/** Table 42-1: the threshold event/reading type, and sensor-specific discrete. */
const THRESHOLD_TYPE = EVENT_READING_TYPES.threshold;
const SENSOR_SPECIFIC_TYPE = EVENT_READING_TYPES.sensorSpecific;

/** Full SDR bytes 11-12 (Table 43-1): initialization and capabilities. */
const INIT = {
  /** scanning, events, thresholds, hysteresis, type initialised; event generation and scanning enabled */
  threshold: 0x7f,
  /** the same without thresholds and hysteresis */
  discrete: 0x67,
} as const;
const CAPABILITIES = {
  /** auto re-arm, hysteresis readable, thresholds readable, per-threshold event control */
  threshold: 0x68,
  /** auto re-arm only */
  discrete: 0x40,
} as const;

/** Discrete states each sensor type can report (Table 42-3), for the SDR's event and reading masks. */
const DISCRETE_MASKS: Readonly<Record<number, number>> = {
  /** physical security: intrusion, LAN leash lost, ... (offsets 0-6) */
  0x05: 0x007f,
  /** processor: IERR .. throttled (0-10) */
  0x07: 0x07ff,
  /** power supply: presence, failure, predictive failure, AC lost, ... (0-6) */
  0x08: 0x007f,
  /** power unit (0-7) */
  0x09: 0x00ff,
  /** memory: correctable ECC .. throttled (0-10) */
  0x0c: 0x07ff,
  /** drive slot (0-8) */
  0x0d: 0x01ff,
};

/** Readable-threshold bits (Table 43-1 bytes 19-20 [5:0]) and the status bits of Get Sensor Reading byte 3. */
const THRESHOLDS = [
  { key: 'lnc', bit: 0, status: THRESHOLD_STATUS_BITS.lnc, lower: true, eventBit: 0 },
  { key: 'lcr', bit: 1, status: THRESHOLD_STATUS_BITS.lc, lower: true, eventBit: 2 },
  { key: 'lnr', bit: 2, status: THRESHOLD_STATUS_BITS.lnr, lower: true, eventBit: 4 },
  { key: 'unc', bit: 3, status: THRESHOLD_STATUS_BITS.unc, lower: false, eventBit: 7 },
  { key: 'ucr', bit: 4, status: THRESHOLD_STATUS_BITS.uc, lower: false, eventBit: 9 },
  { key: 'unr', bit: 5, status: THRESHOLD_STATUS_BITS.unr, lower: false, eventBit: 11 },
] as const satisfies ReadonlyArray<{ key: keyof SensorThresholds; bit: number; status: number; lower: boolean; eventBit: number }>;

/** One sensor per record (§43.2 bytes 24-25 zero). */
const NO_SHARING = {
  shareCount: 0,
  idInstanceModifierType: 'numeric',
  idInstanceModifierOffset: 0,
  entityInstanceIncrements: false,
} as const;

/** One sensor's live state and its precomputed Get Sensor Reading answer. */
export class SimSensor {
  readonly name: string;
  readonly number: number;
  readonly lun: number;
  readonly owner: number;
  readonly kind: 'full' | 'compact' | 'event-only';
  readonly sensorType: number;
  readonly eventReadingType: number;
  readonly isThreshold: boolean;
  /** Conversion factors of full analog sensors. */
  readonly linear: Linear | undefined;
  /** Raw threshold bytes, for status bits and SEL event data. */
  readonly rawThresholds: Partial<Record<keyof SensorThresholds, number>> = {};
  present: boolean;
  /** Raw reading, or null for "reading unavailable". */
  private raw: number | null = null;
  private states = 0;
  /** The Get Sensor Reading response data; rebuilt only when the reading changes. */
  response: Buffer = Buffer.alloc(0);

  constructor(readonly def: SensorDefinition) {
    this.name = def.name;
    this.number = def.number;
    this.lun = def.lun ?? 0;
    this.owner = def.owner ?? BMC_OWNER_ID;
    this.sensorType = sensorTypeCode(def.sensorType);
    const analog = def.value !== undefined || def.thresholds !== undefined;
    this.eventReadingType = def.eventReadingType ?? (analog ? THRESHOLD_TYPE : SENSOR_SPECIFIC_TYPE);
    this.isThreshold = this.eventReadingType === THRESHOLD_TYPE;
    this.kind = def.record ?? (this.isThreshold ? 'full' : 'compact');
    this.linear = this.kind === 'full' && (this.isThreshold || def.unit !== undefined) ? deriveLinear(def) : undefined;
    if (this.linear) {
      for (const t of THRESHOLDS) {
        const v = def.thresholds?.[t.key];
        if (v !== undefined) this.rawThresholds[t.key] = rawFromValue(v, this.linear);
      }
    }
    this.present = def.present ?? true;
    this.raw = this.linear && def.value !== undefined ? rawFromValue(def.value, this.linear) : this.linear ? null : 0;
    this.states = stateBits(def.states ?? []);
    this.rebuild();
  }

  /** Engineering value (null: reading unavailable). Only analog sensors have one. */
  setValue(value: number | null): void {
    if (!this.linear) throw new RangeError(`sensor "${this.name}" has no analog reading`);
    this.raw = value === null ? null : rawFromValue(value, this.linear);
    this.rebuild();
  }

  setStates(offsets: readonly number[]): void {
    this.states = stateBits(offsets);
    this.rebuild();
  }

  get rawReading(): number | null {
    return this.raw;
  }

  /** Table 35-15. Byte 4 bit 7 is reserved and returned as 1. */
  private rebuild(): void {
    const unavailable = this.raw === null;
    let state1 = this.states & 0xff;
    let state2 = 0x80 | ((this.states >> 8) & 0x7f);
    if (this.isThreshold) {
      state1 = unavailable || !this.linear ? 0 : this.thresholdStatus(rawToNumber(this.raw!, this.linear));
      state2 = 0x80;
    }
    this.response = encodeGetSensorReadingResponse({
      raw: this.raw ?? 0,
      eventMessagesEnabled: true,
      scanningEnabled: true,
      readingUnavailable: unavailable,
      stateByte1: state1,
      stateByte2: state2,
    });
  }

  /** At or below a lower threshold, at or above an upper one (§35.14), compared as raw numbers like a BMC does. */
  private thresholdStatus(x: number): number {
    let bits = 0;
    for (const t of THRESHOLDS) {
      const raw = this.rawThresholds[t.key];
      if (raw === undefined) continue;
      const limit = rawToNumber(raw, this.linear!);
      if (t.lower ? x <= limit : x >= limit) bits |= t.status;
    }
    return bits;
  }

  /** The SDR record bytes (§43.1-§43.3) for this sensor under the given record ID. */
  encodeRecord(recordId: number): Buffer {
    const d = this.def;
    const idStringTypeLength = d.idStringType === 'unicode-as-ascii' ? 0x00 : 0xc0;
    const key = {
      recordId,
      ownerId: this.owner,
      ownerIsSoftware: (this.owner & 1) === 1,
      channel: 0,
      lun: this.lun,
      sensorNumber: this.number,
      entityId: entityCode(d.entity.id),
      entityInstance: d.entity.instance,
      entityIsLogical: false,
      idStringTypeLength,
      name: d.name,
      oem: 0,
      direction: 0,
    };
    if (this.kind === 'event-only') {
      return encodeEventOnlyRecord({ ...key, sensorType: this.sensorType, eventReadingType: this.eventReadingType, sharing: NO_SHARING });
    }
    const unit = unitCode(d.unit);
    const masks = this.masks();
    const common = {
      ...key,
      initialization: this.isThreshold ? INIT.threshold : INIT.discrete,
      capabilities: this.isThreshold ? CAPABILITIES.threshold : CAPABILITIES.discrete,
      sensorType: this.sensorType,
      eventReadingType: this.eventReadingType,
      ...masks,
      hysteresisPositive: 0,
      hysteresisNegative: 0,
    };
    const f = this.linear;
    const units = {
      analogFormat: f ? (f.signed ? 'twos-complement' : 'unsigned') : this.kind === 'full' ? 'none' : 'unsigned',
      rate: 0,
      modifier: 'none',
      percentage: unit.percentage,
      baseUnit: unit.baseUnit,
      modifierUnit: 0,
    } as const;
    if (this.kind === 'compact') return encodeCompactSensorRecord({ ...common, units, sharing: NO_SHARING });
    const t = this.rawThresholds;
    const nominal = f && d.value !== undefined ? rawFromValue(d.value, f) : 0;
    return encodeFullSensorRecord({
      ...common,
      units,
      conversion: {
        analogFormat: units.analogFormat,
        m: f?.m ?? 0,
        b: f?.b ?? 0,
        bExp: f?.bExp ?? 0,
        rExp: f?.rExp ?? 0,
        linearization: 0,
      },
      tolerance: 0,
      accuracy: 0,
      accuracyExp: 0,
      nominalSpecified: f !== undefined && d.value !== undefined,
      normalMaxSpecified: false,
      normalMinSpecified: false,
      raw: {
        nominal,
        normalMax: 0,
        normalMin: 0,
        sensorMax: f?.signed ? 0x7f : 0xff,
        sensorMin: f?.signed ? 0x80 : 0x00,
        thresholds: { unr: t.unr ?? 0, uc: t.ucr ?? 0, unc: t.unc ?? 0, lnr: t.lnr ?? 0, lc: t.lcr ?? 0, lnc: t.lnc ?? 0 },
      },
    });
  }

  /**
   * Bytes 15-20. Threshold sensors: going-low events for lower thresholds,
   * going-high for upper ones, [14:12] the thresholds compared in Get Sensor
   * Reading, [5:0] readable thresholds. Discrete: the states the type can have.
   */
  private masks(): { assertionMask: number; deassertionMask: number; readingMask: number } {
    if (!this.isThreshold) {
      const m = ((DISCRETE_MASKS[this.sensorType] ?? 0x7fff) | this.states) & 0x7fff;
      return { assertionMask: m, deassertionMask: m, readingMask: m };
    }
    let events = 0;
    let lowerCompare = 0;
    let upperCompare = 0;
    let readable = 0;
    for (const t of THRESHOLDS) {
      if (this.rawThresholds[t.key] === undefined) continue;
      events |= 1 << t.eventBit;
      readable |= 1 << t.bit;
      if (t.lower) lowerCompare |= 1 << (12 + t.bit);
      else upperCompare |= 1 << (12 + t.bit - 3);
    }
    return { assertionMask: events | lowerCompare, deassertionMask: events | upperCompare, readingMask: readable };
  }
}

function stateBits(offsets: readonly number[]): number {
  let bits = 0;
  for (const offset of offsets) {
    if (!Number.isInteger(offset) || offset < 0 || offset > 14) throw new RangeError(`discrete state offset ${offset} is not 0-14`);
    bits |= 1 << offset;
  }
  return bits;
}
