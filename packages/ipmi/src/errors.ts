/**
 * Every failure the library reports is an IpmiError with a stable `code`
 * (modelled on undici's errors module). Callers switch on `code`, never on
 * message text. Messages never contain credentials.
 */

export class IpmiError extends Error {
  readonly code: string = 'IPMI_ERROR';
  /** True when repeating the same operation later may succeed. */
  readonly temporary: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No (matching) answer arrived before the deadline or retries ran out. */
export class TimeoutError extends IpmiError {
  override readonly code = 'IPMI_TIMEOUT';
  override readonly temporary = true;
}

/** The caller's AbortSignal fired. */
export class AbortedError extends IpmiError {
  override readonly code = 'IPMI_ABORTED';
  override readonly temporary = true;
}

/** The client was closed while the operation was queued or in flight. */
export class ClientClosedError extends IpmiError {
  override readonly code = 'IPMI_CLIENT_CLOSED';
}

/** Which part of the credentials the BMC refused, where it says so. */
export type AuthFailureReason =
  | 'unknown-user'
  | 'wrong-password'
  | 'privilege-refused'
  | 'unknown';

/** The BMC refused the login. `reason` is as specific as the BMC's answer allows. */
export class AuthenticationError extends IpmiError {
  override readonly code = 'IPMI_AUTH_FAILED';
  readonly reason: AuthFailureReason;
  constructor(reason: AuthFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** None of the requested cipher suites (or IPMI 1.5 auth types) is offered by the BMC. */
export class UnsupportedCipherSuiteError extends IpmiError {
  override readonly code = 'IPMI_UNSUPPORTED_CIPHER_SUITE';
  readonly requested: readonly number[];
  readonly offered: readonly number[] | undefined;
  constructor(requested: readonly number[], offered: readonly number[] | undefined, message?: string) {
    super(
      message ??
        `BMC supports none of the requested cipher suites [${requested.join(', ')}]` +
          (offered ? ` (it offers [${offered.join(', ')}])` : ''),
    );
    this.requested = requested;
    this.offered = offered;
  }
}

/** Session establishment failed for a reason other than credentials (RMCP+ status code, bad handshake). */
export class SessionError extends IpmiError {
  override readonly code = 'IPMI_SESSION_FAILED';
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number, options?: { cause?: unknown; temporary?: boolean }) {
    super(message, options);
    this.statusCode = statusCode;
    if (options?.temporary) (this as { temporary: boolean }).temporary = true;
  }
}

/** Bytes that do not form the structure we expected. Carries want/got counts for short reads. */
export class MalformedPacketError extends IpmiError {
  override readonly code = 'IPMI_MALFORMED';
  readonly want: number | undefined;
  readonly got: number | undefined;
  constructor(message: string, details?: { want?: number; got?: number; cause?: unknown }) {
    super(message, details?.cause === undefined ? undefined : { cause: details.cause });
    this.want = details?.want;
    this.got = details?.got;
  }
}

/**
 * The BMC refused recent attempts to open a session, and the client is
 * leaving it alone for a while (exponential back-off): nothing was sent.
 */
export class SessionBackoffError extends IpmiError {
  override readonly code = 'IPMI_SESSION_BACKOFF';
  override readonly temporary = true;
  /** When the next attempt may be made, in ms from when this was thrown. */
  readonly retryInMs: number;
  constructor(message: string, retryInMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.retryInMs = retryInMs;
  }
}

/** Why an SDR walk stopped before the repository's last record. */
export type SdrIncompleteReason =
  /** A "next record ID" pointed back at a record already read. */
  | 'cycle'
  /** More records than the walk may read (its cap, or the count the BMC reported plus a margin). */
  | 'record-limit'
  /** More bytes than the walk may hold. */
  | 'byte-limit';

/**
 * The SDR walk stopped early; the records read before are kept. Returned in
 * the walk's result (not thrown), so callers keep what was read and report this.
 */
export class SdrIncompleteError extends IpmiError {
  override readonly code = 'IPMI_SDR_INCOMPLETE';
  readonly reason: SdrIncompleteReason;
  constructor(reason: SdrIncompleteReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** An authenticated packet whose integrity / auth code did not verify. */
export class IntegrityError extends IpmiError {
  override readonly code = 'IPMI_INTEGRITY';
}

/** A configuration or argument the library cannot act on (bad suite number, bad address). */
export class InvalidArgumentError extends IpmiError {
  override readonly code = 'IPMI_INVALID_ARGUMENT';
}

/** The transport could not be started (socket bind failure) or failed underneath us. */
export class TransportError extends IpmiError {
  override readonly code = 'IPMI_TRANSPORT';
  override readonly temporary = true;
}

/**
 * IPMI v2.0 §5.2 Table 5-2: generic completion codes. 0xC0-0xFE are generic,
 * 0x01-0x7E are device/command specific, 0x80-0xBE are command specific.
 */
export const COMPLETION_CODES = {
  0x00: 'Command completed normally',
  0xc0: 'Node busy',
  0xc1: 'Invalid command',
  0xc2: 'Command invalid for given LUN',
  0xc3: 'Timeout while processing command',
  0xc4: 'Out of space',
  0xc5: 'Reservation canceled or invalid reservation ID',
  0xc6: 'Request data truncated',
  0xc7: 'Request data length invalid',
  0xc8: 'Request data field length limit exceeded',
  0xc9: 'Parameter out of range',
  0xca: 'Cannot return number of requested data bytes',
  0xcb: 'Requested sensor, data, or record not present',
  0xcc: 'Invalid data field in request',
  0xcd: 'Command illegal for specified sensor or record type',
  0xce: 'Command response could not be provided',
  0xcf: 'Cannot execute duplicated request',
  0xd0: 'SDR repository in update mode',
  0xd1: 'Device in firmware update mode',
  0xd2: 'BMC initialization in progress',
  0xd3: 'Destination unavailable',
  0xd4: 'Insufficient privilege level',
  0xd5: 'Command not supported in present state',
  0xd6: 'Command sub-function disabled or unavailable',
  0xff: 'Unspecified error',
} as const satisfies Record<number, string>;

/** Codes after which the same request may succeed if repeated (busy, timeout, initialising). */
const TEMPORARY_CODES: ReadonlySet<number> = new Set([0xc0, 0xc3, 0xc5, 0xce, 0xd0, 0xd1, 0xd2]);

export function completionCodeName(code: number): string {
  return (COMPLETION_CODES as Record<number, string>)[code] ?? `Unknown completion code 0x${hex2(code)}`;
}

/** The BMC answered with a non-zero completion code: a result, not a parse failure. */
export class CompletionCodeError extends IpmiError {
  override readonly code = 'IPMI_COMPLETION_CODE';
  override readonly temporary: boolean;
  readonly completionCode: number;
  readonly command: string;
  constructor(command: string, completionCode: number) {
    super(`${command}: completion code 0x${hex2(completionCode)} (${completionCodeName(completionCode)})`);
    this.completionCode = completionCode;
    this.command = command;
    this.temporary = TEMPORARY_CODES.has(completionCode);
  }
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
