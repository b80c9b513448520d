import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { DCMI_GROUP_EXTENSION_ID, NETFN, type Command } from './command.js';
import { expectDcmiGroupId } from './dcmi-group.js';

/** DCMI v1.5 Table 6-2/6-3: Get DCMI Capabilities Info parameter selectors. */
export const DCMI_CAPABILITY_PARAMETERS = {
  /** supported DCMI capabilities (platform, power management, access channels) */
  supportedCapabilities: 0x01,
  /** mandatory platform attributes: SEL size, identification, temperature monitoring */
  mandatoryPlatformAttributes: 0x02,
  /** optional platform attributes: power management controller address */
  optionalPlatformAttributes: 0x03,
  /** manageability access attributes: LAN / serial channel numbers */
  manageabilityAccessAttributes: 0x04,
  /** enhanced system power statistics: rolling average periods */
  enhancedSystemPowerStatistics: 0x05,
} as const;

/**
 * DCMI v1.5 §6.1.1 Get DCMI Capabilities Info (NetFn 0x2C, cmd 0x01).
 * Request:  1 0xDC, 2 parameter selector
 * Response: 1 0xDC, 2 DCMI major version, 3 DCMI minor version,
 *           4 parameter revision, 5:N parameter data
 * Parameter 1 data (Table 6-3):
 *   1 [3] temperature monitor, [2] chassis power, [1] SEL logging, [0] identification
 *     (mandatory platform capabilities; reserved from parameter revision 2)
 *   2 [0] power management (optional platform capabilities)
 *   3 [5] VLAN, [4] SOL, [3] primary LAN OOB, [2] secondary LAN OOB,
 *     [1] serial TMODE OOB, [0] in-band KCS (manageability access)
 */
export interface DcmiCapabilitiesReq {
  parameter: number;
}

export interface DcmiSupportedCapabilities {
  identification: boolean;
  selLogging: boolean;
  chassisPower: boolean;
  temperatureMonitor: boolean;
  powerManagement: boolean;
  inBandKcs: boolean;
  serialTmode: boolean;
  secondaryLan: boolean;
  primaryLan: boolean;
  sol: boolean;
  vlan: boolean;
}

export interface DcmiCapabilities {
  /** "1.5", "1.1", "1.0" */
  dcmiVersion: string;
  parameterRevision: number;
  /** The parameter's data bytes as sent. */
  data: Buffer;
}

const bit = (b: number, n: number) => (b & (1 << n)) !== 0;

function decodeCommon(data: Buffer): DcmiCapabilities {
  const r = new ByteReader(data, 'Get DCMI Capabilities Info response');
  expectDcmiGroupId(r, 'Get DCMI Capabilities Info response');
  const major = r.u8('DCMI major version');
  const minor = r.u8('DCMI minor version');
  const parameterRevision = r.u8('parameter revision');
  return { dcmiVersion: `${major}.${minor}`, parameterRevision, data: Buffer.from(r.rest()) };
}

/** Parameter 1 data (Table 6-3) decoded. */
export function decodeDcmiSupportedCapabilities(data: Buffer): DcmiSupportedCapabilities {
  const p = new ByteReader(data, 'DCMI supported capabilities');
  const mandatory = p.u8('mandatory platform capabilities');
  const optional = p.u8('optional platform capabilities');
  const access = p.u8('manageability access capabilities');
  return {
    identification: bit(mandatory, 0),
    selLogging: bit(mandatory, 1),
    chassisPower: bit(mandatory, 2),
    temperatureMonitor: bit(mandatory, 3),
    powerManagement: bit(optional, 0),
    inBandKcs: bit(access, 0),
    serialTmode: bit(access, 1),
    secondaryLan: bit(access, 2),
    primaryLan: bit(access, 3),
    sol: bit(access, 4),
    vlan: bit(access, 5),
  };
}

/** Any parameter; the data is returned undecoded (the response does not echo the selector). */
export const dcmiGetCapabilities: Command<DcmiCapabilitiesReq, DcmiCapabilities> = {
  name: 'Get DCMI Capabilities Info',
  netFn: NETFN.groupExtension,
  cmd: 0x01,
  encode: (req) => new ByteWriter(2).u8(DCMI_GROUP_EXTENSION_ID).u8(req.parameter).toBuffer(),
  decode: decodeCommon,
};

/** Parameter 1, decoded: does the BMC do DCMI power management (and so Get Power Reading)? */
export const dcmiGetSupportedCapabilities: Command<void, DcmiCapabilities & { supported: DcmiSupportedCapabilities }> = {
  name: 'Get DCMI Capabilities Info',
  netFn: NETFN.groupExtension,
  cmd: 0x01,
  encode: () => new ByteWriter(2).u8(DCMI_GROUP_EXTENSION_ID).u8(DCMI_CAPABILITY_PARAMETERS.supportedCapabilities).toBuffer(),
  decode(data) {
    const common = decodeCommon(data);
    return { ...common, supported: decodeDcmiSupportedCapabilities(common.data) };
  },
};

/** BMC side: the parameter selector; a request for another group extension is malformed for DCMI. */
export function decodeDcmiGetCapabilitiesRequest(data: Buffer): DcmiCapabilitiesReq {
  const r = new ByteReader(data, 'Get DCMI Capabilities Info request');
  expectDcmiGroupId(r, 'Get DCMI Capabilities Info request');
  return { parameter: r.u8('parameter selector') };
}

/** BMC side: group ID, version "major.minor", parameter revision, then the parameter data as given. */
export function encodeDcmiGetCapabilitiesResponse(rsp: DcmiCapabilities): Buffer {
  const [major = '1', minor = '5'] = rsp.dcmiVersion.split('.');
  return new ByteWriter(4 + rsp.data.length)
    .u8(DCMI_GROUP_EXTENSION_ID)
    .u8(Number(major))
    .u8(Number(minor))
    .u8(rsp.parameterRevision)
    .bytes(rsp.data)
    .toBuffer();
}

/** Parameter 1 data (Table 6-3) from its decoded form. */
export function encodeDcmiSupportedCapabilities(c: DcmiSupportedCapabilities): Buffer {
  const b = (v: boolean, n: number) => (v ? 1 << n : 0);
  return Buffer.from([
    b(c.identification, 0) | b(c.selLogging, 1) | b(c.chassisPower, 2) | b(c.temperatureMonitor, 3),
    b(c.powerManagement, 0),
    b(c.inBandKcs, 0) | b(c.serialTmode, 1) | b(c.secondaryLan, 2) | b(c.primaryLan, 3) | b(c.sol, 4) | b(c.vlan, 5),
  ]);
}
