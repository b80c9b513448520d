import type { ByteReader } from '../codec/reader.js';
import { decodeDeviceSupport, type DeviceSupport } from '../commands/device-support.js';
import { readIdString } from './id-string.js';
import type { SdrRecordBase } from './sensor-records.js';

/** MC Device Locator byte 9: the same bit field as Get Device ID byte 6. */
export type McCapabilities = DeviceSupport;

const bit = (b: number, n: number) => (b & (1 << n)) !== 0;

/**
 * IPMI v2.0 §43.8 Table 43-7 FRU Device Locator, bytes 6-32:
 *   6   [7:1] device access address (controller holding the FRU)
 *   7   FRU device ID (logical) or [7:1] device slave address (non-logical)
 *   8   [7] logical FRU device, [4:3] access LUN, [2:0] private bus ID
 *   9   [7:4] channel number
 *   10  reserved
 *   11  device type (Table 43-12), 12 device type modifier
 *   13  FRU entity ID, 14 FRU entity instance
 *   15  OEM
 *   16  device ID string type/length, 17:32 string
 */
export interface FruDeviceLocatorBody {
  deviceAccessAddress: number;
  fruDeviceId: number;
  logical: boolean;
  accessLun: number;
  privateBusId: number;
  channel: number;
  deviceType: number;
  deviceTypeModifier: number;
  entityId: number;
  entityInstance: number;
  oem: number;
  idStringTypeLength: number;
  name: string;
}

/** The record after the header `base`, as one object literal (see SdrRecordBase). */
export function decodeFruDeviceLocatorBody(r: ByteReader, base: SdrRecordBase): SdrRecordBase & { kind: 'fru-locator' } & FruDeviceLocatorBody {
  const deviceAccessAddress = r.u8('device access address');
  const fruDeviceId = r.u8('FRU device ID');
  const b8 = r.u8('access LUN / bus ID');
  const channel = r.u8('channel number') >> 4;
  r.skip(1, 'reserved');
  const deviceType = r.u8('device type');
  const deviceTypeModifier = r.u8('device type modifier');
  const entityId = r.u8('FRU entity ID');
  const entityInstance = r.u8('FRU entity instance');
  const oem = r.u8('OEM');
  const id = readIdString(r);
  return {
    recordId: base.recordId,
    version: base.version,
    type: base.type,
    kind: 'fru-locator',
    deviceAccessAddress,
    fruDeviceId,
    logical: bit(b8, 7),
    accessLun: (b8 >> 3) & 0x03,
    privateBusId: b8 & 0x07,
    channel,
    deviceType,
    deviceTypeModifier,
    entityId,
    entityInstance,
    oem,
    idStringTypeLength: id.idStringTypeLength,
    name: id.name,
  };
}

/**
 * IPMI v2.0 §43.9 Table 43-8 Management Controller Device Locator, bytes 6-32:
 *   6   [7:1] device slave address
 *   7   [3:0] channel number
 *   8   power state notification / global initialization
 *   9   device capabilities (same bits as Get Device ID byte 6)
 *   10:12 reserved
 *   13  entity ID, 14 entity instance
 *   15  OEM
 *   16  device ID string type/length, 17:32 string
 */
export interface McDeviceLocatorBody {
  deviceSlaveAddress: number;
  channel: number;
  powerStateNotification: number;
  capabilities: McCapabilities;
  entityId: number;
  entityInstance: number;
  oem: number;
  idStringTypeLength: number;
  name: string;
}

/** The record after the header `base`, as one object literal (see SdrRecordBase). */
export function decodeMcDeviceLocatorBody(r: ByteReader, base: SdrRecordBase): SdrRecordBase & { kind: 'mc-locator' } & McDeviceLocatorBody {
  const deviceSlaveAddress = r.u8('device slave address');
  const channel = r.u8('channel number') & 0x0f;
  const powerStateNotification = r.u8('power state notification');
  const caps = r.u8('device capabilities');
  r.skip(3, 'reserved');
  const entityId = r.u8('entity ID');
  const entityInstance = r.u8('entity instance');
  const oem = r.u8('OEM');
  const id = readIdString(r);
  return {
    recordId: base.recordId,
    version: base.version,
    type: base.type,
    kind: 'mc-locator',
    deviceSlaveAddress,
    channel,
    powerStateNotification,
    capabilities: decodeDeviceSupport(caps),
    entityId,
    entityInstance,
    oem,
    idStringTypeLength: id.idStringTypeLength,
    name: id.name,
  };
}
