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
export type AuthFailureReason = 'unknown-user' | 'wrong-password' | 'privilege-refused' | 'unknown';

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
    super(message ?? `BMC supports none of the requested cipher suites [${requested.join(', ')}]` + (offered ? ` (it offers [${offered.join(', ')}])` : ''));
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
 * IPMI v2.0 §5.2 Table 5-2: the generic completion codes, by name. Code that
 * tests for a completion code says which by name (`CompletionCode.notPresent`),
 * never by number. 0xC0-0xFE are generic; 0x01-0x7E are device specific and
 * 0x80-0xBE command specific (those are named in the command's own file).
 */
export const CompletionCode = {
  /** Command completed normally. */
  ok: 0x00,
  nodeBusy: 0xc0,
  invalidCommand: 0xc1,
  invalidForLun: 0xc2,
  timeout: 0xc3,
  outOfSpace: 0xc4,
  /** Reservation canceled or invalid reservation ID: the SDR or SEL changed under a reader. */
  reservationCancelled: 0xc5,
  requestDataTruncated: 0xc6,
  requestLengthInvalid: 0xc7,
  requestFieldLengthExceeded: 0xc8,
  parameterOutOfRange: 0xc9,
  /** Cannot return the number of requested data bytes: read in smaller pieces. */
  cannotReturnRequestedBytes: 0xca,
  /** Requested sensor, data or record not present. */
  notPresent: 0xcb,
  invalidDataField: 0xcc,
  illegalForSensorOrRecordType: 0xcd,
  responseNotProvided: 0xce,
  duplicateRequest: 0xcf,
  sdrInUpdateMode: 0xd0,
  firmwareUpdateMode: 0xd1,
  initialising: 0xd2,
  destinationUnavailable: 0xd3,
  insufficientPrivilege: 0xd4,
  notSupportedInPresentState: 0xd5,
  subFunctionUnavailable: 0xd6,
  unspecified: 0xff,
} as const;

export type CompletionCodeName = keyof typeof CompletionCode;

/** What each generic code means, for messages. */
export const COMPLETION_CODES = {
  [CompletionCode.ok]: 'Command completed normally',
  [CompletionCode.nodeBusy]: 'Node busy',
  [CompletionCode.invalidCommand]: 'Invalid command',
  [CompletionCode.invalidForLun]: 'Command invalid for given LUN',
  [CompletionCode.timeout]: 'Timeout while processing command',
  [CompletionCode.outOfSpace]: 'Out of space',
  [CompletionCode.reservationCancelled]: 'Reservation canceled or invalid reservation ID',
  [CompletionCode.requestDataTruncated]: 'Request data truncated',
  [CompletionCode.requestLengthInvalid]: 'Request data length invalid',
  [CompletionCode.requestFieldLengthExceeded]: 'Request data field length limit exceeded',
  [CompletionCode.parameterOutOfRange]: 'Parameter out of range',
  [CompletionCode.cannotReturnRequestedBytes]: 'Cannot return number of requested data bytes',
  [CompletionCode.notPresent]: 'Requested sensor, data, or record not present',
  [CompletionCode.invalidDataField]: 'Invalid data field in request',
  [CompletionCode.illegalForSensorOrRecordType]: 'Command illegal for specified sensor or record type',
  [CompletionCode.responseNotProvided]: 'Command response could not be provided',
  [CompletionCode.duplicateRequest]: 'Cannot execute duplicated request',
  [CompletionCode.sdrInUpdateMode]: 'SDR repository in update mode',
  [CompletionCode.firmwareUpdateMode]: 'Device in firmware update mode',
  [CompletionCode.initialising]: 'BMC initialization in progress',
  [CompletionCode.destinationUnavailable]: 'Destination unavailable',
  [CompletionCode.insufficientPrivilege]: 'Insufficient privilege level',
  [CompletionCode.notSupportedInPresentState]: 'Command not supported in present state',
  [CompletionCode.subFunctionUnavailable]: 'Command sub-function disabled or unavailable',
  [CompletionCode.unspecified]: 'Unspecified error',
} as const satisfies Record<number, string>;

/** Codes after which the same request may succeed if repeated (busy, timeout, initialising). */
const TEMPORARY_CODES: ReadonlySet<number> = new Set([
  CompletionCode.nodeBusy,
  CompletionCode.timeout,
  CompletionCode.reservationCancelled,
  CompletionCode.responseNotProvided,
  CompletionCode.sdrInUpdateMode,
  CompletionCode.firmwareUpdateMode,
  CompletionCode.initialising,
]);

/**
 * Ways a BMC says "I do not have this command" (invalid command, invalid data
 * field, not supported in present state, not present): what an optional
 * command such as DCMI's answers on a BMC without it.
 */
export const UNSUPPORTED_COMMAND_CODES: readonly number[] = [
  CompletionCode.invalidCommand,
  CompletionCode.invalidDataField,
  CompletionCode.notSupportedInPresentState,
  CompletionCode.notPresent,
];

/** "Ask for fewer bytes": a read larger than the BMC's buffer (§33.12, §31.5, Table 5-2). */
export const READ_TOO_LARGE_CODES: readonly number[] = [
  CompletionCode.cannotReturnRequestedBytes,
  CompletionCode.requestLengthInvalid,
  CompletionCode.requestFieldLengthExceeded,
];

/** True when `err` is the BMC's answer with one of `codes`: `isCompletionCode(err, CompletionCode.notPresent)`. */
export function isCompletionCode(err: unknown, ...codes: readonly number[]): err is CompletionCodeError {
  return err instanceof CompletionCodeError && codes.includes(err.completionCode);
}

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
