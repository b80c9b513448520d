/**
 * FRU spec v1.0 §10 (Chassis Info Area, byte 2): the chassis type uses the
 * SMBIOS "System Enclosure or Chassis Types" values (SMBIOS 3.x §7.4.1).
 */
export const CHASSIS_TYPES = {
  0x01: 'Other',
  0x02: 'Unknown',
  0x03: 'Desktop',
  0x04: 'Low Profile Desktop',
  0x05: 'Pizza Box',
  0x06: 'Mini Tower',
  0x07: 'Tower',
  0x08: 'Portable',
  0x09: 'Laptop',
  0x0a: 'Notebook',
  0x0b: 'Hand Held',
  0x0c: 'Docking Station',
  0x0d: 'All in One',
  0x0e: 'Sub Notebook',
  0x0f: 'Space-saving',
  0x10: 'Lunch Box',
  /** the usual value for a standalone server */
  0x11: 'Main Server Chassis',
  0x12: 'Expansion Chassis',
  0x13: 'SubChassis',
  0x14: 'Bus Expansion Chassis',
  0x15: 'Peripheral Chassis',
  0x16: 'RAID Chassis',
  /** the usual value for a rack server */
  0x17: 'Rack Mount Chassis',
  0x18: 'Sealed-case PC',
  0x19: 'Multi-system Chassis',
  0x1a: 'CompactPCI',
  0x1b: 'AdvancedTCA',
  0x1c: 'Blade',
  0x1d: 'Blade Enclosure',
  0x1e: 'Tablet',
  0x1f: 'Convertible',
  0x20: 'Detachable',
  0x21: 'IoT Gateway',
  0x22: 'Embedded PC',
  0x23: 'Mini PC',
  0x24: 'Stick PC',
} as const satisfies Record<number, string>;

export function chassisTypeName(code: number): string {
  return (CHASSIS_TYPES as Record<number, string>)[code] ?? `Unknown (0x${code.toString(16).padStart(2, '0')})`;
}
