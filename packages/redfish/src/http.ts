import { Socket } from 'node:net';
import { buildConnector, Client } from 'undici';
import {
  RedfishAbortedError,
  RedfishBodyTooLargeError,
  RedfishClientClosedError,
  RedfishConnectionError,
  RedfishError,
  RedfishInvalidArgumentError,
  RedfishTimeoutError,
  RedfishTlsError,
} from './errors.js';

/** TLS settings of one BMC. Verification is on unless `insecureSkipVerify` says otherwise. */
export interface TlsOptions {
  /** PEM CA certificate(s) the BMC's certificate must chain to; default: Node's bundled roots. */
  ca?: string | Buffer;
  /** Accept any certificate. An explicit opt-in for lab BMCs with factory self-signed certificates. */
  insecureSkipVerify?: boolean;
  /** Name to verify the certificate against when it differs from the host (SNI and hostname check). */
  serverName?: string;
}

export interface HttpOptions {
  /** "https://host:port". Plain http is refused: the session login would send the password in clear. */
  origin: string;
  tls?: TlsOptions;
  /** Bodies larger than this are refused (the rest is not read). Default 4 MiB. */
  maxBodyBytes?: number;
  /** Idle time before the kept-alive connection is closed. Default 60 s. */
  keepAliveMs?: number;
  /**
   * TCP + TLS handshake bound. Default 10 s. The request's signal cuts it
   * shorter: a connection still being set up when the signal fires is
   * destroyed, so the connect never outlasts the request's deadline.
   */
  connectTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Every request is bound to a deadline: the scrape's signal. */
  signal: AbortSignal;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
/** How long close() lets in-flight requests finish before destroying the connection. */
const CLOSE_GRACE_MS = 1_000;
/** OpenSSL / Node codes that mean "the certificate did not verify", not "the network failed". */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * One BMC's HTTP connection: an undici Client, which is exactly one
 * keep-alive connection (pipelining 1), so a Redfish target costs one TCP
 * connection and one file descriptor however many requests a scrape makes.
 */
export class RedfishHttp {
  readonly origin: string;
  private readonly client: Client;
  private readonly maxBodyBytes: number;
  /** The socket whose TCP connect or TLS handshake is under way (undici's connect ignores request signals). */
  private connecting: Socket | undefined;
  /** Requests sent and neither answered nor aborted: a connection being set up is kept while one waits. */
  private waiting = 0;
  private closed = false;

  constructor(opts: HttpOptions) {
    let url: URL;
    try {
      url = new URL(opts.origin);
    } catch (err) {
      throw new RedfishInvalidArgumentError(`"${opts.origin}" is not a URL`, { cause: err });
    }
    if (url.protocol !== 'https:') throw new RedfishInvalidArgumentError(`${url.protocol} is not https: Redfish credentials travel only over TLS`);
    if (url.username || url.password) throw new RedfishInvalidArgumentError('credentials belong in the client options, not in the URL');
    this.origin = url.origin;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const tls = opts.tls ?? {};
    const connector = buildConnector({
      timeout: opts.connectTimeoutMs ?? 10_000,
      rejectUnauthorized: tls.insecureSkipVerify !== true,
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
    });
    this.client = new Client(url.origin, {
      pipelining: 1,
      keepAliveTimeout: opts.keepAliveMs ?? 60_000,
      keepAliveMaxTimeout: opts.keepAliveMs ?? 60_000,
      // The caller's signal is the deadline; these only stop a stalled peer outliving a forgotten signal.
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
      // undici's connector returns the socket it is setting up (its type says void): kept so an abort can destroy it.
      connect: (options, callback) => {
        let socket: Socket | undefined;
        const made: unknown = connector(options, (...result) => {
          if (this.connecting === socket) this.connecting = undefined;
          callback(...result);
        });
        if (made instanceof Socket && !made.destroyed) socket = this.connecting = made;
      },
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new RedfishClientClosedError(`${req.method} ${req.path}: client closed`);
    if (req.signal.aborted) throw abortError(req, req.signal);
    const pending = this.client.request({
      method: req.method,
      path: req.path,
      headers: { accept: 'application/json', ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: req.body,
      signal: req.signal,
    });
    // undici applies the signal only once the request has a connection: a request waiting for a TCP
    // connect or a TLS handshake would wait for the connect timeout. The abort is answered here at once,
    // and once no other request waits for it, the connection being set up is destroyed (its fd closed).
    this.waiting++;
    let counted = true;
    const done = () => {
      if (counted) this.waiting--;
      counted = false;
    };
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        done();
        reject(abortError(req, req.signal));
        if (this.waiting === 0) this.connecting?.destroy(new RedfishAbortedError('connection set-up aborted: no request waits for it'));
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
    });
    let res;
    try {
      res = await Promise.race([pending, aborted]);
    } catch (err) {
      // A response that arrives after the abort was answered is not read: its body is dropped.
      pending.then(
        (late) => late.body.destroy(),
        () => undefined,
      );
      throw err instanceof RedfishError ? err : this.mapError(req, err);
    } finally {
      done();
      req.signal.removeEventListener('abort', onAbort!);
    }
    const headers = res.headers as HttpResponse['headers'];
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      res.body.destroy();
      throw new RedfishBodyTooLargeError(`${req.method} ${req.path}`, this.maxBodyBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) {
          res.body.destroy();
          throw new RedfishBodyTooLargeError(`${req.method} ${req.path}`, this.maxBodyBytes);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof RedfishError) throw err;
      throw this.mapError(req, err);
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks, size) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A connection still in its handshake would otherwise linger until the connect timeout.
    this.connecting?.destroy();
    // A graceful close waits for in-flight requests; after a failed TLS handshake undici's close can
    // wait forever, so it gets a bound and the connection is then destroyed.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS)));
    const outcome = await Promise.race([
      this.client.close().then(
        () => 'closed' as const,
        () => 'timeout' as const,
      ),
      bound,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') await this.client.destroy().catch(() => undefined);
  }

  private mapError(req: HttpRequest, err: unknown): RedfishError {
    const what = `${req.method} ${req.path}`;
    if (req.signal.aborted) return abortError(req, req.signal);
    if (this.closed) return new RedfishClientClosedError(`${what}: client closed`, { cause: err });
    const code = (err as { code?: unknown }).code;
    const codeStr = typeof code === 'string' ? code : undefined;
    if (codeStr !== undefined && TLS_CODES.has(codeStr)) {
      return new RedfishTlsError(`${what}: TLS certificate not accepted (${codeStr})`, codeStr, { cause: err });
    }
    if (codeStr === 'UND_ERR_CONNECT_TIMEOUT' || codeStr === 'UND_ERR_HEADERS_TIMEOUT' || codeStr === 'UND_ERR_BODY_TIMEOUT') {
      return new RedfishTimeoutError(`${what}: ${codeStr}`, { cause: err });
    }
    // Truncated bodies (the peer closed mid-body), resets, refusals: the message is undici's or the OS's, never ours to leak.
    return new RedfishConnectionError(`${what}: ${codeStr ?? (err as Error).message ?? 'connection failed'}`, { cause: err });
  }
}

function abortError(req: HttpRequest, signal: AbortSignal): RedfishError {
  const reason: unknown = signal.reason;
  const what = `${req.method} ${req.path}`;
  if (reason instanceof RedfishError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new RedfishTimeoutError(`${what}: deadline passed`, { cause: reason });
  return new RedfishAbortedError(`${what}: aborted`, { cause: reason });
}
