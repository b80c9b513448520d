/**
 * HMAC (RFC 2104) over SHA-1 or SHA-256 (FIPS 180-4) for one fixed key, with
 * the key's inner and outer pad blocks hashed once up front. An RMCP+
 * integrity check (HMAC-SHA1-96 for suites 1-3, HMAC-SHA256-128 for suite 17;
 * IPMI v2.0 §13.28.4) covers well under 100 bytes, so a packet costs three or
 * four compression rounds here. node:crypto's createHmac spends more than
 * that just setting up an OpenSSL context per packet: for HMAC-SHA256 it was
 * a fifth of a warm scrape's CPU on the exporter's main thread.
 * Keys longer than a block (RFC 2104 would hash them first) are refused:
 * K1 is 20 bytes under SHA-1 and 32 under SHA-256.
 */

const BLOCK = 64;

/** One Merkle-Damgård hash with 64-byte blocks and a big-endian 64-bit length (SHA-1 and SHA-256 both). */
export interface HashFunction {
  readonly name: string;
  /** Words of state (5 or 8); the digest is that many big-endian words. */
  readonly words: number;
  /** FIPS 180-4 initial hash value H(0). */
  readonly h0: Int32Array;
  /** Folds the 64-byte block at `off` of `b` into `h`, with `w` as the message schedule's scratch. */
  compress(h: Int32Array, w: Int32Array, b: Uint8Array, off: number): void;
}

/** FIPS 180-4 §4.2.1: SHA-1's constant K for rounds 0-19, 20-39, 40-59, 60-79 (as signed 32-bit). */
const S1K0 = 0x5a827999 | 0;
const S1K1 = 0x6ed9eba1 | 0;
const S1K2 = 0x8f1bbcdc | 0;
const S1K3 = 0xca62c1d6 | 0;

/**
 * FIPS 180-4 §6.1.2 steps 1-4. The 80 rounds run as four loops of 20 (one
 * function and constant each), every sum kept to 32 bits.
 */
function compressSha1(h: Int32Array, w: Int32Array, b: Uint8Array, off: number): void {
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
    const temp = (((((a << 5) | (a >>> 27)) + ((b1 & c) | (~b1 & d))) | 0) + ((e + S1K0) | 0) + w[t]!) | 0; // Ch
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 40; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + (b1 ^ c ^ d)) | 0) + ((e + S1K1) | 0) + w[t]!) | 0; // Parity
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 60; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + ((b1 & c) | (b1 & d) | (c & d))) | 0) + ((e + S1K2) | 0) + w[t]!) | 0; // Maj
    e = d;
    d = c;
    c = (b1 << 30) | (b1 >>> 2);
    b1 = a;
    a = temp;
  }
  for (; t < 80; t++) {
    const temp = (((((a << 5) | (a >>> 27)) + (b1 ^ c ^ d)) | 0) + ((e + S1K3) | 0) + w[t]!) | 0; // Parity
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

export const SHA1: HashFunction = {
  name: 'SHA-1',
  words: 5,
  // FIPS 180-4 §5.3.1.
  h0: Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0),
  compress: compressSha1,
};

/** FIPS 180-4 §4.2.2: SHA-256's 64 round constants (the cube roots of the first 64 primes' fractional parts). */
// biome-ignore format: a table of constants, eight to a line
const SHA256_K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

/** FIPS 180-4 §6.2.2 steps 1-4, every sum kept to 32 bits (rotations written as shift pairs). */
function compressSha256(h: Int32Array, w: Int32Array, b: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const i = off + 4 * t;
    w[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3); // σ0
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10); // σ1
    w[t] = (((w[t - 16]! + s0) | 0) + ((w[t - 7]! + s1) | 0)) | 0;
  }
  let a = h[0]!;
  let b1 = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const bigS1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)); // Σ1
    const ch = (e & f) ^ (~e & g);
    const t1 = (((hh + bigS1) | 0) + ((ch + SHA256_K[t]!) | 0) + w[t]!) | 0;
    const bigS0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)); // Σ0
    const maj = (a & b1) ^ (a & c) ^ (b1 & c);
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b1;
    b1 = a;
    a = (t1 + ((bigS0 + maj) | 0)) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b1) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

export const SHA256: HashFunction = {
  name: 'SHA-256',
  words: 8,
  // FIPS 180-4 §5.3.3.
  h0: Int32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19),
  compress: compressSha256,
};

/*
 * Scratch shared by every instance: a digest runs start to finish without
 * yielding, so one set serves all. A session keeps only its two pad states
 * (40 or 64 bytes); per-instance scratch was ~1.2 KiB of typed arrays per warm
 * target. Sized for the larger hash: 8 words of state, SHA-1's 80-word schedule.
 */
const h = new Int32Array(8);
const w = new Int32Array(80);
/** The last one or two blocks: message tail, 0x80, zeros, 64-bit bit length (§5.1.1). */
const tail = new Uint8Array(2 * BLOCK);
const innerDigest = new Uint8Array(32);
const digestScratch = new Uint8Array(32);

export class PrehashedHmac {
  /** Bytes of the full digest (20 or 32). */
  readonly length: number;
  private readonly words: number;
  private readonly compress: HashFunction['compress'];
  /** State after hashing K xor ipad (words 0..n-1), and after K xor opad (words n..2n-1). */
  private readonly pads: Int32Array;

  constructor(hash: HashFunction, key: Uint8Array) {
    if (key.length > BLOCK) throw new RangeError(`HMAC-${hash.name} key of ${key.length} bytes: at most ${BLOCK} supported`);
    const n = hash.words;
    this.words = n;
    this.length = 4 * n;
    this.compress = hash.compress;
    this.pads = new Int32Array(2 * n);
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x36;
    h.set(hash.h0);
    this.compress(h, w, pad, 0);
    this.pads.set(h.subarray(0, n), 0);
    for (let i = 0; i < BLOCK; i++) pad[i] = (key[i] ?? 0) ^ 0x5c;
    h.set(hash.h0);
    this.compress(h, w, pad, 0);
    this.pads.set(h.subarray(0, n), n);
  }

  /** HMAC(key, data): 20 or 32 bytes. */
  digest(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.digestInto(data, 0, data.length, out, 0, this.length);
    return out;
  }

  /** The first `length` (at most the digest's) bytes of HMAC(key, data[start, end)), written to out[at..]: no view, no new buffer. */
  digestInto(data: Uint8Array, start: number, end: number, out: Uint8Array, at: number, length: number): void {
    this.hash(data, start, end);
    writeState(h, this.words, digestScratch);
    for (let i = 0; i < length; i++) out[at + i] = digestScratch[i]!;
  }

  /** Whether code[at, at+length) is the first `length` bytes of HMAC(key, data[start, end)), compared in constant time. */
  matches(data: Uint8Array, start: number, end: number, code: Uint8Array, at: number, length: number): boolean {
    this.hash(data, start, end);
    writeState(h, this.words, digestScratch);
    let diff = 0;
    for (let i = 0; i < length; i++) diff |= digestScratch[i]! ^ code[at + i]!;
    return diff === 0;
  }

  /** Leaves HMAC(key, data[start, end)) in the shared state h. */
  private hash(data: Uint8Array, start: number, end: number): void {
    const { pads, words: n, compress } = this;
    for (let i = 0; i < n; i++) h[i] = pads[i]!;
    let off = start;
    for (; end - off >= BLOCK; off += BLOCK) compress(h, w, data, off);
    // Inner hash: the pad block already went in, so the length counts it too.
    finish(compress, data, off, end - off, BLOCK + end - start);
    // Outer hash over the inner digest: one block.
    writeState(h, n, innerDigest);
    for (let i = 0; i < n; i++) h[i] = pads[n + i]!;
    finish(compress, innerDigest, 0, 4 * n, BLOCK + 4 * n);
  }
}

/** HMAC-SHA1 (suites 1-3's HMAC-SHA1-96 is its first 12 bytes). */
export class HmacSha1 extends PrehashedHmac {
  constructor(key: Uint8Array) {
    super(SHA1, key);
  }
}

/** HMAC-SHA256 (suite 17's HMAC-SHA256-128 is its first 16 bytes). */
export class HmacSha256 extends PrehashedHmac {
  constructor(key: Uint8Array) {
    super(SHA256, key);
  }
}

/** Hash the last `rest` bytes of `src` from `from`, then the padding for a message of `total` bytes. */
function finish(compress: HashFunction['compress'], src: Uint8Array, from: number, rest: number, total: number): void {
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

/** The first `words` state words, big endian (FIPS 180-4 §6.1.2 / §6.2.2 step 4 output). */
function writeState(h: Int32Array, words: number, out: Uint8Array): void {
  for (let i = 0; i < words; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
}
