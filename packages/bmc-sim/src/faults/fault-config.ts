/**
 * What can go wrong with one simulated BMC. Packet-level faults are applied by
 * FaultInjector around the (synchronous) protocol engine; BMC-level faults
 * (wrong password, session limit, vendor quirks) are applied by the fleet to
 * the protocol config and the model. All of it can change at run time.
 */
export interface FaultConfig {
  /** Requests silently dropped, percent. */
  lossPercent: number;
  /** Every answer sent this much later (ms). */
  delayMs: number;
  /** Plus a uniform extra delay in [0, jitterMs). */
  jitterMs: number;
  /** Answers sent twice, percent. */
  duplicatePercent: number;
  /** Hold each answer back and send it after the next one (or after reorderHoldMs). */
  reorder: boolean;
  /** How long a held answer waits for a successor before it goes out anyway (ms). */
  reorderHoldMs: number;
  /** Answers with one byte of the IPMI message flipped, percent. */
  corruptPercent: number;
  /** Answers cut short, percent. */
  truncatePercent: number;
  /** In-session answers carrying another session id, percent. */
  wrongSessionIdPercent: number;
  /** Authenticated answers with a flipped byte in the integrity trailer / auth code, percent. */
  badIntegrityPercent: number;
  /** Drop every request (a BMC that is off the network). */
  noAnswer: boolean;
  /** The BMC's users get a different password, so every login fails (established sessions live on). */
  wrongPassword: boolean;
  /** Extra delay for Get SDR answers (ms): a slow SDR repository. */
  slowSdrMs: number;
  /** Extra delay for every SEL command's answer (Get SEL Info, Reserve SEL, Get SEL Entry, ...; ms): a slow SEL. */
  slowSelMs: number;
  /** Session limit 0: every new session is refused with "insufficient resources". */
  sessionLimitReached: boolean;
  /** Vendor quirk: Get SDR asking for more than this many bytes answers 0xCA; null: off. */
  sdrMaxRead: number | null;
  /** Vendor quirk: SDR ID strings typed 00 (unicode) though they are 8-bit ASCII. */
  sdrIdType00: boolean;
  /** Vendor quirk: PSU wattage sensors typed "Other" (0x0B) instead of power supply. */
  psuTypedOther: boolean;
  /** Vendor quirk: AES-CBC trailer padded with a full 16-byte block. */
  aesPad16: boolean;
  /** Vendor quirk: RAKP HMACs over the Open Session privilege instead of RAKP1's. */
  rakpOpenSessionPrivilege: boolean;
  /** Vendor quirk: DCMI requests silently ignored instead of rejected. */
  dcmiIgnore: boolean;
  /** Hostile: the last SDR record's next-record ID points back at the second record (the walk never ends). */
  sdrCycle: boolean;
  /** Hostile: the SDR repository holds this many records (1-65535; the model's, then OEM fillers); null: off. */
  sdrRecords: number | null;
  /** Hostile: the last SEL entry's next-record ID points back at the first. */
  selCycle: boolean;
  /** Hostile: the SEL holds this many entries (1-65535, made on demand) instead of the model's; null: off. */
  selEntries: number | null;
  /** Hostile: Get Sensor Reading answered with completion code 0 and 0-1 data bytes, percent. */
  shortSensorReadingPercent: number;
  /** Hostile: Get Sensor Reading answered with completion code 0 and 0-7 random data bytes, percent. */
  randomSensorReadingPercent: number;
  /** Hostile: Get Device ID answered with completion code 0 and 5 of its 11 data bytes. */
  shortDeviceId: boolean;
  /** Hostile: Get System GUID answered with completion code 0 and 7 of its 16 data bytes. */
  shortGuid: boolean;
}

export const NO_FAULTS: Readonly<FaultConfig> = Object.freeze({
  lossPercent: 0,
  delayMs: 0,
  jitterMs: 0,
  duplicatePercent: 0,
  reorder: false,
  reorderHoldMs: 200,
  corruptPercent: 0,
  truncatePercent: 0,
  wrongSessionIdPercent: 0,
  badIntegrityPercent: 0,
  noAnswer: false,
  wrongPassword: false,
  slowSdrMs: 0,
  slowSelMs: 0,
  sessionLimitReached: false,
  sdrMaxRead: null,
  sdrIdType00: false,
  psuTypedOther: false,
  aesPad16: false,
  rakpOpenSessionPrivilege: false,
  dcmiIgnore: false,
  sdrCycle: false,
  sdrRecords: null,
  selCycle: false,
  selEntries: null,
  shortSensorReadingPercent: 0,
  randomSensorReadingPercent: 0,
  shortDeviceId: false,
  shortGuid: false,
});

/** Fields that change the model's definition (the model is rebuilt when they change). */
export const MODEL_FAULTS = ['sdrMaxRead', 'sdrIdType00', 'psuTypedOther', 'dcmiIgnore'] as const satisfies readonly (keyof FaultConfig)[];
/** Command-level hostile answers (HostileAnswers, between the protocol engine and the model). */
export const HOSTILE_FAULTS = [
  'sdrCycle',
  'sdrRecords',
  'selCycle',
  'selEntries',
  'shortSensorReadingPercent',
  'randomSensorReadingPercent',
  'shortDeviceId',
  'shortGuid',
] as const satisfies readonly (keyof FaultConfig)[];
/** Fields that change the protocol config. */
export const PROTOCOL_FAULTS = [
  'wrongPassword',
  'sessionLimitReached',
  'aesPad16',
  'rakpOpenSessionPrivilege',
] as const satisfies readonly (keyof FaultConfig)[];

export class FaultConfigError extends Error {
  override name = 'FaultConfigError';
}

type Kind = 'percent' | 'ms' | 'boolean' | 'sdrMaxRead' | 'records';
const FIELD_KIND: Record<keyof FaultConfig, Kind> = {
  lossPercent: 'percent',
  delayMs: 'ms',
  jitterMs: 'ms',
  duplicatePercent: 'percent',
  reorder: 'boolean',
  reorderHoldMs: 'ms',
  corruptPercent: 'percent',
  truncatePercent: 'percent',
  wrongSessionIdPercent: 'percent',
  badIntegrityPercent: 'percent',
  noAnswer: 'boolean',
  wrongPassword: 'boolean',
  slowSdrMs: 'ms',
  slowSelMs: 'ms',
  sessionLimitReached: 'boolean',
  sdrMaxRead: 'sdrMaxRead',
  sdrIdType00: 'boolean',
  psuTypedOther: 'boolean',
  aesPad16: 'boolean',
  rakpOpenSessionPrivilege: 'boolean',
  dcmiIgnore: 'boolean',
  sdrCycle: 'boolean',
  sdrRecords: 'records',
  selCycle: 'boolean',
  selEntries: 'records',
  shortSensorReadingPercent: 'percent',
  randomSensorReadingPercent: 'percent',
  shortDeviceId: 'boolean',
  shortGuid: 'boolean',
};

export const FAULT_FIELDS = Object.keys(FIELD_KIND) as (keyof FaultConfig)[];

/**
 * Check an untrusted patch (control API body, YAML) field by field, so a typo
 * is an error that names the field rather than a fault that silently never
 * happens.
 */
export function parseFaultPatch(input: unknown, where = 'faults'): Partial<FaultConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultConfigError(`${where}: expected an object of fault settings`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const kind = FIELD_KIND[key as keyof FaultConfig];
    if (!kind) throw new FaultConfigError(`${where}: unknown fault "${key}" (known: ${FAULT_FIELDS.join(', ')})`);
    const name = `${where}.${key}`;
    switch (kind) {
      case 'boolean':
        if (typeof value !== 'boolean') throw new FaultConfigError(`${name}: expected true or false`);
        break;
      case 'percent':
        if (typeof value !== 'number' || !(value >= 0 && value <= 100)) throw new FaultConfigError(`${name}: expected a percentage 0-100`);
        break;
      case 'ms':
        if (typeof value !== 'number' || !(value >= 0 && value <= 600_000)) throw new FaultConfigError(`${name}: expected milliseconds 0-600000`);
        break;
      case 'sdrMaxRead':
        if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 255)) {
          throw new FaultConfigError(`${name}: expected a byte count 1-255, or null`);
        }
        break;
      case 'records':
        if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff)) {
          throw new FaultConfigError(`${name}: expected a record count 1-65535, or null`);
        }
        break;
    }
    out[key] = value;
  }
  return out as Partial<FaultConfig>;
}
