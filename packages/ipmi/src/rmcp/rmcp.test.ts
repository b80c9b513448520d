import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { decodeAsfPresencePong, encodeAsfPresencePing } from './asf.js';
import { RMCP_CLASS, decodeRmcp, encodeRmcp, isRmcpAck } from './rmcp.js';

describe('RMCP header (IPMI v2.0 §13.1.3)', () => {
  it('encodes class IPMI with the no-ack sequence by default', () => {
    expect(encodeRmcp(RMCP_CLASS.ipmi, Buffer.from([0xaa, 0xbb])).toString('hex')).toBe('0600ff07aabb');
  });

  it('round-trips', () => {
    const d = decodeRmcp(encodeRmcp(RMCP_CLASS.asf, Buffer.from('0102', 'hex'), 0x11));
    expect(d).toEqual({ version: 6, sequence: 0x11, messageClass: 6, body: Buffer.from('0102', 'hex') });
  });

  it.each([
    ['short', '0600ff'],
    ['wrong version', '0700ff07'],
  ])('rejects a %s header', (_name, hex) => {
    expect(() => decodeRmcp(Buffer.from(hex, 'hex'))).toThrow(MalformedPacketError);
  });

  it('tells ACKs apart', () => {
    expect(isRmcpAck(0x86)).toBe(true);
    expect(isRmcpAck(RMCP_CLASS.ipmi)).toBe(false);
  });
});

describe('ASF Presence Ping/Pong (ASF 2.0 §3.2.4)', () => {
  it('encodes a ping as the whole datagram', () => {
    expect(encodeAsfPresencePing(0x42).toString('hex')).toBe('0600ff06' + '000011be' + '80' + '42' + '00' + '00');
  });

  it('decodes a pong from a BMC that supports IPMI', () => {
    // Shape as ipmi_sim / real BMCs send it: IANA 4542, no OEM data, entities 0x81, interactions 0x00.
    const body = Buffer.from('000011be' + '40' + '42' + '00' + '10' + '000011be' + '00000000' + '81' + '00' + '000000000000', 'hex');
    expect(decodeAsfPresencePong(body)).toEqual({
      messageTag: 0x42,
      iana: 4542,
      oemDefined: 0,
      supportsIpmi: true,
      supportsAsf1: true,
    });
  });

  it('rejects a ping where a pong was expected, and a truncated pong', () => {
    expect(() => decodeAsfPresencePong(encodeAsfPresencePing(1).subarray(4))).toThrow(MalformedPacketError);
    expect(() => decodeAsfPresencePong(Buffer.from('000011be40420010000011be', 'hex'))).toThrow(MalformedPacketError);
  });
});
