import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §35.14 Get Sensor Reading (Sensor/Event 0x2D).
 * Request: 1 sensor number (the LUN travels in the message header's rsLUN).
 * Response Table 35-15:
 *   1  raw reading (ignore for discrete sensors)
 *   2  [7] 0 = all event messages disabled, [6] 0 = sensor scanning disabled,
 *      [5] 1 = reading/state unavailable (e.g. initial update in progress)
 *   3  threshold sensors: [5] >= UNR, [4] >= UC, [3] >= UNC, [2] <= LNR, [1] <= LC, [0] <= LNC
 *      discrete sensors: states 7..0 asserted          (optional)
 *   4  discrete sensors: [6:0] states 14..8 asserted   (optional; threshold: 0x80 reserved)
 */
export interface SensorReadingReq {
  sensorNumber: number;
}

export interface SensorReadingRsp {
  raw: number;
  eventMessagesEnabled: boolean;
  scanningEnabled: boolean;
  readingUnavailable: boolean;
  /** Byte 3 as sent; undefined when the BMC omitted it. */
  stateByte1: number | undefined;
  /** Byte 4 as sent; undefined when the BMC omitted it. */
  stateByte2: number | undefined;
}

/**
 * The request's one byte for each sensor number, made once: a warm scrape
 * sends this command for every sensor, and a fresh Buffer each time (with
 * the writer's own) was three Buffer objects of garbage per command. Shared
 * and never written: the exchange only copies a request's data into each
 * datagram it sends.
 */
const SENSOR_NUMBER_DATA: readonly Buffer[] = Array.from({ length: 256 }, (_, n) => new ByteWriter(1).u8(n).toBuffer());

export const getSensorReading: Command<SensorReadingReq, SensorReadingRsp> = {
  name: 'Get Sensor Reading',
  netFn: NETFN.sensorEvent,
  cmd: 0x2d,
  // The low byte, as ByteWriter.u8 writes any number.
  encode: (req) => SENSOR_NUMBER_DATA[req.sensorNumber & 0xff]!,
  decode(data) {
    const r = new ByteReader(data, 'Get Sensor Reading response');
    const raw = r.u8('sensor reading');
    const flags = r.u8('reading flags');
    const stateByte1 = r.remaining > 0 ? r.u8('state byte 1') : undefined;
    const stateByte2 = r.remaining > 0 ? r.u8('state byte 2') : undefined;
    return {
      raw,
      eventMessagesEnabled: (flags & 0x80) !== 0,
      scanningEnabled: (flags & 0x40) !== 0,
      readingUnavailable: (flags & 0x20) !== 0,
      stateByte1,
      stateByte2,
    };
  },
};

/** BMC side: the sensor number (the LUN comes from the message header). */
export function decodeGetSensorReadingRequest(data: Buffer): SensorReadingReq {
  return { sensorNumber: new ByteReader(data, 'Get Sensor Reading request').u8('sensor number') };
}

/** BMC side: Table 35-15; state bytes are written only when given (byte 4 only after byte 3). */
export function encodeGetSensorReadingResponse(rsp: SensorReadingRsp): Buffer {
  const flags = (rsp.eventMessagesEnabled ? 0x80 : 0) | (rsp.scanningEnabled ? 0x40 : 0) | (rsp.readingUnavailable ? 0x20 : 0);
  const w = new ByteWriter(4).u8(rsp.raw).u8(flags);
  if (rsp.stateByte1 !== undefined) {
    w.u8(rsp.stateByte1);
    if (rsp.stateByte2 !== undefined) w.u8(rsp.stateByte2);
  }
  return w.toBuffer();
}
