import { describe, expect, it } from 'vitest';
import { MalformedPacketError } from '../errors.js';
import { ByteReader } from './reader.js';
import { ByteWriter, checksum8 } from './writer.js';

describe('ByteReader', () => {
  it('reads little- and big-endian fields in order', () => {
    const r = new ByteReader(Buffer.from([0x01, 0x34, 0x12, 0x12, 0x34, 0x78, 0x56, 0x34, 0x12, 0xaa]));
    expect(r.u8()).toBe(1);
    expect(r.u16le()).toBe(0x1234);
    expect(r.u16be()).toBe(0x1234);
    expect(r.u32le()).toBe(0x12345678);
    expect(r.remaining).toBe(1);
    expect(r.rest()).toEqual(Buffer.from([0xaa]));
  });

  it('throws a typed error with want/got on a short read', () => {
    const r = new ByteReader(Buffer.from([1, 2, 3]), 'Get Device ID response');
    r.u8();
    try {
      r.u32le('aux firmware');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MalformedPacketError);
      const m = e as MalformedPacketError;
      expect(m.want).toBe(4);
      expect(m.got).toBe(2);
      expect(m.message).toContain('Get Device ID response');
      expect(m.message).toContain('aux firmware');
    }
  });

  it('expectEnd rejects trailing bytes', () => {
    const r = new ByteReader(Buffer.from([1, 2]));
    r.u8();
    expect(() => r.expectEnd()).toThrow(MalformedPacketError);
  });
});

describe('ByteWriter', () => {
  it('grows and round-trips through the reader', () => {
    const w = new ByteWriter(2);
    w.u8(0xff).u16le(0xbeef).u32be(0xdeadbeef).zeros(3).bytes(Buffer.from('ok'));
    const b = w.toBuffer();
    expect(b.toString('hex')).toBe('ffefbedeadbeef0000006f6b');
    const r = new ByteReader(b);
    expect([r.u8(), r.u16le(), r.u32be()]).toEqual([0xff, 0xbeef, 0xdeadbeef]);
  });
});

describe('checksum8', () => {
  it('makes the sum zero (IPMI v2.0 §13.8)', () => {
    // rsAddr 0x20, netFn/LUN 0x18 (App request): checksum 0xc8, as on the wire.
    expect(checksum8(Buffer.from([0x20, 0x18]))).toBe(0xc8);
    expect(checksum8(Buffer.from([]))).toBe(0);
  });
});
