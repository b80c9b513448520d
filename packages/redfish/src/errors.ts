/**
 * Every failure the Redfish client reports is a RedfishError with a stable
 * `code` (the same pattern as @bmc-exporter/ipmi's errors module). Callers
 * switch on `code`, never on message text. Messages name the method and the
 * path, never a user name, password, session token or Authorization header.
 */

export class RedfishError extends Error {
  readonly code: string = 'REDFISH_ERROR';
  /** True when repeating the same operation later may succeed. */
  readonly temporary: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The deadline passed (the request's AbortSignal fired or the client's own timeout ran out). */
export class RedfishTimeoutError extends RedfishError {
  override readonly code = 'REDFISH_TIMEOUT';
  override readonly temporary = true;
}

/** The caller aborted the operation for a reason other than a deadline. */
export class RedfishAbortedError extends RedfishError {
  override readonly code = 'REDFISH_ABORTED';
  override readonly temporary = true;
}

/** The client was closed while the operation was queued or in flight. */
export class RedfishClientClosedError extends RedfishError {
  override readonly code = 'REDFISH_CLIENT_CLOSED';
}

/** TCP connect, TLS or socket failure: nothing that reached HTTP. */
export class RedfishConnectionError extends RedfishError {
  override readonly code = 'REDFISH_CONNECTION';
  override readonly temporary = true;
}

/** The server's certificate did not verify against the configured CA (or the host name did not match). */
export class RedfishTlsError extends RedfishError {
  override readonly code = 'REDFISH_TLS';
  /** OpenSSL's code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT or ERR_TLS_CERT_ALTNAME_INVALID. */
  readonly tlsCode: string | undefined;
  constructor(message: string, tlsCode: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.tlsCode = tlsCode;
  }
}

/** The service refused the credentials (401 on login, or 401 again right after a fresh login). */
export class RedfishAuthenticationError extends RedfishError {
  override readonly code = 'REDFISH_AUTH_FAILED';
}

/** Session creation failed for a reason other than credentials (no token in the answer, session limit). */
export class RedfishSessionError extends RedfishError {
  override readonly code = 'REDFISH_SESSION';
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown; temporary?: boolean }) {
    super(message, options);
    this.status = status;
    if (options?.temporary) (this as { temporary: boolean }).temporary = true;
  }
}

/** A non-2xx answer to an authenticated request. 5xx and 429 are temporary. */
export class RedfishHttpError extends RedfishError {
  override readonly code = 'REDFISH_HTTP_STATUS';
  override readonly temporary: boolean;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number) {
    super(`${method} ${path}: HTTP ${status}`);
    this.status = status;
    this.method = method;
    this.path = path;
    this.temporary = status >= 500 || status === 429;
  }
}

/** The body passed the configured size cap; the rest was not read. */
export class RedfishBodyTooLargeError extends RedfishError {
  override readonly code = 'REDFISH_BODY_TOO_LARGE';
  readonly limit: number;
  constructor(path: string, limit: number) {
    super(`${path}: response body larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The body is not the JSON document we expected (syntax, nesting, wrong type, truncated). */
export class RedfishMalformedError extends RedfishError {
  override readonly code = 'REDFISH_MALFORMED';
  readonly path: string;
  constructor(path: string, what: string, options?: { cause?: unknown }) {
    super(`${path}: ${what}`, options);
    this.path = path;
  }
}

/** A configuration or argument the client cannot act on (bad URL, bad CA file, relative path). */
export class RedfishInvalidArgumentError extends RedfishError {
  override readonly code = 'REDFISH_INVALID_ARGUMENT';
}
