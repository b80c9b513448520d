import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { DCMI_GROUP_EXTENSION_ID, NETFN, type Command } from './command.js';
import { expectDcmiGroupId } from './dcmi-group.js';

/** DCMI v1.5 Table 6-16 byte 2: power reading modes. */
export const DCMI_POWER_READING_MODES = {
  /** system power statistics over the BMC's default period */
  systemPowerStatistics: 0x01,
  /** enhanced statistics over a rolling-average period (mode attributes select it) */
  enhancedSystemPowerStatistics: 0x02,
} as const;

/**
 * DCMI v1.5 §6.6.1 Get Power Reading (NetFn 0x2C, cmd 0x02).
 * Request:  1 0xDC, 2 mode, 3 mode attributes (0 for mode 1), 4 reserved 0
 * Response:
 *   1      0xDC
 *   2:3    current power, watts, LS byte first
 *   4:5    minimum over the sampling period
 *   6:7    maximum over the sampling period
 *   8:9    average over the sampling period
 *   10:13  IPMI timestamp of the reading (§37 format)
 *   14:17  statistics reporting period, milliseconds
 *   18     power reading state: [6] 1 = power measurement active
 */
export interface DcmiPowerReadingReq {
  /** Defaults to system power statistics (mode 1). */
  mode?: number;
  modeAttributes?: number;
}

export interface DcmiPowerReading {
  currentWatts: number;
  minimumWatts: number;
  maximumWatts: number;
  averageWatts: number;
  /** Seconds (IPMI timestamp). */
  timestamp: number;
  statisticsReportingPeriodSeconds: number;
  /** False means the numbers are not live measurements and should not be exported. */
  powerMeasurementActive: boolean;
}

export const dcmiGetPowerReading: Command<DcmiPowerReadingReq, DcmiPowerReading> = {
  name: 'Get Power Reading',
  netFn: NETFN.groupExtension,
  cmd: 0x02,
  encode: (req) =>
    new ByteWriter(4)
      .u8(DCMI_GROUP_EXTENSION_ID)
      .u8(req.mode ?? DCMI_POWER_READING_MODES.systemPowerStatistics)
      .u8(req.modeAttributes ?? 0)
      .u8(0)
      .toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Get Power Reading response');
    expectDcmiGroupId(r, 'Get Power Reading response');
    const currentWatts = r.u16le('current power');
    const minimumWatts = r.u16le('minimum power');
    const maximumWatts = r.u16le('maximum power');
    const averageWatts = r.u16le('average power');
    const timestamp = r.u32le('timestamp');
    const periodMs = r.u32le('statistics reporting period');
    const state = r.u8('power reading state');
    return {
      currentWatts,
      minimumWatts,
      maximumWatts,
      averageWatts,
      timestamp,
      statisticsReportingPeriodSeconds: periodMs / 1000,
      powerMeasurementActive: (state & 0x40) !== 0,
    };
  },
};

/** BMC side: mode and mode attributes (byte 4 is reserved and not checked). */
export function decodeDcmiGetPowerReadingRequest(data: Buffer): Required<DcmiPowerReadingReq> {
  const r = new ByteReader(data, 'Get Power Reading request');
  expectDcmiGroupId(r, 'Get Power Reading request');
  const mode = r.u8('mode');
  const modeAttributes = r.u8('mode attributes');
  return { mode, modeAttributes };
}

export function encodeDcmiGetPowerReadingResponse(rsp: DcmiPowerReading): Buffer {
  return new ByteWriter(18)
    .u8(DCMI_GROUP_EXTENSION_ID)
    .u16le(rsp.currentWatts)
    .u16le(rsp.minimumWatts)
    .u16le(rsp.maximumWatts)
    .u16le(rsp.averageWatts)
    .u32le(rsp.timestamp)
    .u32le(Math.round(rsp.statisticsReportingPeriodSeconds * 1000))
    .u8(rsp.powerMeasurementActive ? 0x40 : 0)
    .toBuffer();
}
