import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { MalformedPacketError, hex2 } from '../errors.js';

/** IPMI v2.0 §13.1.3: the RMCP "primary" port every BMC listens on. */
export const RMCP_PORT = 623;

/** DMTF ASF 2.0 §3.2.2.1 / IPMI v2.0 Table 13-1: RMCP message class (bits 4:0 of byte 3). */
export const RMCP_CLASS = {
  /** ASF messages: Presence Ping / Pong */
  asf: 0x06,
  /** IPMI messages (v1.5 and RMCP+ sessions) */
  ipmi: 0x07,
} as const;

/** IPMI v2.0 Table 13-1: RMCP version 1.0 is encoded as 0x06. */
export const RMCP_VERSION = 0x06;

/** Sequence number 0xFF: "no RMCP ACK" — IPMI never uses RMCP-level acks. */
export const RMCP_SEQ_NO_ACK = 0xff;

/** Bit 7 of the class byte marks an RMCP ACK; we never send one and drop any we get. */
const RMCP_ACK_BIT = 0x80;

/**
 * IPMI v2.0 §13.1.3 Table 13-1, RMCP header (4 bytes):
 *   [0] version (0x06)  [1] reserved (0x00)  [2] sequence  [3] class (bit7 ACK, bits 4:0 class)
 */
export function encodeRmcp(messageClass: number, body: Buffer, sequence = RMCP_SEQ_NO_ACK): Buffer {
  return writeRmcpHeader(new ByteWriter(RMCP_HEADER_LENGTH + body.length), messageClass, sequence)
    .bytes(body)
    .finish();
}

/** Bytes in the RMCP header (Table 13-1). */
export const RMCP_HEADER_LENGTH = 4;

/** The RMCP header alone, for encoders that write the body into the same writer (no second copy). */
export function writeRmcpHeader(w: ByteWriter, messageClass: number, sequence = RMCP_SEQ_NO_ACK): ByteWriter {
  return w.u8(RMCP_VERSION).u8(0).u8(sequence).u8(messageClass);
}

export interface RmcpPacket {
  version: number;
  sequence: number;
  /** The full class byte, ACK bit included (an ACK will not equal RMCP_CLASS.ipmi). */
  messageClass: number;
  body: Buffer;
}

export function decodeRmcp(datagram: Buffer): RmcpPacket {
  const r = new ByteReader(datagram, 'RMCP header');
  const version = r.u8('version');
  if (version !== RMCP_VERSION) {
    throw new MalformedPacketError(`RMCP header: version 0x${hex2(version)} is not 0x06`);
  }
  r.skip(1);
  const sequence = r.u8('sequence');
  const messageClass = r.u8('class');
  return { version, sequence, messageClass, body: r.rest() };
}

/** True for an RMCP-level ACK (class bit 7), which carries no message. */
export function isRmcpAck(messageClass: number): boolean {
  return (messageClass & RMCP_ACK_BIT) !== 0;
}
