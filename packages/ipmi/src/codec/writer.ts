/**
 * A growable little-endian writer. Encoders build with it and call
 * `toBuffer()` once; nothing else in the library indexes Buffers to write.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 64) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.len;
  }

  private ensure(n: number): number {
    if (this.len + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  u8(v: number): this {
    const at = this.ensure(1);
    this.buf[at] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    const at = this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, at);
    return this;
  }

  u16be(v: number): this {
    const at = this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, at);
    return this;
  }

  u24le(v: number): this {
    const at = this.ensure(3);
    this.buf.writeUIntLE(v & 0xffffff, at, 3);
    return this;
  }

  u32le(v: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }

  u32be(v: number): this {
    const at = this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.ensure(b.length);
    this.buf.set(b, at);
    return this;
  }

  /** n zero bytes (reserved fields, padding). */
  zeros(n: number): this {
    const at = this.ensure(n);
    this.buf.fill(0, at, at + n);
    return this;
  }

  /** Overwrite one byte already written (lengths and checksums filled in afterwards). */
  setU8(offset: number, v: number): this {
    this.buf[offset] = v & 0xff;
    return this;
  }

  setU16le(offset: number, v: number): this {
    this.buf.writeUInt16LE(v & 0xffff, offset);
    return this;
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  /** A copy-free view of bytes already written (to hash or checksum them); valid until the next write. */
  view(start = 0, end = this.len): Buffer {
    return this.buf.subarray(start, Math.min(end, this.len));
  }

  /**
   * The bytes written, without the copy toBuffer() makes; the writer must not
   * be written to afterwards. For hot encoders that size the writer exactly.
   */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** IPMI v2.0 §13.8: 8-bit two's-complement checksum, so that sum(bytes)+chk == 0 mod 256. */
export function checksum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}
