import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/** §22.13: channel 0x0E means "the channel this request arrived on". */
export const THIS_CHANNEL = 0x0e;

export interface GetChannelAuthCapabilitiesReq {
  /** Requested maximum privilege level (the BMC answers for that level). */
  privilege: number;
  /** Set bit 7 to ask for IPMI v2.0 extended data (default true). A v1.5-only BMC may reject it. */
  ipmi20?: boolean;
  /** Default 0x0E (this channel). */
  channel?: number;
}

export interface GetChannelAuthCapabilitiesRsp {
  channel: number;
  /** IPMI 1.5 auth types enabled for the requested privilege level (byte 3, bits 5:0). */
  authTypes: { none: boolean; md2: boolean; md5: boolean; password: boolean; oem: boolean };
  /** Byte 3 bit 7: extended capabilities (byte 5) are valid. */
  extendedCapabilities: boolean;
  /** Byte 4 bit 5: Kg is set to a non-zero value (two-key login). */
  kgSet: boolean;
  /** Byte 4 bit 4: per-message authentication is disabled (packets after activation may use auth type none). */
  perMessageAuthDisabled: boolean;
  /** Byte 4 bit 3: user-level authentication is disabled. */
  userLevelAuthDisabled: boolean;
  /** Byte 4 bit 2: non-null user names enabled. */
  nonNullUsernames: boolean;
  /** Byte 4 bit 1: null user names enabled. */
  nullUsernames: boolean;
  /** Byte 4 bit 0: anonymous login (null name, null password) enabled. */
  anonymousLogin: boolean;
  /** Byte 5 bit 0: IPMI 1.5 sessions supported (only meaningful with extendedCapabilities). */
  ipmi15Supported: boolean;
  /** Byte 5 bit 1: IPMI 2.0 / RMCP+ sessions supported. */
  ipmi20Supported: boolean;
  /** Bytes 6-8: OEM IANA for OEM auth type, 0 if none. */
  oemId: number;
  /** Byte 9: OEM auxiliary data. */
  oemAuxiliary: number;
}

/**
 * IPMI v2.0 §22.13 Get Channel Authentication Capabilities (App 0x38).
 * Request: [0] bit 7 = get v2.0 extended data, bits 3:0 channel  [1] privilege (3:0).
 * Response: [0] channel [1] auth type support [2] login/status flags
 *   [3] extended capabilities [4..6] OEM IANA (LE) [7] OEM aux.
 */
export const getChannelAuthCapabilities: Command<GetChannelAuthCapabilitiesReq, GetChannelAuthCapabilitiesRsp> = {
  name: 'Get Channel Authentication Capabilities',
  netFn: NETFN.app,
  cmd: 0x38,
  encode(req) {
    const channel = (req.channel ?? THIS_CHANNEL) & 0x0f;
    return new ByteWriter(2)
      .u8(((req.ipmi20 ?? true) ? 0x80 : 0) | channel)
      .u8(req.privilege & 0x0f)
      .toBuffer();
  },
  decode(data) {
    const r = new ByteReader(data, 'Get Channel Authentication Capabilities response');
    const channel = r.u8('channel');
    const types = r.u8('auth type support');
    const flags = r.u8('status flags');
    const ext = r.u8('extended capabilities');
    const oemId = r.u24le('OEM id');
    const oemAuxiliary = r.u8('OEM auxiliary');
    const extendedCapabilities = (types & 0x80) !== 0;
    return {
      channel,
      authTypes: {
        none: (types & 0x01) !== 0,
        md2: (types & 0x02) !== 0,
        md5: (types & 0x04) !== 0,
        password: (types & 0x10) !== 0,
        oem: (types & 0x20) !== 0,
      },
      extendedCapabilities,
      kgSet: (flags & 0x20) !== 0,
      perMessageAuthDisabled: (flags & 0x10) !== 0,
      userLevelAuthDisabled: (flags & 0x08) !== 0,
      nonNullUsernames: (flags & 0x04) !== 0,
      nullUsernames: (flags & 0x02) !== 0,
      anonymousLogin: (flags & 0x01) !== 0,
      // A v1.5-only BMC leaves byte 5 reserved (0): it supports 1.5 by definition.
      ipmi15Supported: extendedCapabilities ? (ext & 0x01) !== 0 : true,
      ipmi20Supported: extendedCapabilities && (ext & 0x02) !== 0,
      oemId,
      oemAuxiliary,
    };
  },
};

/** The BMC side: the request as the BMC reads it (§22.13 request bytes 1-2). */
export function decodeGetChannelAuthCapabilitiesRequest(data: Buffer): Required<GetChannelAuthCapabilitiesReq> {
  const r = new ByteReader(data, 'Get Channel Authentication Capabilities request');
  const b0 = r.u8('channel');
  const privilege = r.u8('privilege') & 0x0f;
  return { ipmi20: (b0 & 0x80) !== 0, channel: b0 & 0x0f, privilege };
}

/** The BMC side: response bytes (after the completion code) in the layout `decode` reads. */
export function encodeGetChannelAuthCapabilitiesResponse(rsp: GetChannelAuthCapabilitiesRsp): Buffer {
  const t = rsp.authTypes;
  const types =
    (rsp.extendedCapabilities ? 0x80 : 0) | (t.oem ? 0x20 : 0) | (t.password ? 0x10 : 0) | (t.md5 ? 0x04 : 0) | (t.md2 ? 0x02 : 0) | (t.none ? 0x01 : 0);
  const flags =
    (rsp.kgSet ? 0x20 : 0) |
    (rsp.perMessageAuthDisabled ? 0x10 : 0) |
    (rsp.userLevelAuthDisabled ? 0x08 : 0) |
    (rsp.nonNullUsernames ? 0x04 : 0) |
    (rsp.nullUsernames ? 0x02 : 0) |
    (rsp.anonymousLogin ? 0x01 : 0);
  // Byte 5 is reserved (0) unless the extended capabilities bit is set.
  const ext = rsp.extendedCapabilities ? (rsp.ipmi20Supported ? 0x02 : 0) | (rsp.ipmi15Supported ? 0x01 : 0) : 0;
  return new ByteWriter(8).u8(rsp.channel).u8(types).u8(flags).u8(ext).u24le(rsp.oemId).u8(rsp.oemAuxiliary).toBuffer();
}
