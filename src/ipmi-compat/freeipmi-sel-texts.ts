/**
 * The event text ipmi-sel prints in its "Event" column (FreeIPMI's short
 * strings for IPMI v2.0 Tables 42-2 and 42-3), restated so that the
 * sel_events regexes people wrote against ipmi_exporter keep matching.
 * Indexed by event offset. As with ipmitool's texts in packages/ipmi, this
 * is output vocabulary kept for compatibility, not logic.
 */

/** Threshold events (reading type 0x01), offsets 0x00-0x0B. */
export const THRESHOLD_EVENT_TEXTS = [
  'Lower Non-critical - going low', 'Lower Non-critical - going high', 'Lower Critical - going low', 'Lower Critical - going high',
  'Lower Non-recoverable - going low', 'Lower Non-recoverable - going high', 'Upper Non-critical - going low', 'Upper Non-critical - going high',
  'Upper Critical - going low', 'Upper Critical - going high', 'Upper Non-recoverable - going low', 'Upper Non-recoverable - going high',
] as const;

/** Generic discrete reading types 0x02-0x0C. */
export const GENERIC_EVENT_TEXTS: Readonly<Record<number, readonly string[]>> = {
  0x02: ['Transition to Idle', 'Transition to Active', 'Transition to Busy'],
  0x03: ['State Deasserted', 'State Asserted'],
  0x04: ['Predictive Failure deasserted', 'Predictive Failure asserted'],
  0x05: ['Limit Not Exceeded', 'Limit Exceeded'],
  0x06: ['Performance Met', 'Performance Lags'],
  0x07: [
    'transition to OK', 'transition to Non-Critical from OK', 'transition to Critical from less severe', 'transition to Non-recoverable from less severe',
    'transition to Non-Critical from more severe', 'transition to Critical from Non-recoverable', 'transition to Non-recoverable', 'Monitor', 'Informational',
  ],
  0x08: ['Device Removed/Device Absent', 'Device Inserted/Device Present'],
  0x09: ['Device Disabled', 'Device Enabled'],
  0x0a: [
    'transition to Running', 'transition to In Test', 'transition to Power Off', 'transition to On Line', 'transition to Off Line',
    'transition to Off Duty', 'transition to Degraded', 'transition to Power Save', 'Install Error',
  ],
  0x0b: [
    'Fully Redundant', 'Redundancy Lost', 'Redundancy Degraded', 'Non-redundant:Sufficient Resources from Redundant',
    'Non-redundant:Sufficient Resources from Insufficient Resources', 'Non-redundant:Insufficient Resources',
    'Redundancy Degraded from Fully Redundant', 'Redundancy Degraded from Non-redundant',
  ],
  0x0c: ['D0 Power State', 'D1 Power State', 'D2 Power State', 'D3 Power State'],
};

/** Sensor-specific events (reading type 0x6F), by sensor type. */
export const SENSOR_SPECIFIC_EVENT_TEXTS: Readonly<Record<number, readonly string[]>> = {
  0x05: ['General Chassis Intrusion', 'Drive Bay intrusion', 'I/O Card area intrusion', 'Processor area intrusion', 'LAN Leash Lost', 'Unauthorized dock', 'FAN area intrusion'],
  0x06: [
    'Secure Mode Violation attempt', 'Pre-boot Password Violation - user password', 'Pre-boot Password Violation - setup password',
    'Pre-boot Password Violation - network boot password', 'Other pre-boot Password Violation', 'Out-of-band Access Password Violation',
  ],
  0x07: [
    'IERR', 'Thermal Trip', 'FRB1/BIST failure', 'FRB2/Hang in POST failure', 'FRB3/Processor Startup/Initialization failure', 'Configuration Error',
    "SM BIOS `Uncorrectable CPU-complex Error'", 'Processor Presence detected', 'Processor disabled', 'Terminator Presence Detected',
    'Processor Automatically Throttled', 'Machine Check Exception', 'Correctable Machine Check Error',
  ],
  0x08: [
    'Presence detected', 'Power Supply Failure detected', 'Predictive Failure', 'Power Supply input lost (AC/DC)', 'Power Supply input lost or out-of-range',
    'Power Supply input out-of-range, but present', 'Configuration error', 'Power Supply Inactive',
  ],
  0x09: ['Power Off/Power Down', 'Power Cycle', '240VA Power Down', 'Interlock Power Down', 'AC lost/Power input lost', 'Soft Power Control Failure', 'Power Unit Failure detected', 'Predictive Failure'],
  0x0c: [
    'Correctable memory error', 'Uncorrectable memory error', 'Parity', 'Memory Scrub Failed', 'Memory Device Disabled',
    'Correctable memory error logging limit reached', 'Presence detected', 'Configuration error', 'Spare', 'Memory Automatically Throttled', 'Critical Overtemperature',
  ],
  0x0d: [
    'Drive Presence', 'Drive Fault', 'Predictive Failure', 'Hot Spare', 'Consistency Check / Parity Check in progress', 'In Critical Array', 'In Failed Array',
    'Rebuild/Remap in progress', 'Rebuild/Remap Aborted',
  ],
  0x0f: ['System Firmware Error', 'System Firmware Hang', 'System Firmware Progress'],
  0x10: [
    'Correctable Memory Error Logging Disabled', 'Event Type Logging Disabled', 'Log Area Reset/Cleared', 'All Event Logging Disabled', 'SEL Full',
    'SEL Almost Full', 'Correctable Machine Check Error Logging Disabled',
  ],
  0x11: [
    'BIOS Watchdog Reset', 'OS Watchdog Reset', 'OS Watchdog Shut Down', 'OS Watchdog Power Down', 'OS Watchdog Power Cycle',
    'OS Watchdog NMI/Diagnostic Interrupt', 'OS Watchdog Expired, status only', 'OS Watchdog pre-timeout Interrupt, non-NMI',
  ],
  0x12: ['System Reconfigured', 'OEM System Boot Event', 'Undetermined system hardware failure', 'Entry added to Auxiliary Log', 'PEF Action', 'Timestamp Clock Synch'],
  0x13: [
    'Front Panel NMI/Diagnostic Interrupt', 'Bus Timeout', 'I/O channel check NMI', 'Software NMI', 'PCI PERR', 'PCI SERR', 'EISA Fail Safe Timeout',
    'Bus Correctable Error', 'Bus Uncorrectable Error', 'Fatal NMI', 'Bus Fatal Error', 'Bus Degraded',
  ],
  0x14: ['Power Button pressed', 'Sleep Button pressed', 'Reset Button pressed', 'FRU latch open', 'FRU service request button'],
  0x19: ['Soft Power Control Failure', 'Thermal Trip'],
  0x1b: ['Cable/Interconnect is connected', 'Configuration Error - Incorrect cable connected'],
  0x1d: [
    'Initiated by power up', 'Initiated by hard reset', 'Initiated by warm reset', 'User requested PXE boot', 'Automatic boot to diagnostic',
    'OS / run-time software initiated hard reset', 'OS / run-time software initiated warm reset', 'System Restart',
  ],
  0x1e: ['No bootable media', 'Non-bootable diskette left in drive', 'PXE Server not found', 'Invalid boot sector', 'Timeout waiting for user selection of boot source'],
  0x1f: [
    'A: boot completed', 'C: boot completed', 'PXE boot completed', 'Diagnostic boot completed', 'CD-ROM boot completed', 'ROM boot completed',
    'boot completed - boot device not specified', 'Base OS/Hypervisor Installation started', 'Base OS/Hypervisor Installation completed',
    'Base OS/Hypervisor Installation aborted', 'Base OS/Hypervisor Installation failed',
  ],
  0x20: ['Critical stop during OS load', 'Run-time Critical Stop', 'OS Graceful Stop', 'OS Graceful Shutdown', 'Soft Shutdown initiated by PEF', 'Agent Not Responding'],
  0x21: [
    'Fault Status asserted', 'Identify Status asserted', 'Slot/Connector Device installed/attached', 'Slot/Connector Ready for Device Installation',
    'Slot/Connector Ready for Device Removal', 'Slot Power is Off', 'Slot/Connector Device Removal Request', 'Interlock asserted', 'Slot is Disabled',
    'Slot holds spare device',
  ],
  0x22: [
    'S0/G0', 'S1', 'S2', 'S3', 'S4', 'S5/G2', 'S4/S5 soft-off', 'G3/Mechanical Off', 'Sleeping in an S1, S2, or S3 states', 'G1 sleeping',
    'S5 entered by override', 'Legacy ON state', 'Legacy OFF state', 'Unspecified', 'Unknown',
  ],
  0x23: ['Timer expired, status only', 'Hard Reset', 'Power Down', 'Power Cycle', 'reserved', 'reserved', 'reserved', 'reserved', 'Timer interrupt'],
  0x24: ['platform generated page', 'platform generated LAN alert', 'Platform Event Trap generated', 'platform generated SNMP trap, OEM format'],
  0x25: ['Entity Present', 'Entity Absent', 'Entity Disabled'],
  0x27: ['LAN Heartbeat Lost', 'LAN Heartbeat'],
  0x28: ['sensor access degraded or unavailable', 'controller access degraded or unavailable', 'management controller off-line', 'management controller unavailable', 'sensor failure', 'FRU failure'],
  0x29: ['battery low', 'battery failed', 'battery presence detected'],
  0x2a: ['Session Activated', 'Session Deactivated', 'Invalid Username or Password', 'Invalid Password Disable'],
  0x2b: [
    'Hardware change detected with associated Entity', 'Firmware or software change detected with associated Entity',
    'Hardware incompatibility detected with associated Entity', 'Firmware or software incompatibility detected with associated Entity',
    'Entity is of an invalid or unsupported hardware version', 'Entity contains an invalid or unsupported firmware or software version',
    'Hardware Change detected with associated Entity was successful', 'Software or F/W Change detected with associated Entity was successful',
  ],
  0x2c: ['FRU Not Installed', 'FRU Inactive', 'FRU Activation Requested', 'FRU Activation In Progress', 'FRU Active', 'FRU Deactivation Requested', 'FRU Deactivation In Progress', 'FRU Communication Lost'],
};
