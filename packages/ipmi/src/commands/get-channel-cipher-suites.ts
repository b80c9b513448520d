import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { decodeCipherSuiteRecords } from '../session/cipher-suites.js';
import { NETFN, type Command, type Execute, type ExecuteOptions } from './command.js';
import { THIS_CHANNEL } from './get-channel-auth-capabilities.js';

export interface GetChannelCipherSuitesReq {
  /** 0..63: which 16-byte chunk of the record data to return. */
  index: number;
  /** Default 0x0E (this channel). */
  channel?: number;
  /** Default 0x00 (IPMI payload). */
  payloadType?: number;
}

export interface GetChannelCipherSuitesRsp {
  channel: number;
  /** Up to 16 bytes of cipher suite record data; fewer means this was the last chunk. */
  recordData: Buffer;
}

/** §22.15: record data comes in chunks of at most 16 bytes. */
export const CIPHER_SUITE_CHUNK = 16;
/** §22.15: the list index is 6 bits. */
const MAX_INDEX = 0x3f;

/**
 * IPMI v2.0 §22.15 Get Channel Cipher Suites (App 0x54), sent outside a session.
 * Request: [0] channel (3:0) [1] payload type [2] bit 7 = list algorithms by cipher suite, bits 5:0 list index.
 * Response: [0] channel [1..16] record data (Table 22-19 records: 0xC0 id tags.. / 0xC1 id IANA tags..).
 * We ask "by cipher suite" (bit 7) so the data is a record per suite, as ipmitool does.
 */
export const getChannelCipherSuites: Command<GetChannelCipherSuitesReq, GetChannelCipherSuitesRsp> = {
  name: 'Get Channel Cipher Suites',
  netFn: NETFN.app,
  cmd: 0x54,
  encode(req) {
    return new ByteWriter(3)
      .u8((req.channel ?? THIS_CHANNEL) & 0x0f)
      .u8(req.payloadType ?? 0)
      .u8(0x80 | (req.index & MAX_INDEX))
      .toBuffer();
  },
  decode(data) {
    const r = new ByteReader(data, 'Get Channel Cipher Suites response');
    const channel = r.u8('channel');
    return { channel, recordData: Buffer.from(r.rest()) };
  },
};

/**
 * Reads every chunk (index 0, 1, ... until one is shorter than 16 bytes or
 * index 63 is reached) and returns the standard suite ids the BMC lists.
 */
export async function readCipherSuites(execute: Execute, options?: ExecuteOptions): Promise<number[]> {
  const chunks: Buffer[] = [];
  for (let index = 0; index <= MAX_INDEX; index++) {
    const rsp = await execute(getChannelCipherSuites, { index }, options);
    chunks.push(rsp.recordData);
    if (rsp.recordData.length < CIPHER_SUITE_CHUNK) break;
  }
  return decodeCipherSuiteRecords(Buffer.concat(chunks));
}

/** The BMC side: §22.15 request [0] channel [1] payload type [2] bit 7 list by suite, bits 5:0 index. */
export function decodeGetChannelCipherSuitesRequest(data: Buffer): Required<GetChannelCipherSuitesReq> & { bySuite: boolean } {
  const r = new ByteReader(data, 'Get Channel Cipher Suites request');
  const channel = r.u8('channel') & 0x0f;
  const payloadType = r.u8('payload type') & 0x3f;
  const b2 = r.u8('list index');
  return { channel, payloadType, index: b2 & MAX_INDEX, bySuite: (b2 & 0x80) !== 0 };
}

/** The BMC side: [0] channel [1..] the index-th 16-byte chunk of the record data (empty past the end). */
export function encodeGetChannelCipherSuitesResponse(channel: number, recordData: Buffer, index: number): Buffer {
  const chunk = recordData.subarray(index * CIPHER_SUITE_CHUNK, (index + 1) * CIPHER_SUITE_CHUNK);
  return new ByteWriter(1 + chunk.length).u8(channel).bytes(chunk).toBuffer();
}
