import type { SelSeverity } from './categories.js';

/** One event offset: our short text for it and the severity of its assertion. */
export type OffsetText = readonly [text: string, severity: SelSeverity];

/**
 * IPMI v2.0 §42.2 Table 42-2: generic event/reading type codes 0x01-0x0C,
 * indexed by event type then by the offset in event data 1 bits 3:0. Texts
 * are ours, shortened from the spec's; severities are our judgement of the
 * asserted state (a deassertion is always info).
 */
export const GENERIC_EVENT_TEXTS = {
  /** threshold-based sensors (§36.3) */
  0x01: [
    ['Lower Non-critical going low', 'warning'],
    ['Lower Non-critical going high', 'warning'],
    ['Lower Critical going low', 'critical'],
    ['Lower Critical going high', 'critical'],
    ['Lower Non-recoverable going low', 'critical'],
    ['Lower Non-recoverable going high', 'critical'],
    ['Upper Non-critical going low', 'warning'],
    ['Upper Non-critical going high', 'warning'],
    ['Upper Critical going low', 'critical'],
    ['Upper Critical going high', 'critical'],
    ['Upper Non-recoverable going low', 'critical'],
    ['Upper Non-recoverable going high', 'critical'],
  ],
  /** DMI-based usage state */
  0x02: [
    ['Transition to Idle', 'info'],
    ['Transition to Active', 'info'],
    ['Transition to Busy', 'info'],
  ],
  /** digital discrete */
  0x03: [
    ['State Deasserted', 'info'],
    ['State Asserted', 'info'],
  ],
  /** digital discrete: predictive failure */
  0x04: [
    ['Predictive Failure deasserted', 'info'],
    ['Predictive Failure asserted', 'warning'],
  ],
  /** digital discrete: limit */
  0x05: [
    ['Limit Not Exceeded', 'info'],
    ['Limit Exceeded', 'warning'],
  ],
  /** digital discrete: performance */
  0x06: [
    ['Performance Met', 'info'],
    ['Performance Lags', 'warning'],
  ],
  /** severity states */
  0x07: [
    ['Transition to OK', 'info'],
    ['Transition to Non-Critical from OK', 'warning'],
    ['Transition to Critical from less severe', 'critical'],
    ['Transition to Non-recoverable from less severe', 'critical'],
    ['Transition to Non-Critical from more severe', 'warning'],
    ['Transition to Critical from Non-recoverable', 'critical'],
    ['Transition to Non-recoverable', 'critical'],
    ['Monitor', 'info'],
    ['Informational', 'info'],
  ],
  /** device presence */
  0x08: [
    ['Device Removed / Absent', 'info'],
    ['Device Inserted / Present', 'info'],
  ],
  /** device enabled */
  0x09: [
    ['Device Disabled', 'info'],
    ['Device Enabled', 'info'],
  ],
  /** availability states */
  0x0a: [
    ['Transition to Running', 'info'],
    ['Transition to In Test', 'info'],
    ['Transition to Power Off', 'info'],
    ['Transition to On Line', 'info'],
    ['Transition to Off Line', 'warning'],
    ['Transition to Off Duty', 'info'],
    ['Transition to Degraded', 'warning'],
    ['Transition to Power Save', 'info'],
    ['Install Error', 'warning'],
  ],
  /** redundancy states */
  0x0b: [
    ['Fully Redundant', 'info'],
    ['Redundancy Lost', 'warning'],
    ['Redundancy Degraded', 'warning'],
    ['Non-redundant: Sufficient Resources from Redundant', 'warning'],
    ['Non-redundant: Sufficient Resources from Insufficient Resources', 'warning'],
    ['Non-redundant: Insufficient Resources', 'critical'],
    ['Redundancy Degraded from Fully Redundant', 'warning'],
    ['Redundancy Degraded from Non-redundant', 'warning'],
  ],
  /** ACPI device power states */
  0x0c: [
    ['D0 Power State', 'info'],
    ['D1 Power State', 'info'],
    ['D2 Power State', 'info'],
    ['D3 Power State', 'info'],
  ],
} as const satisfies Record<number, readonly OffsetText[]>;

/** The Table 42-2 entry for a generic event type and offset, if the spec defines one. */
export function genericEventText(eventType: number, offset: number): OffsetText | undefined {
  const table = (GENERIC_EVENT_TEXTS as Record<number, readonly OffsetText[]>)[eventType];
  return table?.[offset];
}
