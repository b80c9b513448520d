import { isResourcePath, link, obj, parseJsonObject, prop, type JsonObject } from './document.js';
import { RedfishAuthenticationError, RedfishHttpError, RedfishSessionError } from './errors.js';
import type { HttpResponse, RedfishHttp } from './http.js';

/** How requests are authenticated: a session token, or Basic where the service has no SessionService. */
export type AuthMode = 'session' | 'basic';

export const SERVICE_ROOT = '/redfish/v1/';
/** The sessions collection's standard location (Redfish spec §"Session management"), used when the root does not link it. */
const DEFAULT_SESSIONS = '/redfish/v1/SessionService/Sessions';

interface Session {
  token: string;
  /** Where DELETE ends the session: the Location header or the created session's @odata.id. */
  path: string | undefined;
}

/**
 * One login per BMC, kept for the target's life: the X-Auth-Token goes on
 * every request; a 401 gets one fresh login and one retry (sessions expire
 * on the BMC's idle timeout or a BMC reboot); close DELETEs the session so
 * the BMC's small session table (often 4-16 slots) is not left full.
 */
export class SessionAuth {
  private session: Session | undefined;
  private basic: string | undefined;
  private pending: Promise<void> | undefined;
  /** Logins so far (Basic counts once): discovery made under an older session is redone. */
  generation = 0;
  mode: AuthMode | undefined;

  constructor(
    private readonly http: RedfishHttp,
    private readonly username: string,
    private readonly password: string,
    private readonly forceBasic: boolean,
  ) {}

  /** Headers for an authenticated request; logs in first when there is no session. */
  async headers(root: JsonObject, signal: AbortSignal): Promise<Record<string, string>> {
    if (!this.session && this.basic === undefined) {
      this.pending ??= this.login(root, signal).finally(() => (this.pending = undefined));
      await this.pending;
    }
    if (this.session) return { 'x-auth-token': this.session.token };
    return { authorization: this.basic! };
  }

  /** Forget the current session after a 401 (the BMC dropped it); the next headers() logs in again. */
  invalidate(): void {
    this.session = undefined;
    this.basic = undefined;
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  private async login(root: JsonObject, signal: AbortSignal): Promise<void> {
    const sessions = link(obj(root, 'Links'), 'Sessions');
    const hasSessionService = link(root, 'SessionService') !== undefined || sessions !== undefined;
    if (this.forceBasic || !hasSessionService) {
      this.mode = 'basic';
      this.basic = 'Basic ' + Buffer.from(`${this.username}:${this.password}`).toString('base64');
      this.generation++;
      return;
    }
    const path = sessions ?? DEFAULT_SESSIONS;
    const res = await this.http.request({
      method: 'POST',
      path,
      body: JSON.stringify({ UserName: this.username, Password: this.password }),
      signal,
    });
    if (res.status === 401 || res.status === 403) {
      throw new RedfishAuthenticationError(`POST ${path}: the BMC refused the credentials (HTTP ${res.status})`);
    }
    if (res.status < 200 || res.status > 299) {
      // 503/429 is how many BMCs say "session table full"; worth retrying later.
      throw new RedfishSessionError(`POST ${path}: session not created (HTTP ${res.status})`, res.status, {
        temporary: res.status >= 500 || res.status === 429,
      });
    }
    const token = header(res, 'x-auth-token');
    if (!token || token.length > 4096) throw new RedfishSessionError(`POST ${path}: no X-Auth-Token in the answer`, res.status);
    this.session = { token, path: sessionPath(res, path) };
    this.mode = 'session';
    this.generation++;
  }

  /** DELETE the session, best effort: the BMC may already have expired it. */
  async logout(signal: AbortSignal): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.basic = undefined;
    if (!s?.path) return;
    try {
      const res = await this.http.request({ method: 'DELETE', path: s.path, headers: { 'x-auth-token': s.token }, signal });
      if (res.status >= 400 && res.status !== 404 && res.status !== 401) throw new RedfishHttpError('DELETE', s.path, res.status);
    } catch {
      // Nothing to do: the session times out on the BMC.
    }
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}

/** The Location header may be absolute ("https://bmc/redfish/v1/...") or a path; the body's @odata.id is the fallback. */
function sessionPath(res: HttpResponse, collection: string): string | undefined {
  const loc = header(res, 'location');
  if (loc) {
    try {
      const p = new URL(loc, 'https://bmc.invalid').pathname;
      if (isResourcePath(p)) return p;
    } catch {
      // fall through to the body
    }
  }
  try {
    const id = prop(parseJsonObject(collection, res.body), '@odata.id');
    if (isResourcePath(id)) return id;
  } catch {
    // a session without a usable body is still a session; it just cannot be deleted
  }
  return undefined;
}
