import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExporterMetrics } from '../metrics/exporter-metrics.js';
import type { TargetPool } from '../targets/target-pool.js';
import type { WebConfig } from './web-config.js';

/** A pino-compatible logger subset the HTTP layer uses. */
export interface AppLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  /** Whether a level is logged (pino's), so a hot path builds a line only when it is; absent: assume it is. */
  isLevelEnabled?(level: string): boolean;
}

/** A configuration file POST /-/reload and SIGHUP re-read: --secrets.file or --config.file (the modules). */
export type ReloadedFile = 'secrets' | 'modules';

/**
 * What a reload did: the files re-read and taken, and those that failed
 * (each keeping its previous content) with the reason. ok when none failed.
 */
export type ReloadResult = { ok: true; reloaded: ReloadedFile[] } | { ok: false; reloaded: ReloadedFile[]; failed: ReloadedFile[]; error: string };

/** Everything the routes need from the running exporter. */
export interface HttpDeps {
  pool: TargetPool;
  metrics: ExporterMetrics;
  logger: AppLogger;
  version: string;
  scrapeTimeoutMs: number;
  scrapeTimeoutOffsetMs: number;
  isReady(): boolean;
  reload(): Promise<ReloadResult>;
  /** --web.disable-reload: POST /-/reload answers 403 (SIGHUP still reloads). */
  reloadDisabled?: boolean;
  /** GET /discover: the exact targets of the secrets file as http_sd target groups (demo mode: the simulated BMCs). */
  discovery(): ReadonlyArray<{ targets: readonly string[]; labels: Readonly<Record<string, string>> }>;
  /** Targets to list on the homepage even before their first scrape (demo mode). */
  knownTargets(): readonly string[];
  /** A target's labels from its secrets entry, when it has any (the console searches them). */
  labelsOf?(target: string): Readonly<Record<string, string>> | undefined;
  /** GET /ipmi (prometheus-community/ipmi_exporter's endpoint), when --config.file is given. */
  ipmi?: (inFlight: Set<Promise<void>>) => Handler;
  /** --web.config.file (exporter-toolkit format): TLS, basic auth, extra headers. */
  webConfig?: WebConfig;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** A plain-text answer (errors, probes). */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body.endsWith('\n') ? body : `${body}\n`);
}
