import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

export interface SetSessionPrivilegeLevelReq {
  /** Requested level (PRIVILEGE); 0 = no change, just report the present level. */
  privilege: number;
}

export interface SetSessionPrivilegeLevelRsp {
  /** The session's privilege level after the command. */
  privilege: number;
}

/**
 * IPMI v2.0 §22.18 Set Session Privilege Level (App 0x3B).
 * Request: [0] requested level (3:0). Response: [0] new level (3:0).
 * Completion codes 0x80 not available for this user, 0x81 exceeds user/channel limit.
 */
/** §22.18 Table 22-20: this command's own completion codes. */
export const SetSessionPrivilegeCode = {
  notAvailableForUser: 0x80,
  exceedsLimit: 0x81,
} as const;

export const setSessionPrivilegeLevel: Command<SetSessionPrivilegeLevelReq, SetSessionPrivilegeLevelRsp> = {
  name: 'Set Session Privilege Level',
  netFn: NETFN.app,
  cmd: 0x3b,
  encode(req) {
    return new ByteWriter(1).u8(req.privilege & 0x0f).toBuffer();
  },
  decode(data) {
    return { privilege: new ByteReader(data, 'Set Session Privilege Level response').u8('privilege') & 0x0f };
  },
};

/** The BMC side of §22.18. */
export function decodeSetSessionPrivilegeLevelRequest(data: Buffer): SetSessionPrivilegeLevelReq {
  return { privilege: new ByteReader(data, 'Set Session Privilege Level request').u8('privilege') & 0x0f };
}

export function encodeSetSessionPrivilegeLevelResponse(rsp: SetSessionPrivilegeLevelRsp): Buffer {
  return new ByteWriter(1).u8(rsp.privilege & 0x0f).toBuffer();
}
