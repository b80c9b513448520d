import { describe, expect, it } from 'vitest';
import { decodeRmcp, RMCP_CLASS } from './rmcp.js';
import { decodeAsfPresencePing, decodeAsfPresencePong, encodeAsfPresencePing, encodeAsfPresencePong } from './asf.js';

describe('ASF presence ping/pong, BMC side', () => {
  it('decodes the ping the client sends', () => {
    const ping = decodeRmcp(encodeAsfPresencePing(0x42));
    expect(ping.messageClass).toBe(RMCP_CLASS.asf);
    expect(decodeAsfPresencePing(ping.body)).toEqual({ messageTag: 0x42 });
  });

  it('encodes a pong that the client decoder reads back', () => {
    const pong = decodeRmcp(encodeAsfPresencePong({ messageTag: 7, supportsIpmi: true }));
    expect(pong.messageClass).toBe(RMCP_CLASS.asf);
    expect(pong.body.length).toBe(8 + 16);
    expect(decodeAsfPresencePong(pong.body)).toEqual({
      messageTag: 7,
      iana: 4542,
      oemDefined: 0,
      supportsIpmi: true,
      supportsAsf1: true,
    });
  });

  it('refuses a pong as a ping', () => {
    const pong = decodeRmcp(encodeAsfPresencePong({ messageTag: 7, supportsIpmi: false }));
    expect(() => decodeAsfPresencePing(pong.body)).toThrow(/Presence Ping/);
  });
});
