import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, randomBytes, type Cipher, type Decipher } from 'node:crypto';
import { MalformedPacketError } from '../errors.js';
import type { AuthenticationAlgorithm, IntegrityAlgorithm } from '../session/cipher-suites.js';
import { HmacSha1, HmacSha256, type PrehashedHmac } from './prehashed-hmac.js';

/** node:crypto digest name behind each RAKP authentication algorithm (§13.28). */
export function rakpHash(auth: AuthenticationAlgorithm): 'sha1' | 'md5' | 'sha256' | undefined {
  switch (auth) {
    case 'hmac-sha1':
      return 'sha1';
    case 'hmac-md5':
      return 'md5';
    case 'hmac-sha256':
      return 'sha256';
    case 'none':
      return undefined;
  }
}

export function hmac(hash: 'sha1' | 'md5' | 'sha256', key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac(hash, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** IPMI v2.0 §13.28.4: AuthCode length per integrity algorithm. */
export const INTEGRITY_AUTHCODE_LENGTH = {
  none: 0,
  'hmac-sha1-96': 12,
  'hmac-md5-128': 16,
  'md5-128': 16,
  'hmac-sha256-128': 16,
} as const satisfies Record<IntegrityAlgorithm, number>;

/**
 * IPMI v2.0 §13.28.4: the AuthCode over AuthType..Next Header.
 *   HMAC-* : HMAC keyed with K1, truncated.
 *   MD5-128: MD5(password ‖ data ‖ password), password zero padded to 20 bytes
 *            (what ipmi_sim and FreeIPMI do; the spec says "the user password").
 * One-off: a session's packets use its PacketCrypto, which keeps the key state.
 */
export function integrityAuthCode(alg: IntegrityAlgorithm, k1: Buffer, password: Buffer | undefined, data: Buffer): Buffer {
  return integrityFunction(alg, k1, password)(data);
}

/**
 * The AuthCode function for one key: the key imported (HMAC) or its pads
 * pre-hashed (HMAC-SHA1, HMAC-SHA256) once; `pads`, when given, is that
 * pre-hashed HMAC already made for this key. With `whole`, the digest is not
 * truncated (callers that copy or compare only the AuthCode's length skip a
 * view).
 */
function integrityFunction(
  alg: IntegrityAlgorithm,
  k1: Buffer,
  password: Buffer | undefined,
  whole = false,
  pads = prehashed(alg, k1),
): (data: Buffer) => Buffer {
  switch (alg) {
    case 'hmac-sha1-96':
    case 'hmac-sha256-128': {
      // Suites 1-3 and 17, the common ones, run on our own SHA-1 and SHA-256
      // with the key's pads pre-hashed (prehashed-hmac.ts): at these sizes
      // (one or two blocks) they cost well under node:crypto's createHmac,
      // which pays for a new OpenSSL context per packet.
      const mac = pads!;
      const n = INTEGRITY_AUTHCODE_LENGTH[alg];
      return whole ? (data) => mac.digest(data) : (data) => mac.digest(data).subarray(0, n);
    }
    case 'hmac-md5-128': {
      const key = createSecretKey(k1);
      return (data) => createHmac('md5', key).update(data).digest();
    }
    case 'md5-128': {
      const pw = Buffer.alloc(20);
      password?.copy(pw, 0, 0, 20);
      return (data) => createHash('md5').update(pw).update(data).update(pw).digest();
    }
    case 'none':
      return () => Buffer.alloc(0);
  }
}

const AES_BLOCK = 16;

/** The pre-hashed HMAC for an integrity algorithm that has one. */
function prehashed(alg: IntegrityAlgorithm, k1: Buffer): PrehashedHmac | undefined {
  if (alg === 'hmac-sha1-96') return new HmacSha1(k1);
  if (alg === 'hmac-sha256-128') return new HmacSha256(k1);
  return undefined;
}

/** AES-128 on single blocks (ECB, no padding) under one K2: CBC's chaining is done here, so the contexts never need a new IV. */
class AesContext {
  readonly enc: Cipher;
  readonly dec: Decipher;
  /** One block of scratch for chaining. */
  readonly block = Buffer.alloc(AES_BLOCK);

  constructor(k2: Buffer) {
    const key = k2.subarray(0, AES_BLOCK);
    this.enc = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    this.dec = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  }
}

/**
 * One RMCP+ session's packet crypto: the integrity function and the AES
 * contexts built from its K1 and K2 once, not per packet (importing the HMAC
 * key and building an AES context for each packet was most of a packet's
 * cost). It lives on the session's keys object (see sessionCrypto in
 * session/v20-packet.ts), so it goes when the session does.
 */
export class PacketCrypto {
  /** §13.28.4 AuthCode over AuthType..Next Header. */
  readonly authCode: (data: Buffer) => Buffer;
  /** Bytes of the AuthCode (§13.28.4). */
  readonly authCodeLength: number;
  /** The integrity digest before truncation to authCodeLength. */
  private readonly mac: (data: Buffer) => Buffer;
  /** HMAC-SHA1's or HMAC-SHA256's pads, for the in-place AuthCode of suites 1-3 and 17. */
  private readonly fast: PrehashedHmac | undefined;
  private aes: AesContext | undefined;

  constructor(
    integrity: IntegrityAlgorithm,
    /** The key Buffers this was built from: a keys object holding others needs a new one. */
    readonly k1: Buffer,
    readonly k2: Buffer,
    password: Buffer | undefined,
  ) {
    // One pre-hashed HMAC per session, shared by the three ways a packet uses it.
    this.fast = prehashed(integrity, k1);
    this.authCode = integrityFunction(integrity, k1, password, false, this.fast);
    this.mac = integrityFunction(integrity, k1, password, true, this.fast);
    this.authCodeLength = INTEGRITY_AUTHCODE_LENGTH[integrity];
  }

  private aesContext(): AesContext {
    return (this.aes ??= new AesContext(this.k2));
  }

  /** Writes the AuthCode over buf[start, end) at buf[at..]. */
  writeAuthCode(buf: Buffer, start: number, end: number, at: number): void {
    if (this.fast) this.fast.digestInto(buf, start, end, buf, at, this.authCodeLength);
    else this.mac(buf.subarray(start, end)).copy(buf, at, 0, this.authCodeLength);
  }

  /** Whether buf[codeAt..] is exactly the AuthCode over buf[start, end), compared in constant time. */
  authCodeMatches(buf: Buffer, start: number, end: number, codeAt: number): boolean {
    const n = this.authCodeLength;
    if (buf.length - codeAt !== n) return false;
    if (this.fast) return this.fast.matches(buf, start, end, buf, codeAt, n);
    const expected = this.mac(buf.subarray(start, end));
    let diff = 0;
    for (let i = 0; i < n; i++) diff |= expected[i]! ^ buf[codeAt + i]!;
    return diff === 0;
  }

  /**
   * AES-CBC-128 in place (§13.29): buf[ivAt, ivAt+16) holds the IV and
   * buf[ivAt+16, end) the padded plaintext, a whole number of blocks, which
   * becomes the ciphertext.
   */
  cbcEncryptInPlace(buf: Buffer, ivAt: number, end: number): void {
    if ((end - ivAt) % AES_BLOCK !== 0) throw new MalformedPacketError('AES-CBC-128: plaintext is not whole blocks');
    const { enc, block } = this.aesContext();
    for (let off = ivAt + AES_BLOCK; off < end; off += AES_BLOCK) {
      for (let j = 0; j < AES_BLOCK; j++) block[j] = buf[off + j]! ^ buf[off - AES_BLOCK + j]!;
      // A 16-byte loop, not Buffer.copy: about a third of its cost at this size (a native call each).
      const c = enc.update(block);
      for (let j = 0; j < AES_BLOCK; j++) buf[off + j] = c[j]!;
    }
  }

  /** AES-CBC-128 (§13.29): IV ‖ ciphertext; see aesCbcEncrypt. */
  encrypt(iv: Buffer, payload: Buffer, fullBlockPad = false): Buffer {
    return cbcEncrypt(this.aesContext(), iv, payload, fullBlockPad);
  }

  /** The payload of IV ‖ ciphertext; see aesCbcDecrypt. */
  decrypt(field: Buffer): Buffer {
    return cbcDecrypt(this.aesContext(), field, 0, field.length);
  }

  /** decrypt(buf.subarray(start, end)) without making that view: the field read in place from a received datagram. */
  decryptRange(buf: Buffer, start: number, end: number): Buffer {
    return cbcDecrypt(this.aesContext(), buf, start, end);
  }
}

/*
 * AES-CBC-128 IVs come from a block of random bytes drawn in bulk: one
 * CSPRNG call per 256 packets instead of one each (IPMI v2.0 §13.29 only asks
 * that the IV be random per packet). Each refill is a new Buffer, so an IV
 * handed out is never overwritten.
 */
const IV_POOL_BYTES = 256 * AES_BLOCK;
let ivPool: Buffer = Buffer.alloc(0);
let ivNext = 0;

/** A fresh random 16-byte IV (a view into the current pool block). */
export function randomIv(): Buffer {
  if (ivNext + AES_BLOCK > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + AES_BLOCK);
  ivNext += AES_BLOCK;
  return iv;
}

/** A fresh random 16-byte IV written to out[at..], from the same pool as randomIv (no view made). */
export function writeRandomIv(out: Buffer, at: number): void {
  if (ivNext + AES_BLOCK > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivNext = 0;
  }
  // A 16-byte loop, not Buffer.copy: about a third of its cost at this size.
  const from = ivNext;
  for (let i = 0; i < AES_BLOCK; i++) out[at + i] = ivPool[from + i]!;
  ivNext += AES_BLOCK;
}

/**
 * IPMI v2.0 §13.29 AES-CBC-128: payload ‖ pad 01 02 .. n ‖ n, to a 16-byte
 * multiple, encrypted with K2[0..15]; the 16-byte IV is sent in clear first.
 * `fullBlockPad` reproduces the vendor quirk of a 16-byte pad where the spec wants none.
 * Returns IV ‖ ciphertext. One-off: a session's packets use its PacketCrypto.
 */
export function aesCbcEncrypt(k2: Buffer, iv: Buffer, payload: Buffer, fullBlockPad = false): Buffer {
  return cbcEncrypt(new AesContext(k2), iv, payload, fullBlockPad);
}

function cbcEncrypt(aes: AesContext, iv: Buffer, payload: Buffer, fullBlockPad: boolean): Buffer {
  if (iv.length !== AES_BLOCK) throw new MalformedPacketError(`AES-CBC-128: IV must be 16 bytes, got ${iv.length}`);
  const natural = (AES_BLOCK - ((payload.length + 1) % AES_BLOCK)) % AES_BLOCK;
  // fullBlockPad: some BMCs never send pad length 0 and send a whole block of 16 instead (peers.md).
  const padLen = fullBlockPad && natural === 0 ? AES_BLOCK : natural;
  const plainLen = payload.length + padLen + 1;
  const out = Buffer.allocUnsafe(AES_BLOCK + plainLen);
  iv.copy(out, 0);
  const { enc, block } = aes;
  // CBC: C[i] = E(P[i] xor C[i-1]), C[-1] = IV; out holds IV ‖ C, so C[i-1] sits at out[off..off+16].
  for (let off = 0; off < plainLen; off += AES_BLOCK) {
    for (let j = 0; j < AES_BLOCK; j++) {
      const i = off + j;
      const p = i < payload.length ? payload[i]! : i === plainLen - 1 ? padLen : i - payload.length + 1;
      block[j] = p ^ out[i]!;
    }
    enc.update(block).copy(out, AES_BLOCK + off);
  }
  return out;
}

/**
 * Inverse of aesCbcEncrypt over IV ‖ ciphertext. Checks the pad bytes
 * (MalformedPacketError on a bad pad). Accepts a pad length of 16 — a whole
 * extra block — which some BMCs send (see peers.md); the spec allows 0..15.
 */
export function aesCbcDecrypt(k2: Buffer, field: Buffer): Buffer {
  return cbcDecrypt(new AesContext(k2), field, 0, field.length);
}

/** The field IV ‖ ciphertext is buf[start, end). */
function cbcDecrypt(aes: AesContext, buf: Buffer, start: number, end: number): Buffer {
  const length = end - start;
  if (length < 2 * AES_BLOCK || length % AES_BLOCK !== 0) {
    throw new MalformedPacketError(`AES-CBC-128: encrypted payload of ${length} bytes is not IV + whole blocks`, {
      want: 2 * AES_BLOCK,
      got: length,
    });
  }
  // CBC: P[i] = D(C[i]) xor C[i-1], C[-1] = IV; every block deciphers at once, then the xor.
  const plain = aes.dec.update(buf.subarray(start + AES_BLOCK, end));
  for (let i = 0; i < plain.length; i++) plain[i] = plain[i]! ^ buf[start + i]!;
  const padLen = plain[plain.length - 1]!;
  if (padLen > AES_BLOCK || padLen + 1 > plain.length) {
    throw new MalformedPacketError(`AES-CBC-128: confidentiality pad length ${padLen} is invalid`);
  }
  const plainEnd = plain.length - 1 - padLen;
  for (let i = 0; i < padLen; i++) {
    if (plain[plainEnd + i] !== i + 1) throw new MalformedPacketError('AES-CBC-128: confidentiality pad bytes are not 01 02 03 ...');
  }
  return plain.subarray(0, plainEnd);
}
