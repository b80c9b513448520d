/**
 * IPMI v2.0 §43.14 Table 43-13: entity ID codes (what physical or logical
 * thing a sensor or FRU belongs to). 0x40-0x42 come from DCMI v1.5 §6.7.
 * 0x90-0xAF are chassis-specific, 0xB0-0xCF board-set specific, 0xD0-0xFF OEM.
 */
export const ENTITY_IDS = {
  0x00: 'Unspecified',
  0x01: 'Other',
  0x02: 'Unknown',
  0x03: 'Processor',
  0x04: 'Disk or Disk Bay',
  0x05: 'Peripheral Bay',
  0x06: 'System Management Module',
  0x07: 'System Board',
  0x08: 'Memory Module',
  0x09: 'Processor Module',
  0x0a: 'Power Supply',
  0x0b: 'Add-in Card',
  0x0c: 'Front Panel Board',
  0x0d: 'Back Panel Board',
  0x0e: 'Power System Board',
  0x0f: 'Drive Backplane',
  0x10: 'System Internal Expansion Board',
  0x11: 'Other System Board',
  0x12: 'Processor Board',
  0x13: 'Power Unit / Power Domain',
  0x14: 'Power Module / DC-to-DC Converter',
  0x15: 'Power Management / Power Distribution Board',
  0x16: 'Chassis Back Panel Board',
  0x17: 'System Chassis',
  0x18: 'Sub-Chassis',
  0x19: 'Other Chassis Board',
  0x1a: 'Disk Drive Bay',
  0x1b: 'Peripheral Bay',
  0x1c: 'Device Bay',
  0x1d: 'Fan / Cooling Device',
  0x1e: 'Cooling Unit / Cooling Domain',
  0x1f: 'Cable / Interconnect',
  0x20: 'Memory Device',
  0x21: 'System Management Software',
  0x22: 'System Firmware (BIOS / EFI)',
  0x23: 'Operating System',
  0x24: 'System Bus',
  0x25: 'Group',
  0x26: 'Remote Management Communication Device',
  0x27: 'External Environment',
  0x28: 'Battery',
  0x29: 'Processing Blade',
  0x2a: 'Connectivity Switch',
  0x2b: 'Processor/Memory Module',
  0x2c: 'I/O Module',
  0x2d: 'Processor/IO Module',
  0x2e: 'Management Controller Firmware',
  0x2f: 'IPMI Channel',
  0x30: 'PCI Bus',
  0x31: 'PCI Express Bus',
  0x32: 'SCSI Bus (parallel)',
  0x33: 'SATA/SAS Bus',
  0x34: 'Processor / Front-Side Bus',
  0x35: 'Real Time Clock (RTC)',
  /** 0x36 is reserved; 0x37 was added in IPMI v2.0 rev 1.1 */
  0x37: 'Air Inlet',
  /** DCMI: the inlet temperature entity */
  0x40: 'Air Inlet',
  /** DCMI: CPU temperature entity */
  0x41: 'Processor',
  /** DCMI: baseboard temperature entity */
  0x42: 'Baseboard / Main System Board',
} as const satisfies Record<number, string>;

/** Name for an entity ID, with the range label for the vendor-defined blocks. */
export function entityIdName(code: number): string {
  const name = (ENTITY_IDS as Record<number, string>)[code];
  if (name !== undefined) return name;
  const hex = code.toString(16).padStart(2, '0');
  if (code >= 0x90 && code <= 0xaf) return `Chassis-specific (0x${hex})`;
  if (code >= 0xb0 && code <= 0xcf) return `Board-set specific (0x${hex})`;
  if (code >= 0xd0 && code <= 0xff) return `OEM (0x${hex})`;
  return `Reserved (0x${hex})`;
}
