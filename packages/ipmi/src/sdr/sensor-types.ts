/**
 * IPMI v2.0 §42.2 Table 42-3: sensor type codes, as carried in SDR byte 13
 * (full/compact/event-only records) and SEL event byte 11. Names follow the
 * spec's "Sensor Type" column. 0xC0-0xFF are OEM reserved.
 */
export const SENSOR_TYPES = {
  /** reserved */
  0x00: 'Reserved',
  /** analog temperature sensors and their threshold events */
  0x01: 'Temperature',
  0x02: 'Voltage',
  0x03: 'Current',
  0x04: 'Fan',
  /** chassis intrusion, LAN leash lost */
  0x05: 'Physical Security',
  0x06: 'Platform Security Violation Attempt',
  /** IERR, thermal trip, FRB, presence, throttling */
  0x07: 'Processor',
  /** presence, failure, predictive failure, AC lost */
  0x08: 'Power Supply',
  /** power off, power cycle, AC lost for the whole unit */
  0x09: 'Power Unit',
  0x0a: 'Cooling Device',
  /** units-based sensors of no other type: vendors use it for PSU watts (peers.md) */
  0x0b: 'Other Units-based Sensor',
  /** ECC, parity, memory presence */
  0x0c: 'Memory',
  0x0d: 'Drive Slot (Bay)',
  0x0e: 'POST Memory Resize',
  0x0f: 'System Firmware Progress',
  /** includes "log area reset/cleared" */
  0x10: 'Event Logging Disabled',
  /** IPMI 1.0 watchdog; 0x23 supersedes it */
  0x11: 'Watchdog 1',
  0x12: 'System Event',
  /** NMI, bus errors, PCI PERR/SERR */
  0x13: 'Critical Interrupt',
  0x14: 'Button / Switch',
  0x15: 'Module / Board',
  0x16: 'Microcontroller / Coprocessor',
  0x17: 'Add-in Card',
  0x18: 'Chassis',
  0x19: 'Chip Set',
  0x1a: 'Other FRU',
  0x1b: 'Cable / Interconnect',
  0x1c: 'Terminator',
  0x1d: 'System Boot / Restart Initiated',
  0x1e: 'Boot Error',
  0x1f: 'Base OS Boot / Installation Status',
  0x20: 'OS Stop / Shutdown',
  0x21: 'Slot / Connector',
  0x22: 'System ACPI Power State',
  0x23: 'Watchdog 2',
  0x24: 'Platform Alert',
  0x25: 'Entity Presence',
  0x26: 'Monitor ASIC / IC',
  0x27: 'LAN',
  0x28: 'Management Subsystem Health',
  0x29: 'Battery',
  0x2a: 'Session Audit',
  0x2b: 'Version Change',
  0x2c: 'FRU State',
} as const satisfies Record<number, string>;

export type SensorTypeCode = keyof typeof SENSOR_TYPES;

/** Name of a sensor type code; OEM (0xC0-0xFF) and unassigned codes get a generic label with the hex code. */
export function sensorTypeName(code: number): string {
  const name = (SENSOR_TYPES as Record<number, string>)[code];
  if (name !== undefined) return name;
  const hex = code.toString(16).padStart(2, '0');
  return code >= 0xc0 && code <= 0xff ? `OEM reserved (0x${hex})` : `Unknown (0x${hex})`;
}
