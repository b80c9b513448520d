import { MalformedPacketError } from '../errors.js';

/**
 * A forward-only cursor over a Buffer. Every read checks the remaining length
 * and throws MalformedPacketError with want/got counts on a short read, so
 * decoders never index past the end or read garbage. IPMI is little-endian
 * except where a section says otherwise (RMCP sequence, RMCP+ OEM IANA, etc.).
 */
export class ByteReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Buffer,
    /** Names the structure in error messages, e.g. "Get Device ID response". */
    private readonly what = 'packet',
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, field: string): number {
    if (this.end - this.pos < n) {
      throw new MalformedPacketError(`${this.what}: short read at offset ${this.pos} reading ${field}: want ${n} byte(s), got ${this.end - this.pos}`, {
        want: n,
        got: this.end - this.pos,
      });
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field = 'u8'): number {
    return this.buf[this.need(1, field)]!;
  }

  i8(field = 'i8'): number {
    return this.buf.readInt8(this.need(1, field));
  }

  u16le(field = 'u16'): number {
    return this.buf.readUInt16LE(this.need(2, field));
  }

  u16be(field = 'u16'): number {
    return this.buf.readUInt16BE(this.need(2, field));
  }

  u24le(field = 'u24'): number {
    return this.buf.readUIntLE(this.need(3, field), 3);
  }

  u32le(field = 'u32'): number {
    return this.buf.readUInt32LE(this.need(4, field));
  }

  u32be(field = 'u32'): number {
    return this.buf.readUInt32BE(this.need(4, field));
  }

  /** A copy-free view of the next n bytes. */
  bytes(n: number, field = 'bytes'): Buffer {
    const at = this.need(n, field);
    return this.buf.subarray(at, at + n);
  }

  /** Everything left. */
  rest(): Buffer {
    const at = this.pos;
    this.pos = this.end;
    return this.buf.subarray(at, this.end);
  }

  skip(n: number, field = 'reserved'): void {
    this.need(n, field);
  }

  /** Peek one byte without consuming it; undefined at the end. */
  peek(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  /** Throw unless every byte was consumed (strict decoders for fixed-size structures). */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw new MalformedPacketError(`${this.what}: ${this.end - this.pos} unexpected trailing byte(s)`, {
        want: this.pos,
        got: this.end,
      });
    }
  }
}
