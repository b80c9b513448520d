import { hmac, rakpHash } from '../crypto/rmcpplus-crypto.js';
import type { CipherSuite } from './cipher-suites.js';
import type { SessionKeys } from './v20-packet.js';

/** §13.31: Kuid and Kg are 20-byte keys, the password / BMC key zero padded. */
export function padKey20(key: Buffer): Buffer {
  const out = Buffer.alloc(Math.max(20, key.length));
  key.copy(out);
  return out;
}

/**
 * IPMI v2.0 §13.31: SIK = HMAC_Kg(Rm ‖ Rc ‖ RoleM ‖ ULengthM ‖ UNameM), with
 * Kg = Kuid (the password) when no BMC key is set. Empty for RAKP-none.
 */
export function deriveSik(suite: CipherSuite, kg: Buffer, consoleRandom: Buffer, bmcRandom: Buffer, role: number, username: Buffer): Buffer {
  const hash = rakpHash(suite.authentication);
  if (!hash) return Buffer.alloc(0);
  return hmac(hash, padKey20(kg), consoleRandom, bmcRandom, Buffer.from([role, username.length]), username);
}

/**
 * IPMI v2.0 §13.32: K1 = HMAC_SIK(const 0x01 repeated), K2 = HMAC_SIK(0x02 repeated).
 * How many bytes of constant under HMAC-SHA256 is not settled: ipmitool
 * (lanplus_crypt.c) and FreeIPMI (IPMI_KEY_CONSTANT_LENGTH) both use 20 bytes
 * for every algorithm, and gebn/bmc#49 shows a real BMC agreeing with them;
 * FreeIPMI's own comment reads §13.32 as "the digest length". So 20 is the
 * default; `constantLength: 'digest'` selects 32 bytes for SHA-256 BMCs that
 * take the spec literally.
 */
export function deriveSessionKeys(suite: CipherSuite, sik: Buffer, options: { constantLength?: 20 | 'digest'; password?: Buffer } = {}): SessionKeys {
  const hash = rakpHash(suite.authentication);
  const keys: SessionKeys = { suite, sik, k1: Buffer.alloc(0), k2: Buffer.alloc(0) };
  if (hash) {
    const n = options.constantLength === 'digest' ? sik.length : 20;
    keys.k1 = hmac(hash, sik, Buffer.alloc(n, 0x01));
    keys.k2 = hmac(hash, sik, Buffer.alloc(n, 0x02));
  }
  if (options.password && suite.integrity === 'md5-128') keys.password = options.password;
  return keys;
}

/** §13.28: RAKP4 Integrity Check Value length per authentication algorithm. */
export const RAKP4_ICV_LENGTH = { none: 0, 'hmac-sha1': 12, 'hmac-md5': 16, 'hmac-sha256': 16 } as const;
/** §13.28: RAKP2/RAKP3 key exchange auth code length (full HMAC). */
export const RAKP_AUTHCODE_LENGTH = { none: 0, 'hmac-sha1': 20, 'hmac-md5': 16, 'hmac-sha256': 32 } as const;

/** The values both sides of a RAKP exchange hash (§13.31), gathered once. */
export interface RakpExchange {
  suite: CipherSuite;
  consoleSessionId: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  bmcRandom: Buffer;
  bmcGuid: Buffer;
  /** The role byte as hashed: RAKP1's privilege | name-only-lookup bit (or a quirk's substitute). */
  role: number;
  username: Buffer;
}

function sessionIds(a: number, b?: number): Buffer {
  const out = Buffer.alloc(b === undefined ? 4 : 8);
  out.writeUInt32LE(a >>> 0, 0);
  if (b !== undefined) out.writeUInt32LE(b >>> 0, 4);
  return out;
}

/** §13.31: RAKP2 key exchange auth code = HMAC_Kuid(SIDm ‖ SIDc ‖ Rm ‖ Rc ‖ GUIDc ‖ RoleM ‖ ULengthM ‖ UNameM). Empty for RAKP-none. */
export function rakp2AuthCode(x: RakpExchange, kuid: Buffer): Buffer {
  const hash = rakpHash(x.suite.authentication);
  if (!hash) return Buffer.alloc(0);
  return hmac(
    hash,
    padKey20(kuid),
    sessionIds(x.consoleSessionId, x.bmcSessionId),
    x.consoleRandom,
    x.bmcRandom,
    x.bmcGuid,
    Buffer.from([x.role, x.username.length]),
    x.username,
  );
}

/** §13.31: RAKP3 key exchange auth code = HMAC_Kuid(Rc ‖ SIDm ‖ RoleM ‖ ULengthM ‖ UNameM). Empty for RAKP-none. */
export function rakp3AuthCode(x: RakpExchange, kuid: Buffer): Buffer {
  const hash = rakpHash(x.suite.authentication);
  if (!hash) return Buffer.alloc(0);
  return hmac(hash, padKey20(kuid), x.bmcRandom, sessionIds(x.consoleSessionId), Buffer.from([x.role, x.username.length]), x.username);
}

/** §13.31: RAKP4 integrity check value = HMAC_SIK(Rm ‖ SIDc ‖ GUIDc), truncated per §13.28. */
export function rakp4Icv(x: RakpExchange, sik: Buffer): Buffer {
  const hash = rakpHash(x.suite.authentication);
  if (!hash) return Buffer.alloc(0);
  return hmac(hash, sik, x.consoleRandom, sessionIds(x.bmcSessionId), x.bmcGuid).subarray(0, RAKP4_ICV_LENGTH[x.suite.authentication]);
}
