import { AuthenticationError, type IpmiError, SessionError, UnsupportedCipherSuiteError, hex2 } from '../errors.js';

/** IPMI v2.0 §13.24 Table 13-15: RMCP+ and RAKP message status codes. */
export const RMCPPLUS_STATUS = {
  0x00: 'No errors',
  0x01: 'Insufficient resources to create a session',
  0x02: 'Invalid session ID',
  0x03: 'Invalid payload type',
  0x04: 'Invalid authentication algorithm',
  0x05: 'Invalid integrity algorithm',
  0x06: 'No matching authentication payload',
  0x07: 'No matching integrity payload',
  0x08: 'Inactive session ID',
  0x09: 'Invalid role',
  0x0a: 'Unauthorized role or privilege level requested',
  0x0b: 'Insufficient resources to create a session at the requested role',
  0x0c: 'Invalid name length',
  0x0d: 'Unauthorized name',
  0x0e: 'Unauthorized GUID',
  0x0f: 'Invalid integrity check value',
  0x10: 'Invalid confidentiality algorithm',
  0x11: 'No cipher suite match with proposed security algorithms',
  0x12: 'Illegal or unrecognized parameter',
} as const satisfies Record<number, string>;

export function rmcpPlusStatusName(code: number): string {
  return (RMCPPLUS_STATUS as Record<number, string>)[code] ?? `unknown status 0x${hex2(code)}`;
}

/** Status codes that say the user name is not known (or not acceptable as a name). */
const UNKNOWN_USER: ReadonlySet<number> = new Set([0x0c, 0x0d]);
/** Status codes that refuse the requested role / privilege. */
const PRIVILEGE_REFUSED: ReadonlySet<number> = new Set([0x09, 0x0a]);
/** Status codes that refuse the proposed algorithms. */
const ALGORITHM_REFUSED: ReadonlySet<number> = new Set([0x04, 0x05, 0x06, 0x07, 0x10, 0x11]);
/** Resource shortages: a later attempt may succeed (ipmi_sim: 63 sessions per BMC). */
const TEMPORARY: ReadonlySet<number> = new Set([0x01, 0x0b]);

/** The typed error for a non-zero status in an Open Session Response or RAKP 2/4 message. */
export function rmcpPlusStatusError(message: string, status: number, suiteId: number): IpmiError {
  const text = `${message}: BMC status 0x${hex2(status)} (${rmcpPlusStatusName(status)})`;
  if (UNKNOWN_USER.has(status)) return new AuthenticationError('unknown-user', text);
  if (PRIVILEGE_REFUSED.has(status)) return new AuthenticationError('privilege-refused', text);
  // 0x0F in RAKP4 means the BMC could not verify our RAKP3 HMAC, keyed with the password.
  if (status === 0x0f) return new AuthenticationError('wrong-password', text);
  if (ALGORITHM_REFUSED.has(status)) return new UnsupportedCipherSuiteError([suiteId], undefined, text);
  return new SessionError(text, status, { temporary: TEMPORARY.has(status) });
}
