import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { MalformedPacketError, hex2 } from '../errors.js';
import { RMCP_CLASS, encodeRmcp } from './rmcp.js';

/** DMTF ASF 2.0 §3.2.2.3: the ASF IANA enterprise number (4542), sent big-endian. */
export const ASF_IANA = 0x000011be;

/** DMTF ASF 2.0 Table 11: ASF message types used for discovery. */
export const ASF_MESSAGE_TYPE = {
  /** Presence Ping (console -> BMC) */
  presencePing: 0x80,
  /** Presence Pong (BMC -> console) */
  presencePong: 0x40,
} as const;

/**
 * ASF 2.0 §3.2.4.1 Presence Ping, the whole RMCP datagram:
 *   RMCP header (class ASF) | IANA (4, BE) | type 0x80 | tag | reserved | data length 0
 */
export function encodeAsfPresencePing(messageTag: number): Buffer {
  const asf = new ByteWriter(8).u32be(ASF_IANA).u8(ASF_MESSAGE_TYPE.presencePing).u8(messageTag).u8(0).u8(0);
  return encodeRmcp(RMCP_CLASS.asf, asf.toBuffer());
}

export interface AsfPresencePong {
  messageTag: number;
  /** IANA number of the entity answering (4542 when there are no OEM extensions). */
  iana: number;
  oemDefined: number;
  /** Supported Entities bit 7: "IPMI supported" — the BMC will answer RMCP class 7. */
  supportsIpmi: boolean;
  /** Supported Entities bits 3:0 == 1: ASF version 1.0. */
  supportsAsf1: boolean;
}

/**
 * ASF 2.0 §3.2.4.2 Presence Pong, the RMCP body (after the 4-byte RMCP header):
 *   [0..3] ASF IANA  [4] type 0x40  [5] tag  [6] reserved  [7] data length (16)
 *   data: [0..3] IANA (BE)  [4..7] OEM defined  [8] supported entities
 *         [9] supported interactions  [10..15] reserved
 */
export function decodeAsfPresencePong(body: Buffer): AsfPresencePong {
  const r = new ByteReader(body, 'ASF Presence Pong');
  const asfIana = r.u32be('ASF IANA');
  const type = r.u8('message type');
  if (asfIana !== ASF_IANA || type !== ASF_MESSAGE_TYPE.presencePong) {
    throw new MalformedPacketError(`ASF Presence Pong: unexpected IANA ${asfIana} / message type 0x${hex2(type)}`);
  }
  const messageTag = r.u8('message tag');
  r.skip(1);
  const dataLength = r.u8('data length');
  const data = new ByteReader(r.bytes(dataLength, 'data'), 'ASF Presence Pong data');
  const iana = data.u32be('IANA');
  const oemDefined = data.u32be('OEM defined');
  const entities = data.u8('supported entities');
  return {
    messageTag,
    iana,
    oemDefined,
    supportsIpmi: (entities & 0x80) !== 0,
    supportsAsf1: (entities & 0x0f) === 0x01,
  };
}

export interface AsfPresencePing {
  messageTag: number;
}

/**
 * The BMC side of discovery: the RMCP body of a Presence Ping (ASF 2.0
 * §3.2.4.1) — IANA, type 0x80, tag. Anything else is not a ping.
 */
export function decodeAsfPresencePing(body: Buffer): AsfPresencePing {
  const r = new ByteReader(body, 'ASF Presence Ping');
  const asfIana = r.u32be('ASF IANA');
  const type = r.u8('message type');
  if (asfIana !== ASF_IANA || type !== ASF_MESSAGE_TYPE.presencePing) {
    throw new MalformedPacketError(`ASF Presence Ping: unexpected IANA ${asfIana} / message type 0x${hex2(type)}`);
  }
  return { messageTag: r.u8('message tag') };
}

/**
 * ASF 2.0 §3.2.4.2 Presence Pong, the whole RMCP datagram (layout as in
 * decodeAsfPresencePong). IPMI v2.0 §13.2.4: supported entities bit 7 says
 * "IPMI supported", bits 3:0 = 1 ASF 1.0; interactions 0 (no security extensions).
 */
export function encodeAsfPresencePong(p: { messageTag: number; iana?: number; oemDefined?: number; supportsIpmi: boolean }): Buffer {
  const w = new ByteWriter(24)
    .u32be(ASF_IANA)
    .u8(ASF_MESSAGE_TYPE.presencePong)
    .u8(p.messageTag)
    .u8(0)
    .u8(16)
    .u32be(p.iana ?? ASF_IANA)
    .u32be(p.oemDefined ?? 0)
    .u8((p.supportsIpmi ? 0x80 : 0) | 0x01)
    .u8(0)
    .zeros(6);
  return encodeRmcp(RMCP_CLASS.asf, w.toBuffer());
}
