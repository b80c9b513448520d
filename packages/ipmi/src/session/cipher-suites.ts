import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { InvalidArgumentError, UnsupportedCipherSuiteError } from '../errors.js';

export type AuthenticationAlgorithm = 'none' | 'hmac-sha1' | 'hmac-md5' | 'hmac-sha256';
export type IntegrityAlgorithm = 'none' | 'hmac-sha1-96' | 'hmac-md5-128' | 'md5-128' | 'hmac-sha256-128';
export type ConfidentialityAlgorithm = 'none' | 'aes-cbc-128' | 'xrc4-128' | 'xrc4-40';

export interface CipherSuite {
  id: number;
  authentication: AuthenticationAlgorithm;
  integrity: IntegrityAlgorithm;
  confidentiality: ConfidentialityAlgorithm;
}

/** IPMI v2.0 §13.28 Table 13-17: authentication (RAKP) algorithm numbers (6 bits). */
export const AUTHENTICATION_ALGORITHM = {
  /** RAKP-none: no key exchange authentication */
  none: 0x00,
  /** RAKP-HMAC-SHA1 */
  'hmac-sha1': 0x01,
  /** RAKP-HMAC-MD5 */
  'hmac-md5': 0x02,
  /** RAKP-HMAC-SHA256 (added by errata; suites 15-19) */
  'hmac-sha256': 0x03,
} as const satisfies Record<AuthenticationAlgorithm, number>;

/** IPMI v2.0 §13.28.4 Table 13-18: integrity algorithm numbers. */
export const INTEGRITY_ALGORITHM = {
  /** No integrity trailer */
  none: 0x00,
  /** HMAC-SHA1 keyed with K1, truncated to 12 bytes */
  'hmac-sha1-96': 0x01,
  /** HMAC-MD5 keyed with K1, 16 bytes */
  'hmac-md5-128': 0x02,
  /** MD5(password ‖ data ‖ password), 16 bytes */
  'md5-128': 0x03,
  /** HMAC-SHA256 keyed with K1, truncated to 16 bytes */
  'hmac-sha256-128': 0x04,
} as const satisfies Record<IntegrityAlgorithm, number>;

/** IPMI v2.0 §13.28.5 Table 13-19: confidentiality algorithm numbers. */
export const CONFIDENTIALITY_ALGORITHM = {
  /** Payload in clear */
  none: 0x00,
  /** AES-CBC-128 keyed with the first 16 bytes of K2 */
  'aes-cbc-128': 0x01,
  /** xRC4 with a 128-bit key (not implemented) */
  'xrc4-128': 0x02,
  /** xRC4 with a 40-bit key (not implemented) */
  'xrc4-40': 0x03,
} as const satisfies Record<ConfidentialityAlgorithm, number>;

function suite(id: number, authentication: AuthenticationAlgorithm, integrity: IntegrityAlgorithm, confidentiality: ConfidentialityAlgorithm): CipherSuite {
  return Object.freeze({ id, authentication, integrity, confidentiality });
}

/** IPMI v2.0 §22.15.2 Table 22-20: the standard cipher suites 0-19. */
export const CIPHER_SUITES: readonly CipherSuite[] = Object.freeze([
  suite(0, 'none', 'none', 'none'),
  suite(1, 'hmac-sha1', 'none', 'none'),
  suite(2, 'hmac-sha1', 'hmac-sha1-96', 'none'),
  suite(3, 'hmac-sha1', 'hmac-sha1-96', 'aes-cbc-128'),
  suite(4, 'hmac-sha1', 'hmac-sha1-96', 'xrc4-128'),
  suite(5, 'hmac-sha1', 'hmac-sha1-96', 'xrc4-40'),
  suite(6, 'hmac-md5', 'none', 'none'),
  suite(7, 'hmac-md5', 'hmac-md5-128', 'none'),
  suite(8, 'hmac-md5', 'hmac-md5-128', 'aes-cbc-128'),
  suite(9, 'hmac-md5', 'hmac-md5-128', 'xrc4-128'),
  suite(10, 'hmac-md5', 'hmac-md5-128', 'xrc4-40'),
  suite(11, 'hmac-md5', 'md5-128', 'none'),
  suite(12, 'hmac-md5', 'md5-128', 'aes-cbc-128'),
  suite(13, 'hmac-md5', 'md5-128', 'xrc4-128'),
  suite(14, 'hmac-md5', 'md5-128', 'xrc4-40'),
  suite(15, 'hmac-sha256', 'none', 'none'),
  suite(16, 'hmac-sha256', 'hmac-sha256-128', 'none'),
  suite(17, 'hmac-sha256', 'hmac-sha256-128', 'aes-cbc-128'),
  suite(18, 'hmac-sha256', 'hmac-sha256-128', 'xrc4-128'),
  suite(19, 'hmac-sha256', 'hmac-sha256-128', 'xrc4-40'),
]);

/** True if this library can run the suite (everything except xRC4). */
export function isSupportedCipherSuite(id: number): boolean {
  const s = CIPHER_SUITES[id];
  return s !== undefined && !s.confidentiality.startsWith('xrc4');
}

/** The suite with this id; UnsupportedCipherSuiteError for xRC4 suites, InvalidArgumentError for unknown ids. */
export function cipherSuite(id: number): CipherSuite {
  if (!Number.isInteger(id) || id < 0) throw new InvalidArgumentError(`cipher suite ${id} is not a valid id`);
  const s = CIPHER_SUITES[id];
  if (!s || s.confidentiality.startsWith('xrc4')) {
    throw new UnsupportedCipherSuiteError(
      [id],
      undefined,
      s ? `cipher suite ${id} needs ${s.confidentiality}, which this library does not implement` : `cipher suite ${id} is not a standard suite (0-19)`,
    );
  }
  return s;
}

/** IPMI v2.0 §22.15.2 Table 22-19: start-of-record and algorithm tag bytes. */
const RECORD = {
  /** Start of a standard cipher suite record: followed by the suite id */
  standard: 0xc0,
  /** Start of an OEM cipher suite record: suite id then a 3-byte OEM IANA */
  oem: 0xc1,
  /** bits 7:6 == 00: authentication algorithm tag */
  authenticationTag: 0x00,
  /** bits 7:6 == 01: integrity algorithm tag */
  integrityTag: 0x40,
  /** bits 7:6 == 10: confidentiality algorithm tag */
  confidentialityTag: 0x80,
} as const;

/**
 * Parses the concatenated record data of Get Channel Cipher Suites (list by
 * cipher suite): each record is 0xC0 id, or 0xC1 id IANA(3), followed by
 * algorithm tags (bits 7:6 = 00 auth, 01 integrity, 10 confidentiality).
 * Returns the standard suite ids in the order the BMC lists them; OEM suites
 * are skipped (we cannot run them).
 */
export function decodeCipherSuiteRecords(data: Buffer): number[] {
  const r = new ByteReader(data, 'cipher suite records');
  const ids: number[] = [];
  while (r.remaining > 0) {
    const start = r.u8('start of record');
    if (start !== RECORD.standard && start !== RECORD.oem) {
      // A stray algorithm tag before any record: skip it rather than fail discovery.
      continue;
    }
    const id = r.u8('cipher suite id');
    if (start === RECORD.oem) r.skip(3, 'OEM IANA');
    while (r.remaining > 0) {
      const tag = r.peek()!;
      if (tag === RECORD.standard || tag === RECORD.oem) break;
      r.skip(1, 'algorithm tag');
    }
    if (start === RECORD.standard && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * The BMC side of Get Channel Cipher Suites (list by cipher suite, §22.15.2
 * Table 22-19): per suite 0xC0, id, auth tag (00b | alg), integrity tag
 * (01b | alg), confidentiality tag (10b | alg). Unknown ids are skipped.
 */
export function encodeCipherSuiteRecords(ids: readonly number[]): Buffer {
  const w = new ByteWriter(5 * ids.length);
  for (const id of ids) {
    const s = CIPHER_SUITES[id];
    if (!s) continue;
    w.u8(RECORD.standard)
      .u8(id)
      .u8(RECORD.authenticationTag | AUTHENTICATION_ALGORITHM[s.authentication])
      .u8(RECORD.integrityTag | INTEGRITY_ALGORITHM[s.integrity])
      .u8(RECORD.confidentialityTag | CONFIDENTIALITY_ALGORITHM[s.confidentiality]);
  }
  return w.toBuffer();
}
