// Test fixtures shared by the protocol tests and the ipmitool peer test: a
// trivial model that answers Get Device ID and Get System GUID with fixed bytes.
import { CompletionCode, PRIVILEGE, getDeviceId, getSystemGuid } from '@bmc-exporter/ipmi';
import { isCommand, type CommandHandler } from '../../command-handler.js';
import { protocolConfig, type ProtocolConfig } from '../config.js';

/** §20.1 Table 20-2: device 0x20 rev 1, firmware 3.45, IPMI 2.0, manufacturer 0x1234 (4660), product 0x5678. */
export const TEST_DEVICE_ID = Buffer.from([0x20, 0x81, 0x03, 0x45, 0x02, 0xbf, 0x34, 0x12, 0x00, 0x78, 0x56, 0x01, 0x02, 0x03, 0x04]);
export const TEST_GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

export const TEST_USERS = [
  { name: 'admin', password: 'admin-secret', maxPrivilege: PRIVILEGE.administrator },
  { name: 'viewer', password: 'viewer-secret', maxPrivilege: PRIVILEGE.user },
];

export const deviceIdHandler: CommandHandler = (req) => {
  if (isCommand(req, getDeviceId)) return { completionCode: CompletionCode.ok, data: TEST_DEVICE_ID };
  if (isCommand(req, getSystemGuid)) return { completionCode: CompletionCode.ok, data: TEST_GUID };
  return { completionCode: CompletionCode.invalidCommand };
};

export function testConfig(patch: Partial<ProtocolConfig> = {}): ProtocolConfig {
  return protocolConfig({ guid: TEST_GUID, users: TEST_USERS.map((u) => ({ ...u })), ...patch });
}
