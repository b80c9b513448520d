import { AuthenticationError, type IpmiError, SessionError, UnsupportedCipherSuiteError, hex2 } from '../errors.js';

/** IPMI v2.0 §13.24 Table 13-15: RMCP+ and RAKP message status codes, by name (both ends use these). */
export const RmcpPlusStatus = {
  ok: 0x00,
  insufficientResources: 0x01,
  invalidSessionId: 0x02,
  invalidPayloadType: 0x03,
  invalidAuthenticationAlgorithm: 0x04,
  invalidIntegrityAlgorithm: 0x05,
  noMatchingAuthenticationPayload: 0x06,
  noMatchingIntegrityPayload: 0x07,
  inactiveSessionId: 0x08,
  /** The role (privilege) is reserved or above the user's maximum. */
  invalidRole: 0x09,
  unauthorizedRole: 0x0a,
  insufficientResourcesAtRole: 0x0b,
  invalidNameLength: 0x0c,
  /** Unknown or disabled user. */
  unauthorizedName: 0x0d,
  unauthorizedGuid: 0x0e,
  /** An HMAC keyed by the password did not verify: a wrong password. */
  invalidIntegrityCheckValue: 0x0f,
  invalidConfidentialityAlgorithm: 0x10,
  noCipherSuiteMatch: 0x11,
  illegalParameter: 0x12,
} as const;

/** What each status means, for messages. */
export const RMCPPLUS_STATUS = {
  [RmcpPlusStatus.ok]: 'No errors',
  [RmcpPlusStatus.insufficientResources]: 'Insufficient resources to create a session',
  [RmcpPlusStatus.invalidSessionId]: 'Invalid session ID',
  [RmcpPlusStatus.invalidPayloadType]: 'Invalid payload type',
  [RmcpPlusStatus.invalidAuthenticationAlgorithm]: 'Invalid authentication algorithm',
  [RmcpPlusStatus.invalidIntegrityAlgorithm]: 'Invalid integrity algorithm',
  [RmcpPlusStatus.noMatchingAuthenticationPayload]: 'No matching authentication payload',
  [RmcpPlusStatus.noMatchingIntegrityPayload]: 'No matching integrity payload',
  [RmcpPlusStatus.inactiveSessionId]: 'Inactive session ID',
  [RmcpPlusStatus.invalidRole]: 'Invalid role',
  [RmcpPlusStatus.unauthorizedRole]: 'Unauthorized role or privilege level requested',
  [RmcpPlusStatus.insufficientResourcesAtRole]: 'Insufficient resources to create a session at the requested role',
  [RmcpPlusStatus.invalidNameLength]: 'Invalid name length',
  [RmcpPlusStatus.unauthorizedName]: 'Unauthorized name',
  [RmcpPlusStatus.unauthorizedGuid]: 'Unauthorized GUID',
  [RmcpPlusStatus.invalidIntegrityCheckValue]: 'Invalid integrity check value',
  [RmcpPlusStatus.invalidConfidentialityAlgorithm]: 'Invalid confidentiality algorithm',
  [RmcpPlusStatus.noCipherSuiteMatch]: 'No cipher suite match with proposed security algorithms',
  [RmcpPlusStatus.illegalParameter]: 'Illegal or unrecognized parameter',
} as const satisfies Record<number, string>;

export function rmcpPlusStatusName(code: number): string {
  return (RMCPPLUS_STATUS as Record<number, string>)[code] ?? `unknown status 0x${hex2(code)}`;
}

/** Status codes that say the user name is not known (or not acceptable as a name). */
const UNKNOWN_USER: ReadonlySet<number> = new Set([RmcpPlusStatus.invalidNameLength, RmcpPlusStatus.unauthorizedName]);
/** Status codes that refuse the requested role / privilege. */
const PRIVILEGE_REFUSED: ReadonlySet<number> = new Set([RmcpPlusStatus.invalidRole, RmcpPlusStatus.unauthorizedRole]);
/** Status codes that refuse the proposed algorithms. */
const ALGORITHM_REFUSED: ReadonlySet<number> = new Set([
  RmcpPlusStatus.invalidAuthenticationAlgorithm,
  RmcpPlusStatus.invalidIntegrityAlgorithm,
  RmcpPlusStatus.noMatchingAuthenticationPayload,
  RmcpPlusStatus.noMatchingIntegrityPayload,
  RmcpPlusStatus.invalidConfidentialityAlgorithm,
  RmcpPlusStatus.noCipherSuiteMatch,
]);
/** Resource shortages: a later attempt may succeed (ipmi_sim: 63 sessions per BMC). */
const TEMPORARY: ReadonlySet<number> = new Set([RmcpPlusStatus.insufficientResources, RmcpPlusStatus.insufficientResourcesAtRole]);

/** The typed error for a non-zero status in an Open Session Response or RAKP 2/4 message. */
export function rmcpPlusStatusError(message: string, status: number, suiteId: number): IpmiError {
  const text = `${message}: BMC status 0x${hex2(status)} (${rmcpPlusStatusName(status)})`;
  if (UNKNOWN_USER.has(status)) return new AuthenticationError('unknown-user', text);
  if (PRIVILEGE_REFUSED.has(status)) return new AuthenticationError('privilege-refused', text);
  // 0x0F in RAKP4 means the BMC could not verify our RAKP3 HMAC, keyed with the password.
  if (status === RmcpPlusStatus.invalidIntegrityCheckValue) return new AuthenticationError('wrong-password', text);
  if (ALGORITHM_REFUSED.has(status)) return new UnsupportedCipherSuiteError([suiteId], undefined, text);
  return new SessionError(text, status, { temporary: TEMPORARY.has(status) });
}
