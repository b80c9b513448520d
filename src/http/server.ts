import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { bmcHandler } from './bmc-handler.js';
import { discoverHandler } from './discover-handler.js';
import { homepageHandler } from './homepage.js';
import { healthyHandler, readyHandler, reloadHandler } from './lifecycle-routes.js';
import type { HistogramSeries } from '../metrics/histogram.js';
import { metricsHandler } from './metrics-handler.js';
import { targetPageHandler } from './target-page.js';
import { sendText, type Handler, type HttpDeps } from './types.js';
import { clientCertificateAllowed, tlsServerOptions } from './web-config.js';

interface Route {
  methods: readonly string[];
  handler: Handler;
  /** Its request-duration series, bound at its first request (a path never requested shows no series). */
  duration?: HistogramSeries;
}

export interface ExporterServer {
  readonly server: Server;
  /** "http(s)://host:port", loopback when listening on every address. */
  readonly url: string;
  /** Stop accepting, let requests in flight (scrapes, each bounded by its deadline) finish, close every connection. */
  close(): Promise<void>;
}

const READ_METHODS = ['GET', 'HEAD'] as const;

/** Start the web server (HTTP, or HTTPS when the web config has TLS) and resolve once it listens. */
export async function startServer(deps: HttpDeps, listen: { host?: string; port: number }): Promise<ExporterServer> {
  const inFlight = new Set<Promise<void>>();
  const routes = new Map<string, Route>([
    ['/', { methods: READ_METHODS, handler: homepageHandler(deps) }],
    ['/bmc', { methods: READ_METHODS, handler: bmcHandler(deps, inFlight) }],
    ['/target', { methods: [...READ_METHODS, 'POST'], handler: targetPageHandler(deps, inFlight) }],
    ['/metrics', { methods: READ_METHODS, handler: metricsHandler(deps) }],
    ['/discover', { methods: READ_METHODS, handler: discoverHandler(deps) }],
    ['/-/healthy', { methods: READ_METHODS, handler: healthyHandler }],
    ['/-/ready', { methods: READ_METHODS, handler: readyHandler(deps) }],
    ['/-/reload', { methods: ['POST', 'PUT'], handler: reloadHandler(deps) }],
  ]);
  if (deps.ipmi) routes.set('/ipmi', { methods: READ_METHODS, handler: deps.ipmi(inFlight) });
  const web = deps.webConfig;
  /** --web.config.file's extra headers, as pairs once (not an array per request). */
  const extraHeaders = Object.entries(web?.headers ?? {});

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res).catch((err: unknown) => {
      deps.logger.error({ err: (err as Error).message, path: req.url }, 'request failed');
      sendText(res, 500, 'internal error');
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    for (const [k, v] of extraHeaders) res.setHeader(k, v);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://exporter.invalid');
    } catch {
      return sendText(res, 400, 'malformed request URL');
    }
    if (web?.tls && !clientCertificateAllowed(req.socket as TLSSocket, web.tls)) {
      return sendText(res, 403, 'client certificate not accepted');
    }
    if (web?.basicAuth && !(await web.basicAuth.check(req.headers.authorization))) {
      return sendText(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="bmc-exporter", charset="UTF-8"' });
    }
    const route = routes.get(url.pathname);
    if (!route) return sendText(res, 404, `not found: ${url.pathname} (try /, /bmc?target=, /target?target=, /metrics)`);
    if (!route.methods.includes(req.method ?? 'GET')) {
      return sendText(res, 405, `method ${req.method} not allowed on ${url.pathname}`, { Allow: route.methods.join(', ') });
    }
    try {
      await route.handler(req, res, url);
    } finally {
      route.duration ??= deps.metrics.requestDuration.series({ path: url.pathname });
      route.duration.observe((performance.now() - started) / 1000);
    }
  }

  // Node checks headersTimeout only every connectionsCheckingInterval (default 30 s), so a
  // slowloris client would hold its connection up to 40 s; checked each second, it goes at 10-11 s.
  const serverOptions = { connectionsCheckingInterval: 1000 };
  const server: Server = web?.tls
    ? createHttpsServer({ ...tlsServerOptions(web.tls), ...serverOptions }, onRequest)
    : createHttpServer(serverOptions, onRequest);
  // As bmc_exporter: bound the wait for request headers (the handlers bound themselves).
  server.headersTimeout = Math.max(deps.scrapeTimeoutMs, 10_000);
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => deps.logger.error({ err: err.message }, 'web server error'));

  const addr = server.address() as AddressInfo;
  const anyAddress = !listen.host || listen.host === '0.0.0.0' || listen.host === '::';
  const host = anyAddress ? '127.0.0.1' : addr.address;
  const url = `${web?.tls ? 'https' : 'http'}://${isIP(host) === 6 ? `[${host}]` : host}:${addr.port}`;

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.all([...inFlight]);
        // Responses are written on the tick after their scrape settles.
        await new Promise((r) => setImmediate(r));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1000);
        await stopped;
        clearTimeout(force);
      })()),
  };
}
