import type { Server } from 'node:http';
import { UdpTransport, type RetryPolicy, type Timers } from '@bmc-exporter/ipmi';
import type { ExporterOptions } from './config/options.js';
import { COLLECTOR_NAMES, selectCollectors } from './collectors/index.js';
import { SecretsStore } from './config/secrets-store.js';
import { startDemoFleet, type DemoFleet } from './demo/demo-fleet.js';
import { startServer, type ExporterServer } from './http/server.js';
import type { AppLogger, ReloadResult } from './http/types.js';
import { loadWebConfig, type WebConfig } from './http/web-config.js';
import { createLogger } from './logger.js';
import { ExporterMetrics } from './metrics/exporter-metrics.js';
import { HealthTracker } from './metrics/health.js';
import type { CredentialsLookup } from './targets/target-config.js';
import { TargetPool } from './targets/target-pool.js';
import { SdrFileCache } from './targets/sdr-file-cache.js';
import { loadIpmiCompat } from './ipmi-compat/wiring.js';
import { VERSION } from './version.js';

/**
 * The shared socket's receive buffer. Every BMC's answers land in one or two
 * sockets: at thousands of targets the kernel's default (~208 KiB) overflows
 * whenever the event loop stalls for a moment (a GC, a large page), and each
 * lost answer costs a retry timeout. The kernel caps it at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** The exporter's settings, as the CLI validates them from its flags. */
export type StartOptions = ExporterOptions;

export interface StartDeps {
  logger?: AppLogger & { debug(obj: object, msg: string): void };
  /** BMC retry policy (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  /** The BMC clients' clock and timers (tests move the session back-off's clock). */
  timers?: Timers;
  /** Node.js process metrics on /metrics (default on). */
  processMetrics?: boolean;
  /** Starts demo mode's simulated BMCs (tests make it fail). */
  startDemo?: () => Promise<DemoFleet>;
}

export interface Exporter {
  /** "http(s)://host:port" of the web server. */
  readonly url: string;
  /** The web server itself (tests time requests from its side). */
  readonly httpServer: Server;
  readonly metrics: ExporterMetrics;
  readonly pool: TargetPool;
  readonly health: HealthTracker;
  /** The embedded simulated BMCs in demo mode. */
  readonly demo: DemoFleet | undefined;
  /** Re-read the secrets file (SIGHUP, POST /-/reload); a bad file keeps the old secrets. */
  reload(): Promise<ReloadResult>;
  /** Stop accepting, finish scrapes in flight, Close Session everywhere, close the sockets. */
  close(): Promise<void>;
}

/**
 * Start one exporter in this process: secrets (or the demo fleet), one
 * shared UDP transport, the target pool and the web server. Signals are not
 * touched here (see installSignalHandlers), so tests can run several.
 */
export async function startExporter(options: StartOptions, deps: StartDeps = {}): Promise<Exporter> {
  const logger = deps.logger ?? createLogger({ level: options.logLevel, format: options.logFormat });
  const health = new HealthTracker();
  let pool: TargetPool | undefined;
  const transport = new UdpTransport({
    receiveBufferSize: RECEIVE_BUFFER_BYTES,
    hooks: {
      datagramDropped: (reason) => metrics.packetsDropped.inc({ reason }),
      socketError: (err) => logger.warn({ err: err.message }, 'UDP socket error'),
    },
  });
  const metrics = new ExporterMetrics({
    version: VERSION,
    commit: process.env.BMC_EXPORTER_COMMIT ?? 'unknown',
    health,
    transport: () => transport,
    targetCount: () => pool?.size ?? 0,
    targetsBackingOff: () => pool?.targets().filter((t) => t.client.backoffRemainingMs > 0).length ?? 0,
    ...(deps.processMetrics === false ? { processMetrics: false } : {}),
  });

  // Secrets first: a broken file stops the start with its line and message (ConfigError).
  const demoMode = options.demo || (!options.secretsFile && !options.ipmiConfigFile);
  let store: SecretsStore | undefined;
  if (options.secretsFile) {
    store = new SecretsStore(options.secretsFile, {
      reloaded: (ok, error) => {
        metrics.secretsReloads.inc({ result: ok ? 'success' : 'failure' });
        if (ok) logger.info({ file: options.secretsFile }, 'secrets reloaded');
        else logger.error({ file: options.secretsFile, err: error?.message }, 'secrets reload failed; keeping the previous secrets');
      },
    }, { knownCollectors: COLLECTOR_NAMES });
    await store.load();
    logger.info({ file: options.secretsFile, entries: store.current.size }, 'secrets loaded');
  }
  const ipmi = options.ipmiConfigFile ? await loadIpmiCompat(options.ipmiConfigFile, options.ipmiAllowedTargets, logger) : undefined;
  const webConfig: WebConfig | undefined = options.webConfigFile ? await loadWebConfig(options.webConfigFile) : undefined;

  try {
    await transport.start(4);
  } catch (err) {
    // Scrapes will fail and say so; the process stays up to report it on /metrics.
    health.markTransportFailed();
    logger.error({ err: (err as Error).message }, 'cannot open the UDP socket for IPMI; every scrape will fail');
  }

  let demo: DemoFleet | undefined;
  if (demoMode) {
    try {
      demo = await (deps.startDemo ?? startDemoFleet)();
    } catch (err) {
      // The socket opened above must not outlive a start that failed.
      await transport.close();
      throw err;
    }
    logger.info({ targets: demo.targets.join(' ') }, 'demo mode: simulated BMCs on loopback, scrape /bmc?target=<one of these>');
  }
  const fromFile: CredentialsLookup = (t) => store?.current.lookup(t);
  const lookup: CredentialsLookup = demo ? (t) => fromFile(t) ?? demo.lookup(t) : fromFile;

  const sdrFiles = options.sdrCacheDir === undefined ? undefined : new SdrFileCache(options.sdrCacheDir, logger, options.sdrMaxBytes);
  pool = new TargetPool({
    lookup,
    transport,
    metrics,
    health,
    idleTimeoutMs: options.targetIdleTimeoutMs,
    logger,
    ...(options.defaultCollectors ? { collectors: selectCollectors(options.defaultCollectors) } : {}),
    ...(options.sdrMaxRecords !== undefined || options.sdrMaxBytes !== undefined
      ? {
          sdrLimits: {
            ...(options.sdrMaxRecords !== undefined ? { maxRecords: options.sdrMaxRecords } : {}),
            ...(options.sdrMaxBytes !== undefined ? { maxBytes: options.sdrMaxBytes } : {}),
          },
        }
      : {}),
    ...(sdrFiles ? { sdrFiles } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.timers ? { timers: deps.timers } : {}),
  });

  const reload = async (): Promise<ReloadResult> => {
    const errors: string[] = [];
    if (store) {
      const r = await store.reload();
      if (!r.ok) errors.push(r.error.message);
    }
    if (ipmi) {
      const r = await ipmi.reload();
      if (!r.ok) errors.push(r.error);
    }
    return errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') };
  };

  let ready = false;
  let server: ExporterServer;
  try {
    server = await startServer(
      {
        pool,
        metrics,
        logger,
        version: VERSION,
        scrapeTimeoutMs: options.scrapeTimeoutMs,
        scrapeTimeoutOffsetMs: options.scrapeTimeoutOffsetMs,
        isReady: () => ready,
        reload,
        reloadDisabled: options.reloadDisabled ?? false,
        knownTargets: () => [...(demo?.targets ?? []), ...configuredTargets(store)],
        labelsOf: (target) => store?.current.lookup(target)?.labels,
        discovery: () => (store ? store.current.discovery() : demo ? [{ targets: [...demo.targets], labels: {} }] : []),
        ...(ipmi ? { ipmi: ipmi.handlerFor(pool, options, logger) } : {}),
        ...(webConfig ? { webConfig } : {}),
      },
      options.listen,
    );
  } catch (err) {
    await pool.close();
    await transport.close();
    await demo?.close();
    throw err;
  }
  ready = store?.hasLoaded ?? true;
  logger.info({ url: server.url, version: VERSION, tls: Boolean(webConfig?.tls) }, 'listening');

  const activePool = pool;
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    httpServer: server.server,
    metrics,
    pool: activePool,
    health,
    demo,
    reload,
    close: () =>
      (closing ??= (async () => {
        ready = false;
        logger.info({}, 'shutting down: finishing scrapes in flight');
        await server.close();
        await activePool.close();
        await sdrFiles?.flush();
        await transport.close();
        await demo?.close();
        logger.info({}, 'shut down');
      })()),
  };
}

/** Secrets keys that name one target (not a CIDR range): the console lists them before their first scrape. */
function configuredTargets(store: SecretsStore | undefined): string[] {
  return store ? store.current.targets().filter((k) => !k.includes('/')) : [];
}

/**
 * Process-wide signal wiring, for the CLI only: SIGHUP re-reads the secrets,
 * SIGINT/SIGTERM shut down gracefully and exit 0. Returns a function that
 * removes the handlers.
 */
export function installSignalHandlers(exporter: Exporter, logger: Pick<AppLogger, 'info' | 'error'>, exit: (code: number) => void = process.exit): () => void {
  let stopping = false;
  const onHup = () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading secrets');
    void exporter.reload();
  };
  const onStop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'received signal');
    exporter.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGHUP', onHup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  return () => {
    process.off('SIGHUP', onHup);
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  };
}
