/**
 * IPMI v2.0 Table 42-3, sensor type 0x0F System Firmware Progress: what event
 * data 2 holds when event data 1 bits 7:6 say "sensor-specific". Texts are ours.
 */

/** Table 42-3, System Firmware Progress offset 0: event data 2 error codes. */
export const FIRMWARE_ERROR_CODES: readonly string[] = [
  'Unspecified',
  'No system memory installed',
  'No usable system memory',
  'Unrecoverable hard-disk/ATAPI/IDE device failure',
  'Unrecoverable system-board failure',
  'Unrecoverable diskette subsystem failure',
  'Unrecoverable hard-disk controller failure',
  'Unrecoverable PS/2 or USB keyboard failure',
  'Removable boot media not found',
  'Unrecoverable video controller failure',
  'No video device detected',
  'Firmware (BIOS) ROM corruption detected',
  'CPU voltage mismatch',
  'CPU speed matching failure',
];

/** Table 42-3, System Firmware Progress offsets 1 and 2: event data 2 progress codes. */
export const FIRMWARE_PROGRESS_CODES: readonly string[] = [
  'Unspecified',
  'Memory initialization',
  'Hard-disk initialization',
  'Secondary processor initialization',
  'User authentication',
  'User-initiated system setup',
  'USB resource configuration',
  'PCI resource configuration',
  'Option ROM initialization',
  'Video initialization',
  'Cache initialization',
  'SM Bus initialization',
  'Keyboard controller initialization',
  'Management controller initialization',
  'Docking station attachment',
  'Enabling docking station',
  'Docking station ejection',
  'Disabling docking station',
  'Calling OS wake-up vector',
  'Starting OS boot process',
  'Baseboard initialization',
  'Reserved',
  'Floppy initialization',
  'Keyboard test',
  'Pointing device test',
  'Primary processor initialization',
];
