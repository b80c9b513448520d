/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1) for one fixed key, with the
 * key's inner and outer pad blocks hashed once up front. An RMCP+ integrity
 * check (HMAC-SHA1-96, IPMI v2.0 §13.28.4) covers well under 100 bytes, so a
 * packet costs two or three compression rounds here; node:crypto's createHmac
 * spends more than that just setting up an OpenSSL context per packet.
 * Keys longer than a block (RFC 2104 would hash them first) are refused:
 * K1 is always 20 bytes.
 */

const BLOCK = 64;
/** FIPS 180-4 §5.3.1: SHA-1 initial hash value H(0). */
const H0 = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0] as const;
/** FIPS 180-4 §4.2.1: the constant K for rounds 0-19, 20-39, 40-59, 60-79 (as signed 32-bit). */
const K0 = 0x5a827999 | 0;
const K1 = 0x6ed9eba1 | 0;
const K2 = 0x8f1bbcdc | 0;
const K3 = 0xca62c1d6 | 0;

/**
 * FIPS 180-4 §6.1.2 step 1-4: fold one 64-byte block at `off` of `b` into
 * `h`. The 80 rounds run as four loops of 20 (one function and constant
 * each), every sum kept to 32 bits.
 */
function compress(h: Int32Array, w: Int32Array, b: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const i = off + 4 * t;
    w[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!;
  let b1 = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let t = 0;
  for (; t < 20; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d))) | 0) + ((e + K0) | 0) + w[t]!) | 0; // Ch
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 40; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + (b1 ^ c ^ d)) | 0) + ((e + K1) | 0) + w[t]!) | 0; // Parity
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 60; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + ((b1 & c) | (b1 & d) | (c & d))) | 0) + ((e + K2) | 0) + w[t]!) | 0; // Maj
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 80; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + (b1 ^ c ^ d)) | 0) + ((e + K3) | 0) + w[t]!) | 0; // Parity
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b1) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

/*
 * Scratch shared by every instance: digest() runs start to finish without
 * yielding, so one set serves all. A session keeps only its two pad states
 * (40 bytes); per-instance scratch was ~1.2 KiB of typed arrays per warm target.
 */
const h = new Int32Array(5);
const w = new Int32Array(80);
/** The last one or two blocks: message tail, 0x80, zeros, 64-bit bit length (§5.1.1). */
const tail = new Uint8Array(2 * BLOCK);
const innerDigest = new Uint8Array(20);
const digestScratch = new Uint8Array(20);

export class HmacSha1 {
  /** State after hashing K xor ipad (words 0-4), and after K xor opad (words 5-9). */
  private readonly pads = new Int32Array(10);

  constructor(key: Uint8Array) {
    if (key.length > BLOCK) throw new RangeError(`HMAC-SHA1 key of ${key.length} bytes: at most ${BLOCK} supported`);
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x36;
    h.set(H0);
    compress(h, w, pad, 0);
    this.pads.set(h, 0);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x5c;
    h.set(H0);
    compress(h, w, pad, 0);
    this.pads.set(h, 5);
  }

  /** HMAC-SHA1(key, data): 20 bytes. */
  digest(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(20);
    this.digestInto(data, 0, data.length, out, 0, 20);
    return out;
  }

  /** The first `length` (at most 20) bytes of HMAC-SHA1(key, data[start, end)), written to out[at..]: no view, no new buffer. */
  digestInto(data: Uint8Array, start: number, end: number, out: Uint8Array, at: number, length: number): void {
    this.hash(data, start, end);
    writeState(h, digestScratch);
    for (let i = 0; i < length; i++) out[at + i] = digestScratch[i]!;
  }

  /** Whether code[at, at+length) is the first `length` bytes of HMAC-SHA1(key, data[start, end)), compared in constant time. */
  matches(data: Uint8Array, start: number, end: number, code: Uint8Array, at: number, length: number): boolean {
    this.hash(data, start, end);
    writeState(h, digestScratch);
    let diff = 0;
    for (let i = 0; i < length; i++) diff |= digestScratch[i]! ^ code[at + i]!;
    return diff === 0;
  }

  /** Leaves HMAC-SHA1(key, data[start, end)) in the shared state h. */
  private hash(data: Uint8Array, start: number, end: number): void {
    const pads = this.pads;
    for (let i = 0; i < 5; i++) h[i] = pads[i]!;
    let off = start;
    for (; end - off >= BLOCK; off += BLOCK) compress(h, w, data, off);
    // Inner hash: the pad block already went in, so the length counts it too.
    finish(data, off, end - off, BLOCK + end - start);
    // Outer hash over the 20-byte inner digest: one block.
    writeState(h, innerDigest);
    for (let i = 0; i < 5; i++) h[i] = pads[5 + i]!;
    finish(innerDigest, 0, 20, BLOCK + 20);
  }
}

/** Hash the last `rest` bytes of `src` from `from`, then the padding for a message of `total` bytes. */
function finish(src: Uint8Array, from: number, rest: number, total: number): void {
  tail.fill(0);
  for (let i = 0; i < rest; i++) tail[i] = src[from + i]!;
  tail[rest] = 0x80;
  const end = rest + 9 > BLOCK ? 2 * BLOCK : BLOCK;
  const bits = total * 8;
  // 64-bit big-endian bit count; messages here are far below 2^32 bits but keep the high word right.
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = (hi >>> 16) & 0xff;
  tail[end - 6] = (hi >>> 8) & 0xff;
  tail[end - 5] = hi & 0xff;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = (lo >>> 16) & 0xff;
  tail[end - 2] = (lo >>> 8) & 0xff;
  tail[end - 1] = lo & 0xff;
  compress(h, w, tail, 0);
  if (end > BLOCK) compress(h, w, tail, BLOCK);
}

/** The five state words, big endian (FIPS 180-4 §6.1.2 step 4 output). */
function writeState(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 5; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
}
