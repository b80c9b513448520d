/**
 * The "additional device support" byte: Get Device ID response byte 6
 * (IPMI v2.0 Table 20-2) and, bit for bit the same, the MC Device Locator
 * record's "device capabilities" byte 9 (Table 43-9). One bit per function.
 */
export const DEVICE_SUPPORT_BITS = {
  /** [7] chassis device */
  chassis: 7,
  /** [6] bridge */
  bridge: 6,
  /** [5] IPMB event generator */
  ipmbEventGenerator: 5,
  /** [4] IPMB event receiver */
  ipmbEventReceiver: 4,
  /** [3] FRU inventory device */
  fruInventory: 3,
  /** [2] SEL device */
  sel: 2,
  /** [1] SDR repository device */
  sdrRepository: 1,
  /** [0] sensor device */
  sensor: 0,
} as const;

export type DeviceSupport = Record<keyof typeof DEVICE_SUPPORT_BITS, boolean>;

const ENTRIES = Object.entries(DEVICE_SUPPORT_BITS) as Array<[keyof DeviceSupport, number]>;

export function decodeDeviceSupport(byte: number): DeviceSupport {
  const out = {} as DeviceSupport;
  for (const [name, bit] of ENTRIES) out[name] = (byte & (1 << bit)) !== 0;
  return out;
}

export function encodeDeviceSupport(s: DeviceSupport): number {
  let byte = 0;
  for (const [name, bit] of ENTRIES) if (s[name]) byte |= 1 << bit;
  return byte;
}
