import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §34.1 Get FRU Inventory Area Info (Storage 0x10).
 * Request: 1 FRU device ID (0 = the BMC's own FRU; 0xFF reserved).
 * Response Table 34-2:
 *   1:2  FRU inventory area size in bytes, LS byte first
 *   3    [0] 0 = accessed by bytes, 1 = accessed by words (offsets/counts in words)
 */
export interface FruInventoryAreaInfoReq {
  fruId: number;
}

export interface FruInventoryAreaInfo {
  sizeBytes: number;
  accessByWords: boolean;
}

export const getFruInventoryAreaInfo: Command<FruInventoryAreaInfoReq, FruInventoryAreaInfo> = {
  name: 'Get FRU Inventory Area Info',
  netFn: NETFN.storage,
  cmd: 0x10,
  encode: (req) => new ByteWriter(1).u8(req.fruId).toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Get FRU Inventory Area Info response');
    const sizeBytes = r.u16le('area size');
    const access = r.u8('access type');
    return { sizeBytes, accessByWords: (access & 0x01) !== 0 };
  },
};

export function decodeGetFruInventoryAreaInfoRequest(data: Buffer): FruInventoryAreaInfoReq {
  return { fruId: new ByteReader(data, 'Get FRU Inventory Area Info request').u8('FRU device ID') };
}

export function encodeGetFruInventoryAreaInfoResponse(rsp: FruInventoryAreaInfo): Buffer {
  return new ByteWriter(3)
    .u16le(rsp.sizeBytes)
    .u8(rsp.accessByWords ? 1 : 0)
    .toBuffer();
}
