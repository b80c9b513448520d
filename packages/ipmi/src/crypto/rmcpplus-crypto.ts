import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { MalformedPacketError } from '../errors.js';
import type { AuthenticationAlgorithm, IntegrityAlgorithm } from '../session/cipher-suites.js';

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
 */
export function integrityAuthCode(
  alg: IntegrityAlgorithm,
  k1: Buffer,
  password: Buffer | undefined,
  data: Buffer,
): Buffer {
  switch (alg) {
    case 'hmac-sha1-96':
      return hmac('sha1', k1, data).subarray(0, 12);
    case 'hmac-md5-128':
      return hmac('md5', k1, data);
    case 'hmac-sha256-128':
      return hmac('sha256', k1, data).subarray(0, 16);
    case 'md5-128': {
      const pw = Buffer.alloc(20);
      password?.copy(pw, 0, 0, 20);
      return createHash('md5').update(pw).update(data).update(pw).digest();
    }
    case 'none':
      return Buffer.alloc(0);
  }
}

const AES_BLOCK = 16;

/**
 * IPMI v2.0 §13.29 AES-CBC-128: payload ‖ pad 01 02 .. n ‖ n, to a 16-byte
 * multiple, encrypted with K2[0..15]; the 16-byte IV is sent in clear first.
 * `fullBlockPad` reproduces the vendor quirk of a 16-byte pad where the spec wants none.
 */
export function aesCbcEncrypt(k2: Buffer, iv: Buffer, payload: Buffer, fullBlockPad = false): Buffer {
  if (iv.length !== AES_BLOCK) throw new MalformedPacketError(`AES-CBC-128: IV must be 16 bytes, got ${iv.length}`);
  const natural = (AES_BLOCK - ((payload.length + 1) % AES_BLOCK)) % AES_BLOCK;
  // fullBlockPad: some BMCs never send pad length 0 and send a whole block of 16 instead (peers.md).
  const padLen = fullBlockPad && natural === 0 ? AES_BLOCK : natural;
  const plain = Buffer.alloc(payload.length + padLen + 1);
  payload.copy(plain);
  for (let i = 1; i <= padLen; i++) plain[payload.length + i - 1] = i;
  plain[plain.length - 1] = padLen;
  const c = createCipheriv('aes-128-cbc', k2.subarray(0, 16), iv).setAutoPadding(false);
  return Buffer.concat([iv, c.update(plain), c.final()]);
}

/**
 * Inverse of aesCbcEncrypt over IV ‖ ciphertext. Checks the pad bytes
 * (MalformedPacketError on a bad pad). Accepts a pad length of 16 — a whole
 * extra block — which some BMCs send (see peers.md); the spec allows 0..15.
 */
export function aesCbcDecrypt(k2: Buffer, field: Buffer): Buffer {
  if (field.length < 2 * AES_BLOCK || field.length % AES_BLOCK !== 0) {
    throw new MalformedPacketError(
      `AES-CBC-128: encrypted payload of ${field.length} bytes is not IV + whole blocks`,
      { want: 2 * AES_BLOCK, got: field.length },
    );
  }
  const d = createDecipheriv('aes-128-cbc', k2.subarray(0, 16), field.subarray(0, AES_BLOCK)).setAutoPadding(false);
  const plain = Buffer.concat([d.update(field.subarray(AES_BLOCK)), d.final()]);
  const padLen = plain[plain.length - 1]!;
  if (padLen > AES_BLOCK || padLen + 1 > plain.length) {
    throw new MalformedPacketError(`AES-CBC-128: confidentiality pad length ${padLen} is invalid`);
  }
  const end = plain.length - 1 - padLen;
  for (let i = 0; i < padLen; i++) {
    if (plain[end + i] !== i + 1) throw new MalformedPacketError('AES-CBC-128: confidentiality pad bytes are not 01 02 03 ...');
  }
  return plain.subarray(0, end);
}
