import { formatFirmware, type DeviceId } from '@bmc-exporter/ipmi';

/** IANA Private Enterprise Numbers of the vendors whose firmware strings use the aux revision bytes. */
export const FIRMWARE_VENDORS = {
  /** Intel Corporation */
  intel: 343,
  /** Dell Inc. */
  dell: 674,
  /** Quanta Computer Inc. */
  quanta: 7244,
} as const;

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * The bmc_info firmware label. For the vendors gebn/bmc_exporter knows
 * (its bmc.FirmwareVersion), the same string it produces, built from the
 * major/minor revision (minor BCD-decoded) and the 4 auxiliary revision bytes
 * of Get Device ID (IPMI v2.0 §20.1 Table 20-2 bytes 12:15; absent = zeros),
 * so existing series keep their labels:
 *   Intel  "01.20.5793"     %02d.%02d + aux[2:3] little-endian
 *   Dell   "2.41.40.40b07"  major.minor.aux[2].aux[3] "b" aux[1]
 *   Quanta "3.45.01"        major.minor.%02d aux[0]
 * Everyone else: "major.minor" with the BCD minor's two digits, as ipmitool
 * prints it ("2.05"; bmc_exporter would print "2.5" there).
 */
export function formatFirmwareLabel(d: Pick<DeviceId, 'manufacturerId' | 'firmwareMajor' | 'firmwareMinor' | 'firmwareMinorRaw' | 'auxFirmware'>): string {
  const aux = d.auxFirmware ?? Buffer.alloc(4);
  switch (d.manufacturerId) {
    case FIRMWARE_VENDORS.intel:
      return `${pad2(d.firmwareMajor)}.${pad2(d.firmwareMinor)}.${aux.readUInt16LE(2)}`;
    case FIRMWARE_VENDORS.dell:
      return `${d.firmwareMajor}.${d.firmwareMinor}.${aux[2]}.${aux[3]}b${pad2(aux[1]!)}`;
    case FIRMWARE_VENDORS.quanta:
      return `${d.firmwareMajor}.${d.firmwareMinor}.${pad2(aux[0]!)}`;
    default:
      return formatFirmware(d);
  }
}
