import { MalformedPacketError, hex2 } from '../errors.js';
import type { ByteReader } from '../codec/reader.js';
import { DCMI_GROUP_EXTENSION_ID } from './command.js';

/**
 * DCMI v1.5 §6: every DCMI response data field starts with the group
 * extension ID 0xDC. A different byte means we are not talking DCMI (or the
 * response belongs to another group extension): reject rather than misread.
 */
export function expectDcmiGroupId(r: ByteReader, what: string): void {
  const id = r.u8('group extension ID');
  if (id !== DCMI_GROUP_EXTENSION_ID) {
    throw new MalformedPacketError(`${what}: group extension ID 0x${hex2(id)}, expected 0x${hex2(DCMI_GROUP_EXTENSION_ID)} (DCMI)`);
  }
}
