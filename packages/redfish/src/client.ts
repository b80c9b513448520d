import { parseJsonObject, type JsonObject } from './document.js';
import { discoverStructure, type RedfishStructure } from './discovery.js';
import { RedfishAuthenticationError, RedfishClientClosedError, RedfishHttpError, RedfishInvalidArgumentError } from './errors.js';
import { RedfishHttp, type TlsOptions } from './http.js';
import { SERVICE_ROOT, SessionAuth, type AuthMode } from './session.js';

export interface RedfishClientOptions {
  /** "https://10.0.0.5" or "https://bmc.example:8443". */
  origin: string;
  username: string;
  password: string;
  tls?: TlsOptions;
  /** Use Basic auth even when the service offers sessions (default: sessions when offered). */
  forceBasicAuth?: boolean;
  /** Default 4 MiB per response body. */
  maxBodyBytes?: number;
  keepAliveMs?: number;
  connectTimeoutMs?: number;
  /** Members read from any one collection page; default 1,000. */
  maxMembers?: number;
}

/** Counters for benches and tests: what a scrape cost on the wire. */
export interface RedfishClientStats {
  requests: number;
  bytesReceived: number;
  logins: number;
}

/**
 * A Redfish service on one BMC: one keep-alive HTTPS connection, one session
 * for the client's life, the service root and the BMC's structure read once
 * per session. Every call takes the caller's AbortSignal (the scrape's
 * deadline). No global state; close() logs out and closes the connection.
 */
export class RedfishClient {
  readonly origin: string;
  readonly maxMembers: number;
  private readonly counts = { requests: 0, bytesReceived: 0 };
  private readonly http: RedfishHttp;
  private readonly auth: SessionAuth;
  private root: JsonObject | undefined;
  private structure: { generation: number; value: Promise<RedfishStructure> } | undefined;
  private closed = false;

  constructor(opts: RedfishClientOptions) {
    if (!opts.username) throw new RedfishInvalidArgumentError('a user name is required');
    this.http = new RedfishHttp({
      origin: opts.origin,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
      ...(opts.keepAliveMs !== undefined ? { keepAliveMs: opts.keepAliveMs } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    });
    this.origin = this.http.origin;
    this.maxMembers = opts.maxMembers ?? 1000;
    this.auth = new SessionAuth(this.http, opts.username, opts.password, opts.forceBasicAuth === true);
  }

  get stats(): RedfishClientStats {
    return { ...this.counts, logins: this.auth.generation };
  }

  /** 'session' or 'basic' once logged in. */
  get authMode(): AuthMode | undefined {
    return this.auth.mode;
  }

  /** The unauthenticated service root (/redfish/v1/), read once. */
  async serviceRoot(signal: AbortSignal): Promise<JsonObject> {
    if (this.root) return this.root;
    const res = await this.send('GET', SERVICE_ROOT, {}, signal);
    if (res.status !== 200) throw new RedfishHttpError('GET', SERVICE_ROOT, res.status);
    this.root = parseJsonObject(SERVICE_ROOT, res.body);
    return this.root;
  }

  /**
   * GET an authenticated resource. A 401 means the BMC dropped our session:
   * log in once more and retry once; a second 401 is an authentication error.
   */
  async get(path: string, signal: AbortSignal): Promise<JsonObject> {
    if (!path.startsWith('/')) throw new RedfishInvalidArgumentError(`"${path}" is not a service path`);
    const root = await this.serviceRoot(signal);
    for (let attempt = 0; ; attempt++) {
      const wasLoggedIn = this.auth.hasSession || this.auth.mode === 'basic';
      const headers = await this.auth.headers(root, signal);
      const res = await this.send('GET', path, headers, signal);
      if (res.status === 401) {
        this.auth.invalidate();
        if (attempt === 0 && wasLoggedIn && this.auth.mode === 'session') continue;
        throw new RedfishAuthenticationError(`GET ${path}: the BMC refused the credentials (HTTP 401)`);
      }
      if (res.status < 200 || res.status > 299) throw new RedfishHttpError('GET', path, res.status);
      return parseJsonObject(path, res.body);
    }
  }

  /** The BMC's chassis, systems, managers, sensor and log URIs: discovered once per session and reused. */
  async discover(signal: AbortSignal): Promise<RedfishStructure> {
    // Log in first, so the structure is filed under the session it is read with.
    await this.auth.headers(await this.serviceRoot(signal), signal);
    const generation = this.auth.generation;
    if (this.structure && this.structure.generation === generation) return this.structure.value;
    const value = discoverStructure(this, signal);
    const entry = { generation, value };
    this.structure = entry;
    // A failed discovery is not cached: the next scrape tries again.
    value.catch(() => {
      if (this.structure === entry) this.structure = undefined;
    });
    return value;
  }

  /** Drop the cached structure (e.g. after a BMC firmware update). */
  forgetStructure(): void {
    this.structure = undefined;
  }

  /** DELETE the session (bounded by `timeoutMs`), then close the connection. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.auth.logout(AbortSignal.timeout(timeoutMs));
    await this.http.close();
  }

  private async send(method: 'GET', path: string, headers: Record<string, string>, signal: AbortSignal) {
    if (this.closed) throw new RedfishClientClosedError(`${method} ${path}: client closed`);
    this.counts.requests++;
    const res = await this.http.request({ method, path, headers, signal });
    this.counts.bytesReceived += res.body.length;
    return res;
  }
}
