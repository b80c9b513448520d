import type { FruImageSpec } from '@bmc-exporter/ipmi/wire';

/**
 * Declarative, YAML-friendly descriptions of one simulated BMC: plain data
 * only, so the fleet layer can load them from files, vary them per BMC and
 * hand them to BmcModel. Names ('temperature', 'processor', 'celsius') are
 * looked up in the library's own tables (names.ts); numbers pass through.
 */

export interface SensorThresholds {
  lnr?: number;
  lcr?: number;
  lnc?: number;
  unc?: number;
  ucr?: number;
  unr?: number;
}

export interface SensorDefinition {
  name: string;
  number: number;
  /** Responder LUN the sensor lives on (0-3); default 0. */
  lun?: number;
  /** Sensor owner (IPMB slave address); default 0x20, the BMC. Other owners need bridging. */
  owner?: number;
  /** Default: 'full' for threshold sensors, 'compact' for discrete ones. */
  record?: 'full' | 'compact' | 'event-only';
  /** Table 42-3 code or a slug of its name ('temperature', 'fan', 'power-supply', 'other-units', ...). */
  sensorType: number | string;
  /** Table 43-13 code or slug ('processor', 'power-supply', 'air-inlet', 'system-board', 'fan', ...). */
  entity: { id: number | string; instance: number };
  /** Table 43-15 unit id from packages/ipmi/src/sdr/units.ts ('celsius', 'volts', 'rpm', 'watts', 'amps', 'percent'). */
  unit?: string;
  /** Conversion y = (M*x + B*10^bExp) * 10^rExp (§36.3); derived from value and thresholds when omitted. */
  m?: number;
  b?: number;
  bExp?: number;
  rExp?: number;
  analogFormat?: 'unsigned' | 'twos-complement';
  /** Initial engineering value of a threshold sensor (converted to the nearest raw byte). */
  value?: number;
  thresholds?: SensorThresholds;
  /** Asserted offsets (0-14) of a discrete sensor. */
  states?: number[];
  /** Event/reading type (Table 42-1): default 0x01 threshold when there is a value or thresholds, else 0x6F sensor-specific. */
  eventReadingType?: number;
  /** 'unicode-as-ascii' writes ID string type 00 with 8-bit ASCII bytes (a common vendor quirk); default 'ascii8' (type 11). */
  idStringType?: 'ascii8' | 'unicode-as-ascii';
  /** false: described in the SDR but Get Sensor Reading answers 0xCB (an empty socket). */
  present?: boolean;
}

export interface SelEntryDefinition {
  /** Seconds since the epoch; default: the model's clock when added. */
  timestamp?: number;
  sensorType: number | string;
  sensorNumber: number;
  /** Event/reading type code (0x01 threshold, 0x6F sensor-specific, ...). */
  eventType: number;
  /** Default true; false logs a deassertion. */
  assertion?: boolean;
  data: [number, number, number];
}

/** Event kinds the SEL generator cycles through (SelStore.GENERATOR_KINDS). */
export type SelEventKind = 'memory-ecc-correctable' | 'fan-lower-critical' | 'psu-failure' | 'temperature-upper-critical' | 'ac-lost';

export interface DcmiPowerDefinition {
  powerWatts: { current: number; min: number; max: number; average: number };
  /** Statistics reporting period; default 60 s. */
  periodSeconds?: number;
}

/** Knobs for the protocol engine (B1 / packages/bmc-sim/src/protocol); the model only reads `ipmi20` for Get Device ID. */
export interface ProtocolDefinition {
  /** false: an IPMI 1.5-only BMC (no RMCP+); Get Device ID then reports IPMI version 1.5. Default true. */
  ipmi20?: boolean;
  /** RMCP+ cipher suites offered; default: all the engine implements. */
  cipherSuites?: number[];
  /** IPMI 1.5 authentication types allowed; null: IPMI 1.5 sessions refused. */
  authTypes15?: Array<'none' | 'md2' | 'md5' | 'straight'> | null;
}

export interface BmcDefinition {
  device: {
    deviceId?: number;
    deviceRevision?: number;
    /** "major.minor" as ipmitool prints it: "2.47" is major 2, BCD minor 0x47. */
    firmware: string;
    manufacturerId: number;
    productId: number;
    auxFirmware?: number[];
  };
  /** 8-4-4-4-12 hex in wire order (what formatGuid prints for the Get System GUID bytes). */
  guid: string;
  chassis?: { poweredOn?: boolean; intrusion?: boolean; powerFault?: boolean; coolingFault?: boolean; driveFault?: boolean };
  sensors: SensorDefinition[];
  sel?: {
    /** Entries the SEL holds; default 512. A full SEL sets the overflow flag and drops new events (§31.2). */
    capacity?: number;
    entries?: SelEntryDefinition[];
    generator?: { everyMs: number; kinds?: SelEventKind[] };
  };
  /** FRU device 0, in buildFru's input shape (FRU spec v1.0 areas). */
  fru?: Pick<FruImageSpec, 'board' | 'product' | 'chassis'>;
  /** false: DCMI commands answer 0xC1; 'ignore': they get no answer at all (quirk); default: not supported (false). */
  dcmi?: false | 'ignore' | DcmiPowerDefinition;
  quirks?: {
    /** Get SDR asking for more bytes than this (0xFF = whole record counts as its length) answers 0xCA. */
    sdrMaxRead?: number;
    /** Hint for the fault layer: delay Get SDR answers by this much. The model itself never sleeps. */
    slowSdrMs?: number;
  };
  protocol?: ProtocolDefinition;
}
