import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { NETFN, type Command } from './command.js';

/**
 * IPMI v2.0 §35.5 Get Sensor Reading Factors (Sensor/Event 0x23): for
 * non-linear sensors (linearization 0x70-0x7F) the conversion factors depend
 * on the reading, so they are asked for per raw value.
 * Request:  1 sensor number, 2 reading byte the factors are wanted for
 * Response: 1 next reading (the next raw value at which the factors change),
 *           2:7 the same M/tolerance/B/accuracy/R_exp/B_exp layout as full SDR
 *           bytes 25-30 (§43.1):
 *   2  M [7:0]
 *   3  [7:6] M [9:8], [5:0] tolerance
 *   4  B [7:0]
 *   5  [7:6] B [9:8], [5:0] accuracy [5:0]
 *   6  [7:4] accuracy [9:6], [3:2] accuracy exponent, [1:0] sensor direction
 *   7  [7:4] R_exp (4-bit signed), [3:0] B_exp (4-bit signed)
 */
export interface SensorReadingFactorsReq {
  sensorNumber: number;
  reading: number;
}

export interface ReadingFactors {
  m: number;
  b: number;
  bExp: number;
  rExp: number;
  tolerance: number;
  accuracy: number;
  accuracyExp: number;
  /** Full SDR byte 29 [1:0]: 0 unspecified, 1 input, 2 output (reserved in this command's response). */
  direction: number;
}

export interface SensorReadingFactorsRsp extends ReadingFactors {
  nextReading: number;
}

/** Sign-extend the low `bits` bits of v. */
export function signExtend(v: number, bits: number): number {
  const shift = 32 - bits;
  return (v << shift) >> shift;
}

/** Decodes the 6-byte M/B/accuracy/exponent block shared by full SDRs and this command. */
export function decodeReadingFactors(r: ByteReader): ReadingFactors {
  const mLo = r.u8('M');
  const mHiTol = r.u8('M, tolerance');
  const bLo = r.u8('B');
  const bHiAcc = r.u8('B, accuracy');
  const accHi = r.u8('accuracy, exponent, direction');
  const exps = r.u8('R_exp, B_exp');
  return {
    m: signExtend(((mHiTol & 0xc0) << 2) | mLo, 10),
    tolerance: mHiTol & 0x3f,
    b: signExtend(((bHiAcc & 0xc0) << 2) | bLo, 10),
    accuracy: ((accHi & 0xf0) << 2) | (bHiAcc & 0x3f),
    accuracyExp: (accHi >> 2) & 0x03,
    direction: accHi & 0x03,
    rExp: signExtend(exps >> 4, 4),
    bExp: signExtend(exps & 0x0f, 4),
  };
}

export const getSensorReadingFactors: Command<SensorReadingFactorsReq, SensorReadingFactorsRsp> = {
  name: 'Get Sensor Reading Factors',
  netFn: NETFN.sensorEvent,
  cmd: 0x23,
  encode: (req) => new ByteWriter(2).u8(req.sensorNumber).u8(req.reading).toBuffer(),
  decode(data) {
    const r = new ByteReader(data, 'Get Sensor Reading Factors response');
    const nextReading = r.u8('next reading');
    return { nextReading, ...decodeReadingFactors(r) };
  },
};

/** Inverse of decodeReadingFactors: the 6-byte block of full SDR bytes 25-30. */
export function writeReadingFactors(w: ByteWriter, f: ReadingFactors): ByteWriter {
  const m = f.m & 0x3ff;
  const b = f.b & 0x3ff;
  const acc = f.accuracy & 0x3ff;
  return w
    .u8(m & 0xff)
    .u8(((m >> 8) << 6) | (f.tolerance & 0x3f))
    .u8(b & 0xff)
    .u8(((b >> 8) << 6) | (acc & 0x3f))
    .u8(((acc >> 6) << 4) | ((f.accuracyExp & 0x03) << 2) | (f.direction & 0x03))
    .u8(((f.rExp & 0x0f) << 4) | (f.bExp & 0x0f));
}

/** BMC side: sensor number and the reading the factors are wanted for. */
export function decodeGetSensorReadingFactorsRequest(data: Buffer): SensorReadingFactorsReq {
  const r = new ByteReader(data, 'Get Sensor Reading Factors request');
  return { sensorNumber: r.u8('sensor number'), reading: r.u8('reading') };
}

export function encodeGetSensorReadingFactorsResponse(rsp: SensorReadingFactorsRsp): Buffer {
  return writeReadingFactors(new ByteWriter(7).u8(rsp.nextReading), rsp).toBuffer();
}
