/**
 * Names as FreeIPMI prints them, which ipmi_exporter copies into labels:
 * sensor type names (IPMI v2.0 Table 42-3, FreeIPMI's spelling) for the
 * `type` label of ipmi_sensor_*, and vendor names for ipmi_bmc_info's
 * `manufacturer_id` ("Name (IANA number)").
 */
const SENSOR_TYPE_NAMES = [
  'Reserved',
  'Temperature',
  'Voltage',
  'Current',
  'Fan',
  'Physical Security',
  'Platform Security Violation Attempt',
  'Processor',
  'Power Supply',
  'Power Unit',
  'Cooling Device',
  'Other Units Based Sensor',
  'Memory',
  'Drive Slot',
  'POST Memory Resize',
  'System Firmware Progress',
  'Event Logging Disabled',
  'Watchdog 1',
  'System Event',
  'Critical Interrupt',
  'Button/Switch',
  'Module/Board',
  'Microcontroller/Coprocessor',
  'Add In Card',
  'Chassis',
  'Chip Set',
  'Other Fru',
  'Cable/Interconnect',
  'Terminator',
  'System Boot Initiated',
  'Boot Error',
  'OS Boot',
  'OS Critical Stop',
  'Slot/Connector',
  'System ACPI Power State',
  'Watchdog 2',
  'Platform Alert',
  'Entity Presence',
  'Monitor ASIC/IC',
  'LAN',
  'Management Subsystem Health',
  'Battery',
  'Session Audit',
  'Version Change',
  'FRU State',
] as const;

export function freeipmiSensorTypeName(code: number): string {
  if (code >= 0xc0) return 'OEM Reserved';
  return SENSOR_TYPE_NAMES[code] ?? 'Unrecognized';
}

/**
 * IANA enterprise numbers of server and BMC vendors, spelled as FreeIPMI's
 * table spells them. FreeIPMI knows every registered number; a vendor not
 * listed here is shown as the bare number, as FreeIPMI shows one it does not know.
 */
const MANUFACTURERS: Readonly<Record<number, string>> = {
  2: 'IBM',
  11: 'Hewlett-Packard',
  343: 'Intel Corporation',
  674: 'Dell Inc.',
  2011: 'HUAWEI Technology Co.,Ltd',
  4753: 'MontaVista Software, Inc.',
  5771: 'Cisco Systems, Inc.',
  6569: 'INVENTEC CORPORATION',
  7244: 'Quanta Computer Inc.',
  10368: 'Fujitsu Technology Solutions GmbH',
  10876: 'Super Micro Computer Inc.',
  11129: 'Google, Inc.',
  15370: 'GIGA-BYTE TECHNOLOGY CO., LTD',
  19046: 'Lenovo Enterprise Business Group',
  20301: 'IBM eServer X',
  37945: 'Inspur(BeiJing) Electronic Information Industry Co.,Ltd',
  47196: 'Hewlett Packard Enterprise',
  49622: 'ASRock Rack Incorporation',
  52538: 'Ampere Computing',
};

export function freeipmiManufacturer(id: number): string {
  const name = MANUFACTURERS[id];
  return name ? `${name} (${id})` : String(id);
}
