import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BmcModel } from '../model/bmc-model.js';
import { ROOT, RedfishView, type Doc, type SchemaGeneration } from './redfish-view.js';

/** Misbehaviour to switch on per simulated BMC; all off by default. Changeable at run time through `faults`. */
export interface RedfishFaults {
  /** Every answer waits this long first. */
  delayMs: number;
  /** A session is dropped (401) after this many authenticated requests: the BMC's session expiry. 0 = never. */
  unauthorizedAfter: number;
  /** Every authenticated request answers 503 Service Unavailable. */
  unavailable: boolean;
  /** Paths (prefixes) answered with a body that is not JSON. */
  malformedPaths: string[];
  /** Paths (prefixes) whose body stops half way: Content-Length promises more, then the connection closes. */
  truncatePaths: string[];
  /** Extra members listed in the Sensors collection (a collection far larger than any real chassis). */
  hugeCollection: number;
  /** Synthetic entries appended to the SEL log service (a log of tens of thousands of entries). */
  extraLogEntries: number;
  /** The log service ignores $top and returns every entry in one body. */
  ignoreTop: boolean;
  /** The log service ignores $skip and always starts at the oldest entry. */
  ignoreSkip: boolean;
}

export const NO_REDFISH_FAULTS: Readonly<RedfishFaults> = Object.freeze({
  delayMs: 0,
  unauthorizedAfter: 0,
  unavailable: false,
  malformedPaths: [],
  truncatePaths: [],
  hugeCollection: 0,
  extraLogEntries: 0,
  ignoreTop: false,
  ignoreSkip: false,
});

export interface RedfishSimOptions {
  /** Loopback address to serve on, e.g. the BMC's own 127.0.0.x. */
  address: string;
  /** 443 like a real BMC, 8443, or 0 for any free port. */
  port: number;
  /** The model to read; a function so a BMC whose model is replaced keeps one server. */
  model: () => BmcModel;
  users: Array<{ name: string; password: string }>;
  tls: { key: string; cert: string };
  /** Which schema generation the chassis links: 'legacy', 'subsystems' or 'both' (default). */
  generation?: SchemaGeneration;
  /** false: no SessionService (Basic auth only), like some older BMCs. Default true. */
  sessionService?: boolean;
  /** Sessions open at once before POST answers 503. Default 8. */
  sessionLimit?: number;
  /** Advertise and honour $expand=.($levels=1). Default true. */
  expand?: boolean;
  faults?: Partial<RedfishFaults>;
}

export interface RedfishSimCounters {
  requests: number;
  /** Requests per path (query string removed). */
  byPath: Record<string, number>;
  sessionsCreated: number;
  sessionsDeleted: number;
  sessionsOpen: number;
  loginsRefused: number;
  basicAuthRequests: number;
  bytesSent: number;
}

interface SimSession {
  id: string;
  token: Buffer;
  user: string;
  requests: number;
}

const MAX_REQUEST_BODY = 64 * 1024;
const DEFAULT_TOP = 50;
const MAX_TOP = 1000;

/**
 * A simulated BMC's Redfish service over HTTPS, from the same model its
 * IPMI side answers from. Sessions per the Redfish spec's session
 * management (POST to the Sessions collection, X-Auth-Token, DELETE to log
 * out), Basic auth alongside, a session table with a limit, and faults.
 */
export class RedfishSimServer {
  readonly faults: RedfishFaults;
  readonly counters: RedfishSimCounters = {
    requests: 0,
    byPath: {},
    sessionsCreated: 0,
    sessionsDeleted: 0,
    sessionsOpen: 0,
    loginsRefused: 0,
    basicAuthRequests: 0,
    bytesSent: 0,
  };
  private readonly view: RedfishView;
  private readonly sessions = new Map<string, SimSession>();
  private readonly server: Server;
  private readonly sessionService: boolean;
  private readonly sessionLimit: number;
  private nextSessionId = 1;

  constructor(private readonly options: RedfishSimOptions) {
    this.faults = { ...NO_REDFISH_FAULTS, malformedPaths: [], truncatePaths: [], ...options.faults };
    this.sessionService = options.sessionService !== false;
    this.sessionLimit = options.sessionLimit ?? 8;
    this.view = new RedfishView(options.model, options.generation ?? 'both', {
      sessionService: this.sessionService,
      expand: options.expand !== false,
      extraLogEntries: () => this.faults.extraLogEntries,
    });
    this.server = createServer({ key: options.tls.key, cert: options.tls.cert, keepAliveTimeout: 60_000 }, (req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get origin(): string {
    const a = this.options.address.includes(':') ? `[${this.options.address}]` : this.options.address;
    return `https://${a}:${this.port}`;
  }

  /** Sessions the BMC currently holds. */
  get openSessions(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://bmc.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    this.counters.requests++;
    this.counters.byPath[path] = (this.counters.byPath[path] ?? 0) + 1;
    const body = await readBody(req);
    if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    if (body === undefined) return this.send(res, path, 413, error('Base.1.0.PayloadTooLarge'));

    if (req.method === 'GET' && path === '/redfish') return this.send(res, path, 200, { v1: `${ROOT}/` });
    if (req.method === 'GET' && path === ROOT) return this.send(res, path, 200, this.view.serviceRoot());
    const sessionsPath = `${ROOT}/SessionService/Sessions`;
    if (this.sessionService && req.method === 'POST' && path === sessionsPath) return this.login(res, path, body);

    const who = this.authenticate(req);
    if (who === undefined) {
      res.setHeader('www-authenticate', 'Basic realm="bmc-sim"');
      return this.send(res, path, 401, error('Base.1.0.NoValidSession'));
    }
    if (this.faults.unavailable) return this.send(res, path, 503, error('Base.1.0.ServiceTemporarilyUnavailable'));

    if (this.sessionService && path.startsWith(`${sessionsPath}/`)) {
      const id = path.slice(sessionsPath.length + 1);
      const s = this.sessions.get(id);
      if (!s) return this.send(res, path, 404, error('Base.1.0.ResourceMissingAtURI'));
      if (req.method === 'DELETE') {
        this.sessions.delete(id);
        this.counters.sessionsDeleted++;
        this.counters.sessionsOpen = this.sessions.size;
        return this.send(res, path, 204, undefined);
      }
      return this.send(res, path, 200, this.sessionDoc(s));
    }
    if (req.method !== 'GET') return this.send(res, path, 405, error('Base.1.0.OperationNotAllowed'));
    if (this.sessionService && path === `${ROOT}/SessionService`) {
      return this.send(res, path, 200, {
        '@odata.id': `${ROOT}/SessionService`,
        '@odata.type': '#SessionService.v1_1_8.SessionService',
        Id: 'SessionService',
        Name: 'Session Service',
        ServiceEnabled: true,
        SessionTimeout: 1800,
        Sessions: { '@odata.id': sessionsPath },
      });
    }
    if (this.sessionService && path === sessionsPath) {
      const ids = [...this.sessions.keys()].map((id) => ({ '@odata.id': `${sessionsPath}/${id}` }));
      return this.send(res, path, 200, {
        '@odata.id': sessionsPath,
        '@odata.type': '#SessionCollection.SessionCollection',
        Name: 'Sessions',
        'Members@odata.count': ids.length,
        Members: ids,
      });
    }
    if (path === this.view.logEntriesPath) return this.send(res, path, 200, this.logCollection(url));
    if (path.startsWith(`${this.view.logEntriesPath}/`)) {
      const e = this.view.logEntry(path.slice(this.view.logEntriesPath.length + 1));
      return e ? this.send(res, path, 200, e) : this.send(res, path, 404, error('Base.1.0.ResourceMissingAtURI'));
    }
    const sensors = `${ROOT}/Chassis/1/Sensors`;
    if (path === sensors && this.options.generation !== 'legacy') return this.send(res, path, 200, this.sensorCollection(url));
    const extra = /^Extra(\d+)$/.exec(path.startsWith(`${sensors}/`) ? path.slice(sensors.length + 1) : '');
    if (extra && Number(extra[1]) < this.faults.hugeCollection) return this.send(res, path, 200, extraSensor(sensors, Number(extra[1])));
    const doc = this.view.document(path);
    if (!doc) return this.send(res, path, 404, error('Base.1.0.ResourceMissingAtURI'));
    return this.send(res, path, 200, doc);
  }

  private login(res: ServerResponse, path: string, body: Buffer): void {
    let user: unknown;
    let password: unknown;
    try {
      const o = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      user = o.UserName;
      password = o.Password;
    } catch {
      return this.send(res, path, 400, error('Base.1.0.MalformedJSON'));
    }
    if (typeof user !== 'string' || typeof password !== 'string' || !this.checkPassword(user, password)) {
      this.counters.loginsRefused++;
      return this.send(res, path, 401, error('Base.1.0.InsufficientPrivilege'));
    }
    if (this.sessions.size >= this.sessionLimit) return this.send(res, path, 503, error('Base.1.0.SessionLimitExceeded'));
    const id = String(this.nextSessionId++);
    const s: SimSession = { id, token: randomBytes(24), user, requests: 0 };
    this.sessions.set(id, s);
    this.counters.sessionsCreated++;
    this.counters.sessionsOpen = this.sessions.size;
    res.setHeader('x-auth-token', s.token.toString('hex'));
    res.setHeader('location', `${path}/${id}`);
    this.send(res, path, 201, this.sessionDoc(s));
  }

  private sessionDoc(s: SimSession): Doc {
    return {
      '@odata.id': `${ROOT}/SessionService/Sessions/${s.id}`,
      '@odata.type': '#Session.v1_6_0.Session',
      Id: s.id,
      Name: 'User Session',
      UserName: s.user,
    };
  }

  /** The session (by token) or the Basic-auth user the request authenticates as; undefined = 401. */
  private authenticate(req: IncomingMessage): string | undefined {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && /^[0-9a-f]{48}$/.test(token)) {
      const t = Buffer.from(token, 'hex');
      for (const s of this.sessions.values()) {
        if (!timingSafeEqual(s.token, t)) continue;
        s.requests++;
        if (this.faults.unauthorizedAfter > 0 && s.requests > this.faults.unauthorizedAfter) {
          // The BMC expired the session: it is gone, not just refused once.
          this.sessions.delete(s.id);
          this.counters.sessionsOpen = this.sessions.size;
          return undefined;
        }
        return s.user;
      }
      return undefined;
    }
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0 && this.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1))) {
        this.counters.basicAuthRequests++;
        return decoded.slice(0, colon);
      }
    }
    return undefined;
  }

  private checkPassword(user: string, password: string): boolean {
    const u = this.options.users.find((x) => x.name === user);
    if (!u) return false;
    const a = Buffer.from(u.password);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sensorCollection(url: URL): Doc {
    const path = `${ROOT}/Chassis/1/Sensors`;
    const expand = (url.searchParams.get('$expand') ?? '').startsWith('.') && this.options.expand !== false;
    const docs = this.view.sensorMembers();
    const members: Doc[] = expand ? docs : docs.map((d) => ({ '@odata.id': d['@odata.id'] }));
    for (let i = 0; i < this.faults.hugeCollection; i++) members.push(expand ? extraSensor(path, i) : { '@odata.id': `${path}/Extra${i}` });
    return { '@odata.id': path, '@odata.type': '#SensorCollection.SensorCollection', Name: 'Sensors', 'Members@odata.count': members.length, Members: members };
  }

  /** $skip / $top paging, oldest entry first, with a nextLink while more remain. */
  private logCollection(url: URL): Doc {
    const path = this.view.logEntriesPath;
    const total = this.view.logEntryCount();
    const skip = this.faults.ignoreSkip ? 0 : clampInt(url.searchParams.get('$skip'), 0, total, 0);
    const top = this.faults.ignoreTop ? total : clampInt(url.searchParams.get('$top'), 1, MAX_TOP, DEFAULT_TOP);
    const members = this.view.logEntries(skip, top);
    const doc: Doc = {
      '@odata.id': path,
      '@odata.type': '#LogEntryCollection.LogEntryCollection',
      Name: 'Log Entries',
      'Members@odata.count': total,
      Members: members,
    };
    if (skip + members.length < total) doc['Members@odata.nextLink'] = `${path}?$skip=${skip + members.length}&$top=${top}`;
    return doc;
  }

  private send(res: ServerResponse, path: string, status: number, doc: Doc | undefined): void {
    if (doc === undefined) {
      res.writeHead(status).end();
      return;
    }
    let text = JSON.stringify(doc);
    if (status === 200 && this.faults.malformedPaths.some((p) => path.startsWith(p))) text = text.slice(0, Math.max(1, text.length >> 1)) + '<html>';
    const bytes = Buffer.from(text);
    this.counters.bytesSent += bytes.length;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length, 'odata-version': '4.0' });
    if (status === 200 && this.faults.truncatePaths.some((p) => path.startsWith(p))) {
      res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(bytes);
  }
}

function extraSensor(base: string, i: number): Doc {
  return {
    '@odata.id': `${base}/Extra${i}`,
    '@odata.type': '#Sensor.v1_9_0.Sensor',
    Id: `Extra${i}`,
    Name: `Extra sensor ${i}`,
    Reading: 20,
    ReadingType: 'Temperature',
    ReadingUnits: 'Cel',
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

function error(messageId: string): Doc {
  return { error: { code: messageId, message: messageId.split('.').pop() } };
}

function clampInt(v: string | null, min: number, max: number, dflt: number): number {
  if (v === null || !/^\d{1,9}$/.test(v)) return dflt;
  return Math.max(min, Math.min(max, Number(v)));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_REQUEST_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
