import { timingSafeEqual } from 'node:crypto';
import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { INTEGRITY_AUTHCODE_LENGTH, PacketCrypto, randomIv } from '../crypto/rmcpplus-crypto.js';
import { IntegrityError, InvalidArgumentError, MalformedPacketError, hex2 } from '../errors.js';
import { RMCP_CLASS, RMCP_HEADER_LENGTH, writeRmcpHeader } from '../rmcp/rmcp.js';
import { AUTH_TYPE } from './auth-types.js';
import type { CipherSuite } from './cipher-suites.js';
import { PAYLOAD_TYPE_OEM_EXPLICIT } from './session-packet.js';

/** Keys of an established RMCP+ session (IPMI v2.0 §13.31-13.32). */
export interface SessionKeys {
  suite: CipherSuite;
  /** Session Integrity Key */
  sik: Buffer;
  /** Integrity key (HMAC-* integrity algorithms) */
  k1: Buffer;
  /** Confidentiality key (AES-CBC-128 uses its first 16 bytes) */
  k2: Buffer;
  /** Only for integrity MD5-128, which keys on the password itself. */
  password?: Buffer;
}

/**
 * The packet crypto of `keys`, built on first use and kept on the keys
 * object itself (a property that is not enumerable, so copies and equality
 * checks see only the keys). A keys object whose K1, K2 or password was
 * replaced gets a new one.
 */
export function sessionCrypto(keys: SessionKeys): PacketCrypto {
  const held = (keys as KeysWithCrypto)[CRYPTO];
  if (held && held.k1 === keys.k1 && held.k2 === keys.k2 && held.password === keys.password && held.suite === keys.suite) return held.crypto;
  const crypto = new PacketCrypto(keys.suite.integrity, keys.k1, keys.k2, keys.password);
  Object.defineProperty(keys, CRYPTO, {
    value: { suite: keys.suite, k1: keys.k1, k2: keys.k2, password: keys.password, crypto } satisfies HeldCrypto,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return crypto;
}

const CRYPTO = Symbol('packet crypto');
interface HeldCrypto {
  suite: CipherSuite;
  k1: Buffer;
  k2: Buffer;
  password: Buffer | undefined;
  crypto: PacketCrypto;
}
type KeysWithCrypto = SessionKeys & { [CRYPTO]?: HeldCrypto };

/** IPMI v2.0 §13.27.3 Table 13-16: payload types (bits 5:0 of the payload type byte). */
export const PAYLOAD_TYPE = {
  /** IPMI message (LAN request/response) */
  ipmi: 0x00,
  /** Serial over LAN */
  sol: 0x01,
  /** RMCP+ Open Session Request */
  openSessionRequest: 0x10,
  /** RMCP+ Open Session Response */
  openSessionResponse: 0x11,
  /** RAKP Message 1 */
  rakp1: 0x12,
  /** RAKP Message 2 */
  rakp2: 0x13,
  /** RAKP Message 3 */
  rakp3: 0x14,
  /** RAKP Message 4 */
  rakp4: 0x15,
} as const;

/** Table 13-8: auth type, payload type, session id, session seq, payload length. */
const SESSION_HEADER_LENGTH = 12;
/** §13.28.4: the Next Header byte of the integrity trailer is always 0x07. */
const NEXT_HEADER = 0x07;
const PT_ENCRYPTED = 0x80;
const PT_AUTHENTICATED = 0x40;

export interface V20Packet {
  payloadType: number;
  encrypted: boolean;
  authenticated: boolean;
  sessionId: number;
  sessionSeq: number;
  payload: Buffer;
}

/**
 * IPMI v2.0 §13.6 Table 13-8, RMCP+ session packet (after the RMCP header):
 *   [0] auth type 0x06  [1] encrypted(7) authenticated(6) payload type(5:0)
 *   [2..5] session id  [6..9] session seq  [10..11] payload length (LE)
 *   [12..] payload (AES: IV ‖ ciphertext)
 *   trailer iff authenticated (§13.28.4): integrity pad 0xFF.. so that
 *   AuthType..NextHeader is a multiple of 4, pad length, next header 0x07, AuthCode.
 * With keys, protection follows the suite; without keys (pre-session) nothing is protected.
 */
export function encodeV20Packet(p: {
  payloadType: number;
  sessionId: number;
  sessionSeq: number;
  payload: Buffer;
  keys?: SessionKeys;
  iv?: Buffer;
  /** Simulate BMCs that send a 16-byte AES pad where the spec wants 0 (bmc-sim's aesPad16 quirk). */
  aesFullBlockPad?: boolean;
}): Buffer {
  const suite = p.keys?.suite;
  const encrypt = suite?.confidentiality === 'aes-cbc-128';
  const authenticate = suite !== undefined && suite.integrity !== 'none';
  if (suite && suite.confidentiality !== 'none' && !encrypt) {
    throw new InvalidArgumentError(`confidentiality ${suite.confidentiality} is not implemented`);
  }
  const crypto = suite ? sessionCrypto(p.keys!) : undefined;
  const body = encrypt ? crypto!.encrypt(p.iv ?? randomIv(), p.payload, p.aesFullBlockPad) : p.payload;
  if (body.length > 0xffff) throw new InvalidArgumentError('RMCP+ payload longer than 65535 bytes');

  // RMCP header and session packet go into one exactly sized writer: no copy between layers.
  const h = RMCP_HEADER_LENGTH;
  const headerAndBody = SESSION_HEADER_LENGTH + body.length;
  const padLen = authenticate ? (4 - ((headerAndBody + 2) % 4)) % 4 : 0;
  const trailer = authenticate ? padLen + 2 + INTEGRITY_AUTHCODE_LENGTH[suite.integrity] : 0;
  const w = writeRmcpHeader(new ByteWriter(h + headerAndBody + trailer), RMCP_CLASS.ipmi)
    .u8(AUTH_TYPE.rmcpPlus)
    .u8((encrypt ? PT_ENCRYPTED : 0) | (authenticate ? PT_AUTHENTICATED : 0) | (p.payloadType & 0x3f))
    .u32le(p.sessionId)
    .u32le(p.sessionSeq)
    .u16le(body.length)
    .bytes(body);
  if (authenticate) {
    for (let i = 0; i < padLen; i++) w.u8(0xff);
    w.u8(padLen).u8(NEXT_HEADER);
    // The AuthCode covers AuthType..Next Header: everything after the RMCP header so far.
    w.bytes(crypto!.authCode(w.view(h)));
  }
  return w.finish();
}

/**
 * Decodes an RMCP+ body. Authenticated packets need keys and a matching
 * trailer (IntegrityError otherwise); encrypted ones are decrypted with K2.
 * OEM explicit payloads (type 2) are not supported (MalformedPacketError).
 */
export function decodeV20Packet(rmcpBody: Buffer, keys?: SessionKeys): V20Packet {
  const r = new ByteReader(rmcpBody, 'RMCP+ session packet');
  const authType = r.u8('auth type') & 0x0f;
  if (authType !== AUTH_TYPE.rmcpPlus) {
    throw new MalformedPacketError(`RMCP+ session packet: auth type ${authType} is not 6`);
  }
  const pt = r.u8('payload type');
  const payloadType = pt & 0x3f;
  if (payloadType === PAYLOAD_TYPE_OEM_EXPLICIT) {
    throw new MalformedPacketError('RMCP+ session packet: OEM explicit payloads are not supported');
  }
  const encrypted = (pt & PT_ENCRYPTED) !== 0;
  const authenticated = (pt & PT_AUTHENTICATED) !== 0;
  const sessionId = r.u32le('session id');
  const sessionSeq = r.u32le('session sequence');
  const length = r.u16le('payload length');

  if (keys && keys.suite.integrity !== 'none' && !authenticated) {
    // In an integrity-protected session an unauthenticated packet is a forgery (or a flipped bit 6).
    throw new IntegrityError('RMCP+ packet is not authenticated but the session requires integrity');
  }
  if (authenticated) {
    if (!keys || keys.suite.integrity === 'none') {
      throw new IntegrityError('RMCP+ packet is authenticated but the session has no integrity algorithm');
    }
    // Verified before the length is trusted, so any tampering reads as an integrity failure.
    const payloadEnd = verifyTrailer(rmcpBody, r.offset, keys);
    if (payloadEnd !== r.offset + length) {
      throw new MalformedPacketError(`RMCP+ session packet: payload length ${length} disagrees with the integrity trailer`);
    }
  }
  const field = r.bytes(length, 'payload');

  let payload: Buffer;
  if (encrypted) {
    if (!keys || keys.suite.confidentiality !== 'aes-cbc-128') {
      throw new MalformedPacketError('RMCP+ packet is encrypted but the session has no AES-CBC-128 key');
    }
    payload = sessionCrypto(keys).decrypt(field);
  } else {
    payload = Buffer.from(field);
  }
  return { payloadType, encrypted, authenticated, sessionId, sessionSeq, payload };
}

/** Checks the §13.28.4 trailer from the packet's end; returns where the payload ends. */
function verifyTrailer(rmcpBody: Buffer, payloadStart: number, keys: SessionKeys): number {
  const codeLen = INTEGRITY_AUTHCODE_LENGTH[keys.suite.integrity];
  const nextHeaderAt = rmcpBody.length - codeLen - 1;
  if (nextHeaderAt < payloadStart + 1) {
    throw new IntegrityError(`RMCP+ integrity trailer is truncated (${rmcpBody.length - payloadStart} bytes after the header)`);
  }
  const covered = rmcpBody.subarray(0, nextHeaderAt + 1);
  const expected = sessionCrypto(keys).authCode(covered);
  const got = rmcpBody.subarray(nextHeaderAt + 1);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    throw new IntegrityError('RMCP+ packet failed its integrity check');
  }
  const nextHeader = rmcpBody[nextHeaderAt]!;
  const padLen = rmcpBody[nextHeaderAt - 1]!;
  if (nextHeader !== NEXT_HEADER) {
    throw new MalformedPacketError(`RMCP+ integrity trailer: next header 0x${hex2(nextHeader)}, pad length ${padLen}`);
  }
  return nextHeaderAt - 1 - padLen;
}
