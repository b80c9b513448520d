/**
 * IPMI v2.0 §13.6 Table 13-8 / §22.13: session authentication types. The
 * value sits in the first byte after the RMCP header; 6 marks an RMCP+ (v2.0)
 * packet, anything else a v1.5 one.
 */
export const AUTH_TYPE = {
  /** No auth code field at all */
  none: 0,
  /** MD2(password ‖ session id ‖ payload ‖ session seq ‖ password) */
  md2: 1,
  /** MD5 of the same concatenation */
  md5: 2,
  /** The 16-byte padded password in clear ("straight password") */
  password: 4,
  /** OEM proprietary: not implemented */
  oem: 5,
  /** RMCP+ packet format (IPMI v2.0) */
  rmcpPlus: 6,
} as const;

/** IPMI v2.0 §6.8 / Table 22-28: privilege levels (4-bit field). */
export const PRIVILEGE = {
  /** Callback: only commands needed to initiate a callback */
  callback: 1,
  /** User: read-only access (sensors, SEL, FRU) — our default */
  user: 2,
  /** Operator: all but configuration-changing commands */
  operator: 3,
  /** Administrator: everything */
  administrator: 4,
  /** OEM proprietary */
  oem: 5,
} as const;

export type AuthTypeName = keyof typeof AUTH_TYPE;
export type PrivilegeName = keyof typeof PRIVILEGE;

/** IPMI v1.5 passwords are exactly 16 bytes, zero padded (§22.17.1). */
export const V15_PASSWORD_LENGTH = 16;
/** RMCP+ passwords (Kuid) are up to 20 bytes (§13.31). */
export const V20_PASSWORD_MAX = 20;
/** User names are at most 16 bytes in both versions (§22.16, §13.20). */
export const USERNAME_MAX = 16;
