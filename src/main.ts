import type { Server } from 'node:http';
import { UdpTransport, type RetryPolicy, type Timers } from '@bmc-exporter/ipmi';
import type { ExporterOptions } from './config/options.js';
import { COLLECTOR_NAMES, selectCollectors } from './collectors/index.js';
import { SecretsStore } from './config/secrets-store.js';
import { startDemoFleet, type DemoFleet } from './demo/demo-fleet.js';
import { startServer, type ExporterServer } from './http/server.js';
import type { AppLogger, ReloadedFile, ReloadResult } from './http/types.js';
import { loadWebConfig, type WebConfig } from './http/web-config.js';
import { createLogger } from './logger.js';
import { ExporterMetrics } from './metrics/exporter-metrics.js';
import { HealthTracker } from './metrics/health.js';
import type { CredentialsLookup } from './targets/target-config.js';
import { TargetPool } from './targets/target-pool.js';
import { SdrFileCache } from './targets/sdr-file-cache.js';
import { loadIpmiCompat, type IpmiCompat } from './ipmi-compat/wiring.js';
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
  /** Re-read the secrets and modules files (SIGHUP, POST /-/reload); a bad file keeps its previous content. */
  reload(): Promise<ReloadResult>;
  /** Stop accepting, finish scrapes in flight, Close Session everywhere, close the sockets. */
  close(): Promise<void>;
}

/**
 * Start one exporter in this process: configuration files (or the demo
 * fleet), one shared UDP transport, the target pool and the web server.
 * Signals are not touched here (see installSignalHandlers), so tests can run
 * several. A start that fails releases everything it had opened before
 * rethrowing.
 */
export async function startExporter(options: StartOptions, deps: StartDeps = {}): Promise<Exporter> {
  const logger = deps.logger ?? createLogger({ level: options.logLevel, format: options.logFormat });
  const health = new HealthTracker();
  let pool: TargetPool | undefined;
  const transport = createTransport(() => metrics, logger);
  const metrics = new ExporterMetrics({
    version: VERSION,
    commit: process.env.BMC_EXPORTER_COMMIT ?? 'unknown',
    health,
    transport: () => transport,
    targetCount: () => pool?.size ?? 0,
    targetsBackingOff: () => pool?.targets().filter((t) => t.client.backoffRemainingMs > 0).length ?? 0,
    ...(deps.processMetrics === false ? { processMetrics: false } : {}),
  });

  // Files first, before anything is opened: a broken one stops the start with its line and message (ConfigError).
  const config = await loadConfiguration(options, metrics, logger);

  const running: Running = { transport };
  // Not ready until the secrets are loaded, and no longer once shutting down.
  let ready = false;
  try {
    await openTransport(transport, health, logger);
    if (config.demoMode) running.demo = await startDemo(deps, logger);
    if (options.sdrCacheDir !== undefined) running.sdrFiles = new SdrFileCache(options.sdrCacheDir, logger, options.sdrMaxBytes);
    const { sdrFiles } = running;
    running.pool = pool = createPool(options, deps, config, running.demo, { transport, metrics, health, logger, ...(sdrFiles ? { sdrFiles } : {}) });
    running.server = await startHttp(options, config, running.demo, pool, metrics, logger, () => ready);
  } catch (err) {
    // Nothing opened above may outlive a start that failed.
    await release(running);
    throw err;
  }
  const { server } = running;
  ready = config.store?.hasLoaded ?? true;
  logger.info({ url: server.url, version: VERSION, tls: Boolean(config.webConfig?.tls) }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    httpServer: server.server,
    metrics,
    pool,
    health,
    demo: running.demo,
    reload: config.reload,
    close: () =>
      (closing ??= (async () => {
        ready = false;
        logger.info({}, 'shutting down: finishing scrapes in flight');
        await release(running);
        logger.info({}, 'shut down');
      })()),
  };
}

/** The files an exporter runs from, loaded and checked, and how to re-read them. */
interface Configuration {
  /** No secrets file and no ipmi_exporter modules file (or --demo): simulated BMCs. */
  demoMode: boolean;
  store: SecretsStore | undefined;
  ipmi: IpmiCompat | undefined;
  webConfig: WebConfig | undefined;
  /** Re-read the secrets and modules files (SIGHUP, POST /-/reload); a bad file keeps the previous contents. */
  reload(): Promise<ReloadResult>;
}

/** Reads the secrets file, ipmi_exporter's modules file and the web config; opens nothing. */
async function loadConfiguration(options: StartOptions, metrics: ExporterMetrics, logger: AppLogger): Promise<Configuration> {
  const demoMode = options.demo || (!options.secretsFile && !options.ipmiConfigFile);
  let store: SecretsStore | undefined;
  if (options.secretsFile) {
    const file = options.secretsFile;
    store = new SecretsStore(
      file,
      {
        reloaded: (ok, error) => {
          metrics.secretsReloads.inc({ result: ok ? 'success' : 'failure' });
          if (ok) logger.info({ file }, 'secrets reloaded');
          else logger.error({ file, err: error?.message }, 'secrets reload failed; keeping the previous secrets');
        },
      },
      { knownCollectors: COLLECTOR_NAMES },
    );
    await store.load();
    logger.info({ file, entries: store.current.size }, 'secrets loaded');
  }
  const ipmi = options.ipmiConfigFile ? await loadIpmiCompat(options.ipmiConfigFile, options.ipmiAllowedTargets, logger) : undefined;
  const webConfig = options.webConfigFile ? await loadWebConfig(options.webConfigFile) : undefined;

  const reload = async (): Promise<ReloadResult> => {
    const reloaded: ReloadedFile[] = [];
    const failed: ReloadedFile[] = [];
    const errors: string[] = [];
    if (store) {
      const result = await store.reload();
      if (result.ok) reloaded.push('secrets');
      else {
        failed.push('secrets');
        errors.push(result.error.message);
      }
    }
    if (ipmi) {
      const result = await ipmi.reload();
      if (result.ok) reloaded.push('modules');
      else {
        failed.push('modules');
        errors.push(result.error);
      }
    }
    return failed.length === 0 ? { ok: true, reloaded } : { ok: false, reloaded, failed, error: errors.join('; ') };
  };
  return { demoMode, store, ipmi, webConfig, reload };
}

/** The one UDP transport every BMC client shares; its sockets open in openTransport. */
function createTransport(metrics: () => ExporterMetrics, logger: AppLogger): UdpTransport {
  return new UdpTransport({
    receiveBufferSize: RECEIVE_BUFFER_BYTES,
    hooks: {
      datagramDropped: (reason) => metrics().packetsDropped.inc({ reason }),
      socketError: (err) => logger.warn({ err: err.message }, 'UDP socket error'),
    },
  });
}

async function openTransport(transport: UdpTransport, health: HealthTracker, logger: AppLogger): Promise<void> {
  try {
    await transport.start(4);
  } catch (err) {
    // Scrapes will fail and say so; the process stays up to report it on /metrics.
    health.markTransportFailed();
    logger.error({ err: (err as Error).message }, 'cannot open the UDP socket for IPMI; every scrape will fail');
  }
}

async function startDemo(deps: StartDeps, logger: AppLogger): Promise<DemoFleet> {
  const demo = await (deps.startDemo ?? startDemoFleet)();
  logger.info({ targets: demo.targets.join(' ') }, 'demo mode: simulated BMCs on loopback, scrape /bmc?target=<one of these>');
  return demo;
}

function createPool(
  options: StartOptions,
  deps: StartDeps,
  config: Configuration,
  demo: DemoFleet | undefined,
  shared: { transport: UdpTransport; metrics: ExporterMetrics; health: HealthTracker; logger: AppLogger; sdrFiles?: SdrFileCache },
): TargetPool {
  const { store } = config;
  const fromFile: CredentialsLookup = (target) => store?.current.lookup(target);
  const lookup: CredentialsLookup = demo ? (target) => fromFile(target) ?? demo.lookup(target) : fromFile;
  const sdrLimits = {
    ...(options.sdrMaxRecords !== undefined ? { maxRecords: options.sdrMaxRecords } : {}),
    ...(options.sdrMaxBytes !== undefined ? { maxBytes: options.sdrMaxBytes } : {}),
  };
  return new TargetPool({
    lookup,
    ...shared,
    idleTimeoutMs: options.targetIdleTimeoutMs,
    ...(options.defaultCollectors ? { collectors: selectCollectors(options.defaultCollectors) } : {}),
    ...(Object.keys(sdrLimits).length > 0 ? { sdrLimits } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.timers ? { timers: deps.timers } : {}),
  });
}

/** The web server, answering /-/ready while `isReady` says so. */
async function startHttp(
  options: StartOptions,
  config: Configuration,
  demo: DemoFleet | undefined,
  pool: TargetPool,
  metrics: ExporterMetrics,
  logger: AppLogger,
  isReady: () => boolean,
): Promise<ExporterServer> {
  const { store, ipmi, webConfig } = config;
  return await startServer(
    {
      pool,
      metrics,
      logger,
      version: VERSION,
      scrapeTimeoutMs: options.scrapeTimeoutMs,
      scrapeTimeoutOffsetMs: options.scrapeTimeoutOffsetMs,
      isReady,
      reload: config.reload,
      reloadDisabled: options.reloadDisabled ?? false,
      knownTargets: () => [...(demo?.targets ?? []), ...configuredTargets(store)],
      labelsOf: (target) => store?.current.lookup(target)?.labels,
      discovery: () => (store ? store.current.discovery() : demo ? [{ targets: [...demo.targets], labels: {} }] : []),
      ...(ipmi ? { ipmi: ipmi.handlerFor(pool, options, logger) } : {}),
      ...(webConfig ? { webConfig } : {}),
    },
    options.listen,
  );
}

/** What a start has opened so far, released in this order: no new scrape, scrapes and sessions finished, sockets, simulated BMCs. */
interface Running {
  transport: UdpTransport;
  /** --sdr.cache-dir: its pending writes are flushed once the pool has closed. */
  sdrFiles?: SdrFileCache;
  demo?: DemoFleet;
  pool?: TargetPool;
  server?: ExporterServer;
}

async function release(running: Running): Promise<void> {
  await running.server?.close();
  await running.pool?.close();
  await running.sdrFiles?.flush();
  await running.transport.close();
  await running.demo?.close();
}

/** Secrets keys that name one target (not a CIDR range): the console lists them before their first scrape. */
function configuredTargets(store: SecretsStore | undefined): string[] {
  return store ? store.current.targets().filter((k) => !k.includes('/')) : [];
}

/**
 * Process-wide signal wiring, for the CLI only: SIGHUP re-reads the secrets and modules files,
 * SIGINT/SIGTERM shut down gracefully and exit 0. Returns a function that
 * removes the handlers.
 */
export function installSignalHandlers(exporter: Exporter, logger: Pick<AppLogger, 'info' | 'error'>, exit: (code: number) => void = process.exit): () => void {
  let stopping = false;
  const onHup = () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading the secrets and modules files');
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
