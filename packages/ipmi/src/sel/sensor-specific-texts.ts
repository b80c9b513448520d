import type { OffsetText } from './generic-event-texts.js';

/**
 * IPMI v2.0 §42.2 Table 42-3: sensor-specific event offsets (event/reading
 * type 0x6F), indexed by sensor type then by the offset in event data 1
 * bits 3:0. Texts are ours, shortened from the spec's; severities are our
 * judgement of the asserted state. Sensor types the spec gives no offsets
 * (0x01-0x04, 0x0A, 0x0B, 0x0E, 0x15-0x18, 0x1A, 0x1C, 0x26) are absent.
 */
export const SENSOR_SPECIFIC_TEXTS = {
  /** Physical Security */
  0x05: [
    ['General Chassis Intrusion', 'warning'],
    ['Drive Bay Intrusion', 'warning'],
    ['I/O Card Area Intrusion', 'warning'],
    ['Processor Area Intrusion', 'warning'],
    ['LAN Leash Lost', 'warning'],
    ['Unauthorized Dock', 'warning'],
    ['Fan Area Intrusion', 'warning'],
  ],
  /** Platform Security Violation Attempt */
  0x06: [
    ['Secure Mode Violation Attempt', 'warning'],
    ['Pre-boot Password Violation: User Password', 'warning'],
    ['Pre-boot Password Violation: Setup Password', 'warning'],
    ['Pre-boot Password Violation: Network Boot Password', 'warning'],
    ['Other Pre-boot Password Violation', 'warning'],
    ['Out-of-band Access Password Violation', 'warning'],
  ],
  /** Processor */
  0x07: [
    ['IERR', 'critical'],
    ['Thermal Trip', 'critical'],
    ['FRB1/BIST Failure', 'critical'],
    ['FRB2/Hang in POST Failure', 'critical'],
    ['FRB3/Processor Startup Failure', 'critical'],
    ['Configuration Error', 'warning'],
    ['Uncorrectable CPU-complex Error', 'critical'],
    ['Presence Detected', 'info'],
    ['Processor Disabled', 'warning'],
    ['Terminator Presence Detected', 'info'],
    ['Automatically Throttled', 'warning'],
    ['Uncorrectable Machine Check Exception', 'critical'],
    ['Correctable Machine Check Error', 'warning'],
  ],
  /** Power Supply */
  0x08: [
    ['Presence Detected', 'info'],
    ['Failure Detected', 'critical'],
    ['Predictive Failure', 'warning'],
    ['Input Lost (AC/DC)', 'critical'],
    ['Input Lost or Out of Range', 'critical'],
    ['Input Out of Range but Present', 'warning'],
    ['Configuration Error', 'warning'],
    ['Inactive (Standby)', 'info'],
  ],
  /** Power Unit */
  0x09: [
    ['Power Off / Power Down', 'info'],
    ['Power Cycle', 'info'],
    ['240VA Power Down', 'warning'],
    ['Interlock Power Down', 'warning'],
    ['AC Lost / Power Input Lost', 'critical'],
    ['Soft Power Control Failure', 'critical'],
    ['Power Unit Failure Detected', 'critical'],
    ['Predictive Failure', 'warning'],
  ],
  /** Memory: event data 3 (when flagged sensor-specific) names the DIMM */
  0x0c: [
    ['Correctable ECC', 'warning'],
    ['Uncorrectable ECC', 'critical'],
    ['Parity Error', 'critical'],
    ['Memory Scrub Failed', 'critical'],
    ['Memory Device Disabled', 'critical'],
    ['Correctable ECC Logging Limit Reached', 'warning'],
    ['Presence Detected', 'info'],
    ['Configuration Error', 'warning'],
    ['Spare', 'info'],
    ['Automatically Throttled', 'warning'],
    ['Critical Overtemperature', 'critical'],
  ],
  /** Drive Slot (Bay) */
  0x0d: [
    ['Drive Present', 'info'],
    ['Drive Fault', 'critical'],
    ['Predictive Failure', 'warning'],
    ['Hot Spare', 'info'],
    ['Consistency / Parity Check in Progress', 'info'],
    ['In Critical Array', 'warning'],
    ['In Failed Array', 'critical'],
    ['Rebuild / Remap in Progress', 'info'],
    ['Rebuild / Remap Aborted', 'warning'],
  ],
  /** System Firmware Progress: event data 2 carries an error or progress code */
  0x0f: [
    ['System Firmware Error (POST Error)', 'warning'],
    ['System Firmware Hang', 'critical'],
    ['System Firmware Progress', 'info'],
  ],
  /** Event Logging Disabled */
  0x10: [
    ['Correctable Memory Error Logging Disabled', 'warning'],
    ['Event Type Logging Disabled', 'info'],
    ['Log Area Reset / Cleared', 'info'],
    ['All Event Logging Disabled', 'warning'],
    ['SEL Full', 'warning'],
    ['SEL Almost Full', 'info'],
    ['Correctable Machine Check Error Logging Disabled', 'warning'],
  ],
  /** Watchdog 1 (IPMI v1.0) */
  0x11: [
    ['BIOS Watchdog Reset', 'critical'],
    ['OS Watchdog Reset', 'critical'],
    ['OS Watchdog Shut Down', 'critical'],
    ['OS Watchdog Power Down', 'critical'],
    ['OS Watchdog Power Cycle', 'critical'],
    ['OS Watchdog NMI / Diagnostic Interrupt', 'warning'],
    ['OS Watchdog Expired, Status Only', 'warning'],
    ['OS Watchdog Pre-timeout Interrupt, non-NMI', 'warning'],
  ],
  /** System Event */
  0x12: [
    ['System Reconfigured', 'info'],
    ['OEM System Boot Event', 'info'],
    ['Undetermined System Hardware Failure', 'critical'],
    ['Entry Added to Auxiliary Log', 'info'],
    ['PEF Action', 'info'],
    ['Timestamp Clock Synchronised', 'info'],
  ],
  /** Critical Interrupt */
  0x13: [
    ['Front Panel NMI / Diagnostic Interrupt', 'critical'],
    ['Bus Timeout', 'critical'],
    ['I/O Channel Check NMI', 'critical'],
    ['Software NMI', 'critical'],
    ['PCI PERR', 'critical'],
    ['PCI SERR', 'critical'],
    ['EISA Fail Safe Timeout', 'critical'],
    ['Bus Correctable Error', 'warning'],
    ['Bus Uncorrectable Error', 'critical'],
    ['Fatal NMI', 'critical'],
    ['Bus Fatal Error', 'critical'],
    ['Bus Degraded', 'warning'],
  ],
  /** Button / Switch */
  0x14: [
    ['Power Button Pressed', 'info'],
    ['Sleep Button Pressed', 'info'],
    ['Reset Button Pressed', 'info'],
    ['FRU Latch Open', 'info'],
    ['FRU Service Request Button', 'info'],
  ],
  /** Chip Set */
  0x19: [
    ['Soft Power Control Failure', 'critical'],
    ['Thermal Trip', 'critical'],
  ],
  /** Cable / Interconnect */
  0x1b: [
    ['Connected', 'info'],
    ['Configuration Error: Incorrect Cable / Interconnection', 'warning'],
  ],
  /** System Boot / Restart Initiated */
  0x1d: [
    ['Initiated by Power Up', 'info'],
    ['Initiated by Hard Reset', 'info'],
    ['Initiated by Warm Reset', 'info'],
    ['User Requested PXE Boot', 'info'],
    ['Automatic Boot to Diagnostic', 'info'],
    ['OS Initiated Hard Reset', 'info'],
    ['OS Initiated Warm Reset', 'info'],
    ['System Restart', 'info'],
  ],
  /** Boot Error */
  0x1e: [
    ['No Bootable Media', 'warning'],
    ['Non-bootable Diskette Left in Drive', 'warning'],
    ['PXE Server Not Found', 'warning'],
    ['Invalid Boot Sector', 'warning'],
    ['Timeout Waiting for Boot Source Selection', 'info'],
  ],
  /** Base OS Boot / Installation Status */
  0x1f: [
    ['A: Boot Completed', 'info'],
    ['C: Boot Completed', 'info'],
    ['PXE Boot Completed', 'info'],
    ['Diagnostic Boot Completed', 'info'],
    ['CD-ROM Boot Completed', 'info'],
    ['ROM Boot Completed', 'info'],
    ['Boot Completed, Device Not Specified', 'info'],
    ['OS Installation Started', 'info'],
    ['OS Installation Completed', 'info'],
    ['OS Installation Aborted', 'warning'],
    ['OS Installation Failed', 'warning'],
  ],
  /** OS Stop / Shutdown */
  0x20: [
    ['Critical Stop During OS Load', 'critical'],
    ['Run-time Critical Stop', 'critical'],
    ['OS Graceful Stop', 'info'],
    ['OS Graceful Shutdown', 'info'],
    ['Soft Shutdown Initiated by PEF', 'info'],
    ['Agent Not Responding', 'warning'],
  ],
  /** Slot / Connector */
  0x21: [
    ['Fault Status', 'warning'],
    ['Identify Status', 'info'],
    ['Device Installed / Attached', 'info'],
    ['Ready for Device Installation', 'info'],
    ['Ready for Device Removal', 'info'],
    ['Slot Power Off', 'info'],
    ['Device Removal Request', 'info'],
    ['Interlock', 'info'],
    ['Slot Disabled', 'info'],
    ['Spare Device', 'info'],
  ],
  /** System ACPI Power State */
  0x22: [
    ['S0/G0 Working', 'info'],
    ['S1 Sleeping, Context Maintained', 'info'],
    ['S2 Sleeping, Processor Context Lost', 'info'],
    ['S3 Sleeping, Memory Retained', 'info'],
    ['S4 Suspend to Disk', 'info'],
    ['S5/G2 Soft Off', 'info'],
    ['S4/S5 Soft Off', 'info'],
    ['G3 Mechanical Off', 'info'],
    ['Sleeping in S1, S2 or S3', 'info'],
    ['G1 Sleeping', 'info'],
    ['S5 Entered by Override', 'info'],
    ['Legacy On', 'info'],
    ['Legacy Off', 'info'],
    ['Reserved', 'info'],
    ['Unknown', 'info'],
  ],
  /** Watchdog 2 */
  0x23: [
    ['Timer Expired, Status Only', 'warning'],
    ['Hard Reset', 'critical'],
    ['Power Down', 'critical'],
    ['Power Cycle', 'critical'],
    ['Reserved', 'warning'],
    ['Reserved', 'warning'],
    ['Reserved', 'warning'],
    ['Reserved', 'warning'],
    ['Timer Interrupt', 'warning'],
  ],
  /** Platform Alert */
  0x24: [
    ['Page Sent', 'info'],
    ['LAN Alert Sent', 'info'],
    ['Platform Event Trap Sent', 'info'],
    ['SNMP Trap Sent', 'info'],
  ],
  /** Entity Presence */
  0x25: [
    ['Entity Present', 'info'],
    ['Entity Absent', 'info'],
    ['Entity Disabled', 'info'],
  ],
  /** LAN */
  0x27: [
    ['LAN Heartbeat Lost', 'warning'],
    ['LAN Heartbeat', 'info'],
  ],
  /** Management Subsystem Health */
  0x28: [
    ['Sensor Access Degraded or Unavailable', 'warning'],
    ['Controller Access Degraded or Unavailable', 'warning'],
    ['Management Controller Off-line', 'warning'],
    ['Management Controller Unavailable', 'warning'],
    ['Sensor Failure', 'warning'],
    ['FRU Failure', 'warning'],
  ],
  /** Battery */
  0x29: [
    ['Battery Low', 'warning'],
    ['Battery Failed', 'critical'],
    ['Battery Presence Detected', 'info'],
  ],
  /** Session Audit */
  0x2a: [
    ['Session Activated', 'info'],
    ['Session Deactivated', 'info'],
    ['Invalid Username or Password', 'warning'],
    ['Invalid Password Disable', 'warning'],
  ],
  /** Version Change */
  0x2b: [
    ['Hardware Change Detected', 'info'],
    ['Firmware or Software Change Detected', 'info'],
    ['Hardware Incompatibility Detected', 'warning'],
    ['Firmware or Software Incompatibility Detected', 'warning'],
    ['Unsupported Hardware Version', 'warning'],
    ['Unsupported Firmware or Software Version', 'warning'],
    ['Hardware Change Successful', 'info'],
    ['Firmware or Software Change Successful', 'info'],
  ],
  /** FRU State */
  0x2c: [
    ['FRU Not Installed', 'info'],
    ['FRU Inactive', 'info'],
    ['FRU Activation Requested', 'info'],
    ['FRU Activation in Progress', 'info'],
    ['FRU Active', 'info'],
    ['FRU Deactivation Requested', 'info'],
    ['FRU Deactivation in Progress', 'info'],
    ['FRU Communication Lost', 'warning'],
  ],
} as const satisfies Record<number, readonly OffsetText[]>;

/** The Table 42-3 entry for a sensor type and offset, if the spec defines one. */
export function sensorSpecificText(sensorType: number, offset: number): OffsetText | undefined {
  const table = (SENSOR_SPECIFIC_TEXTS as Record<number, readonly OffsetText[]>)[sensorType];
  return table?.[offset];
}
