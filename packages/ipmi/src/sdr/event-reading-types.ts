/**
 * IPMI v2.0 §42.1 Table 42-1: event/reading type code ranges (SDR byte 14,
 * SEL event byte 13 [6:0]) and §42.2 Table 42-2: the generic codes' state
 * offsets. Sensor-specific (0x6F) offsets depend on the sensor type and live
 * with SEL decoding.
 */
export const EVENT_READING_TYPES = {
  /** event/reading type unspecified */
  unspecified: 0x00,
  /** analog sensor compared against thresholds */
  threshold: 0x01,
  /** offsets are defined per sensor type (Table 42-3) */
  sensorSpecific: 0x6f,
} as const;

/** Table 42-2: generic discrete codes 0x02-0x0C and threshold 0x01, offset -> state name. */
export const GENERIC_EVENT_STATES: Readonly<Record<number, readonly string[]>> = {
  0x01: [
    'Lower Non-critical - going low',
    'Lower Non-critical - going high',
    'Lower Critical - going low',
    'Lower Critical - going high',
    'Lower Non-recoverable - going low',
    'Lower Non-recoverable - going high',
    'Upper Non-critical - going low',
    'Upper Non-critical - going high',
    'Upper Critical - going low',
    'Upper Critical - going high',
    'Upper Non-recoverable - going low',
    'Upper Non-recoverable - going high',
  ],
  /** DMI-based usage state */
  0x02: ['Transition to Idle', 'Transition to Active', 'Transition to Busy'],
  0x03: ['State Deasserted', 'State Asserted'],
  0x04: ['Predictive Failure deasserted', 'Predictive Failure asserted'],
  0x05: ['Limit Not Exceeded', 'Limit Exceeded'],
  0x06: ['Performance Met', 'Performance Lags'],
  /** severity */
  0x07: [
    'transition to OK',
    'transition to Non-Critical from OK',
    'transition to Critical from less severe',
    'transition to Non-recoverable from less severe',
    'transition to Non-Critical from more severe',
    'transition to Critical from Non-recoverable',
    'transition to Non-recoverable',
    'Monitor',
    'Informational',
  ],
  0x08: ['Device Removed / Device Absent', 'Device Inserted / Device Present'],
  0x09: ['Device Disabled', 'Device Enabled'],
  0x0a: [
    'transition to Running',
    'transition to In Test',
    'transition to Power Off',
    'transition to On Line',
    'transition to Off Line',
    'transition to Off Duty',
    'transition to Degraded',
    'transition to Power Save',
    'Install Error',
  ],
  /** redundancy */
  0x0b: [
    'Fully Redundant',
    'Redundancy Lost',
    'Redundancy Degraded',
    'Non-redundant: Sufficient Resources from Redundant',
    'Non-redundant: Sufficient Resources from Insufficient Resources',
    'Non-redundant: Insufficient Resources',
    'Redundancy Degraded from Fully Redundant',
    'Redundancy Degraded from Non-redundant',
  ],
  /** ACPI device power state */
  0x0c: ['D0 Power State', 'D1 Power State', 'D2 Power State', 'D3 Power State'],
};

export type EventReadingClass = 'unspecified' | 'threshold' | 'generic' | 'sensor-specific' | 'oem' | 'reserved';

/** Which Table 42-1 range a code falls in. */
export function eventReadingClass(code: number): EventReadingClass {
  const c = code & 0x7f;
  if (c === 0x00) return 'unspecified';
  if (c === 0x01) return 'threshold';
  if (c >= 0x02 && c <= 0x0c) return 'generic';
  if (c === 0x6f) return 'sensor-specific';
  if (c >= 0x70 && c <= 0x7f) return 'oem';
  return 'reserved';
}

/** Name of a generic (0x01-0x0C) state offset, or undefined for other codes. */
export function genericEventStateName(eventReadingType: number, offset: number): string | undefined {
  return GENERIC_EVENT_STATES[eventReadingType & 0x7f]?.[offset];
}
