import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { decodeLanRequest, decodeLanResponse, encodeLanRequest, encodeLanResponse } from './lan-message.js';

describe('IPMI LAN message (IPMI v2.0 §13.8)', () => {
  it('encodes Get Device ID exactly as ipmitool does', () => {
    // 20 18 c8 | 81 04 01 | 7a : rsAddr 0x20, netFn App(6)<<2, chk 0xc8; rqAddr 0x81, seq 1, cmd 0x01.
    expect(encodeLanRequest({ netFn: 0x06, rqSeq: 1, cmd: 0x01, data: Buffer.alloc(0) }).toString('hex')).toBe('2018c88104017a');
  });

  it('decodes a Get Channel Auth Capabilities response', () => {
    // 81 1c 63 | 20 00 38 | cc=00 data 01 15 04 00 00 00 00 | chk
    const rsp = encodeLanResponse({
      rqAddr: 0x81,
      netFn: 0x07,
      rqLun: 0,
      rsAddr: 0x20,
      rqSeq: 0,
      rsLun: 0,
      cmd: 0x38,
      completionCode: 0,
      data: Buffer.from('01150400000000', 'hex'),
    });
    expect(rsp.subarray(0, 3).toString('hex')).toBe('811c63');
    expect(decodeLanResponse(rsp)).toEqual({
      rqAddr: 0x81,
      netFn: 0x07,
      rqLun: 0,
      rsAddr: 0x20,
      rqSeq: 0,
      rsLun: 0,
      cmd: 0x38,
      completionCode: 0,
      data: Buffer.from('01150400000000', 'hex'),
    });
  });

  it('round-trips a request with every field set', () => {
    const req = { rsAddr: 0x20, netFn: 0x0a, rsLun: 2, rqAddr: 0x81, rqSeq: 63, rqLun: 1, cmd: 0x23, data: Buffer.from('0001ff', 'hex') };
    expect(decodeLanRequest(encodeLanRequest(req))).toEqual(req);
  });

  it('splits a non-zero completion code from empty data', () => {
    const rsp = encodeLanResponse({
      rqAddr: 0x81,
      netFn: 0x0b,
      rqLun: 0,
      rsAddr: 0x20,
      rqSeq: 5,
      rsLun: 0,
      cmd: 0x23,
      completionCode: 0xc5,
      data: Buffer.alloc(0),
    });
    const d = decodeLanResponse(rsp);
    expect(d.completionCode).toBe(0xc5);
    expect(d.data).toHaveLength(0);
  });

  it.each([
    ['header checksum', 2],
    ['data checksum', 6],
    ['rqSeq byte (data checksum)', 4],
  ])('rejects a bad %s', (_n, at) => {
    const buf = encodeLanRequest({ netFn: 0x06, rqSeq: 1, cmd: 0x01, data: Buffer.alloc(0) });
    buf[at] = buf[at]! ^ 0x01;
    expect(() => decodeLanRequest(buf)).toThrow(MalformedPacketError);
  });

  it('rejects a truncated message and a response without a completion code', () => {
    expect(() => decodeLanResponse(Buffer.from('811c632000', 'hex'))).toThrow(MalformedPacketError);
    const noCc = encodeLanRequest({ rsAddr: 0x81, netFn: 0x07, rqAddr: 0x20, rqSeq: 0, cmd: 0x38, data: Buffer.alloc(0) });
    expect(() => decodeLanResponse(noCc)).toThrow(MalformedPacketError);
  });
});
