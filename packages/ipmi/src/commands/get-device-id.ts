import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';
import { decodeDeviceSupport, encodeDeviceSupport, type DeviceSupport } from './device-support.js';

/**
 * IPMI v2.0 §20.1 Get Device ID (App 0x01), response Table 20-2:
 *   1      device ID
 *   2      [7] provides device SDRs, [3:0] device revision
 *   3      [7] device unavailable (update / self-init in progress), [6:0] major firmware revision
 *   4      minor firmware revision, BCD
 *   5      IPMI version, BCD: [3:0] major digit, [7:4] minor digit (0x02 = 2.0, 0x51 = 1.5)
 *   6      additional device support bit field
 *   7:9    manufacturer ID, 20-bit IANA number, LS byte first
 *   10:11  product ID, LS byte first
 *   12:15  auxiliary firmware revision (optional)
 */
/** Get Device ID byte 6; the same bit field as the MC Device Locator's byte 9. */
export type DeviceIdSupport = DeviceSupport;

export interface DeviceId {
  deviceId: number;
  deviceRevision: number;
  providesSdrs: boolean;
  /** False while the device is updating firmware/SDRs or initialising (byte 3 bit 7 set). */
  deviceAvailable: boolean;
  firmwareMajor: number;
  /** Minor revision decoded from BCD (0x23 -> 23); the raw byte if it is not valid BCD. */
  firmwareMinor: number;
  /** The minor revision byte as sent (BCD), used for ipmitool-compatible formatting. */
  firmwareMinorRaw: number;
  /** "2.0", "1.5", ... */
  ipmiVersion: string;
  support: DeviceIdSupport;
  manufacturerId: number;
  productId: number;
  /** Vendor-specific build information; undefined when the BMC omits it. */
  auxFirmware: Buffer | undefined;
}

export type DeviceIdReq = void;

function bcdToNumber(b: number): number {
  const hi = b >> 4;
  const lo = b & 0x0f;
  return hi > 9 || lo > 9 ? b : hi * 10 + lo;
}

export const getDeviceId: Command<DeviceIdReq, DeviceId> = {
  name: 'Get Device ID',
  netFn: NETFN.app,
  cmd: 0x01,
  encode: () => Buffer.alloc(0),
  decode(data) {
    const r = new ByteReader(data, 'Get Device ID response');
    const deviceId = r.u8('device ID');
    const rev = r.u8('device revision');
    const fw1 = r.u8('firmware revision 1');
    const fw2 = r.u8('firmware revision 2');
    const ver = r.u8('IPMI version');
    const sup = r.u8('additional device support');
    const manufacturerId = r.u24le('manufacturer ID') & 0x0fffff;
    const productId = r.u16le('product ID');
    // Aux firmware is all-or-nothing: 4 bytes or absent (some BMCs send nothing).
    const auxFirmware = r.remaining >= 4 ? Buffer.from(r.bytes(4, 'aux firmware')) : undefined;
    return {
      deviceId,
      deviceRevision: rev & 0x0f,
      providesSdrs: (rev & 0x80) !== 0,
      deviceAvailable: (fw1 & 0x80) === 0,
      firmwareMajor: fw1 & 0x7f,
      firmwareMinor: bcdToNumber(fw2),
      firmwareMinorRaw: fw2,
      ipmiVersion: `${ver & 0x0f}.${ver >> 4}`,
      support: decodeDeviceSupport(sup),
      manufacturerId,
      productId,
      auxFirmware,
    };
  },
};

/**
 * "major.minor" with the BCD minor printed as its two hex digits, as ipmitool's
 * `mc info` does (0x01/0x23 -> "1.23", 0x02/0x05 -> "2.05"). This is the
 * exporter's bmc_info firmware label.
 */
export function formatFirmware(rsp: Pick<DeviceId, 'firmwareMajor' | 'firmwareMinorRaw'>): string {
  return `${rsp.firmwareMajor}.${rsp.firmwareMinorRaw.toString(16).padStart(2, '0')}`;
}

/**
 * BMC side (the simulator): the Table 20-2 response bytes for a DeviceId.
 * `firmwareMinorRaw` is written (the BCD byte); `firmwareMinor` is derived.
 * `ipmiVersion` "2.0" is written as 0x02, "1.5" as 0x51.
 */
export function encodeGetDeviceIdResponse(rsp: DeviceId): Buffer {
  const [major = '0', minor = '0'] = rsp.ipmiVersion.split('.');
  const sup = encodeDeviceSupport(rsp.support);
  const w = new ByteWriter(15)
    .u8(rsp.deviceId)
    .u8((rsp.providesSdrs ? 0x80 : 0) | (rsp.deviceRevision & 0x0f))
    .u8((rsp.deviceAvailable ? 0 : 0x80) | (rsp.firmwareMajor & 0x7f))
    .u8(rsp.firmwareMinorRaw)
    .u8(((Number(minor) & 0x0f) << 4) | (Number(major) & 0x0f))
    .u8(sup)
    .u24le(rsp.manufacturerId & 0x0fffff)
    .u16le(rsp.productId);
  if (rsp.auxFirmware) w.bytes(rsp.auxFirmware.subarray(0, 4));
  return w.toBuffer();
}
