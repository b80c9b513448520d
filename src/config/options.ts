import { existsSync } from 'node:fs';
import { CollectorListError, parseCollectorList } from '../collectors/index.js';
import { DurationError, parseDuration } from '../duration.js';
import { LOG_FORMATS, LOG_LEVELS } from '../logger.js';
import type { LogFormat, LogLevel } from '../logger.js';

/** The main command's flags, validated once into what startExporter takes. */
export interface ExporterOptions {
  /** host undefined: every interface (":9622", as Prometheus exporters write it). */
  listen: { host?: string; port: number };
  webConfigFile?: string;
  secretsFile?: string;
  scrapeTimeoutMs: number;
  scrapeTimeoutOffsetMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  targetIdleTimeoutMs: number;
  demo: boolean;
  /** --web.disable-reload: POST /-/reload is refused (SIGHUP still reloads). */
  reloadDisabled?: boolean;
  /** --sdr.max-records: the most SDR records one walk reads (library default when absent). */
  sdrMaxRecords?: number;
  /** --sdr.max-bytes: the most SDR record bytes one walk holds (library default when absent). */
  sdrMaxBytes?: number;
  /** --sdr.cache-dir: where SDRs are kept across restarts (off when absent). */
  sdrCacheDir?: string;
  /** --collectors.default: collector names run for targets whose secrets entry names none (built-in default when absent). */
  defaultCollectors?: string[];
  /** --config.file: prometheus-community/ipmi_exporter's modules file, serving /ipmi. */
  ipmiConfigFile?: string;
  /** --ipmi.allowed-targets: address ranges /ipmi may contact (comma-separated CIDRs). */
  ipmiAllowedTargets?: string;
  /** Why demo mode is on, so the start-up log can say it: asked for, or no secrets file anywhere. */
  demoReason?: 'flag' | 'no-secrets-file';
}

/**
 * The flags as commander hands them over: it camel-cases at dashes only, so
 * dots stay ("--web.listen-address" is 'web.listenAddress', "--web.config.file"
 * is 'web.config.file').
 */
export interface ExporterFlags {
  'web.listenAddress'?: string;
  'web.config.file'?: string;
  'secrets.static'?: string;
  'scrape.timeout'?: string;
  'scrape.timeoutOffset'?: string;
  'log.level'?: string;
  'log.format'?: string;
  'target.idleTimeout'?: string;
  'collectors.default'?: string;
  'web.disableReload'?: boolean;
  'sdr.maxRecords'?: string;
  'sdr.maxBytes'?: string;
  'sdr.cacheDir'?: string;
  demo?: boolean;
  'config.file'?: string;
  'ipmi.allowedTargets'?: string;
}

export const DEFAULTS = {
  listenAddress: ':9622', // gebn/bmc_exporter's port, registered in Prometheus' default port allocations
  scrapeTimeout: '8s', // under Prometheus' default 10s scrape_timeout, leaving room for the network
  scrapeTimeoutOffset: '500ms', // taken off X-Prometheus-Scrape-Timeout-Seconds, as blackbox_exporter does
  logLevel: 'info',
  logFormat: 'logfmt',
  targetIdleTimeout: '30m', // a target not scraped for this long has its session closed
  secretsFile: 'secrets.yml', // gebn/bmc_exporter's default, used only when it exists
} as const;

/** A flag value that cannot be used; the CLI prints it and exits 2, like other usage errors. */
export class OptionsError extends Error {
  readonly code = 'BAD_OPTION';
  constructor(
    readonly flag: string,
    what: string,
  ) {
    super(`--${flag}: ${what}`);
    this.name = 'OptionsError';
  }
}

export interface OptionsEnvironment {
  /** Whether the default ./secrets.yml is there (injected for tests). */
  fileExists(path: string): boolean;
}

export function parseExporterOptions(flags: ExporterFlags, env: OptionsEnvironment = { fileExists: existsSync }): ExporterOptions {
  const scrapeTimeoutMs = duration('scrape.timeout', flags['scrape.timeout'] ?? DEFAULTS.scrapeTimeout);
  if (scrapeTimeoutMs <= 0) throw new OptionsError('scrape.timeout', 'must be longer than 0');
  const scrapeTimeoutOffsetMs = duration('scrape.timeout-offset', flags['scrape.timeoutOffset'] ?? DEFAULTS.scrapeTimeoutOffset);
  const targetIdleTimeoutMs = duration('target.idle-timeout', flags['target.idleTimeout'] ?? DEFAULTS.targetIdleTimeout);
  if (targetIdleTimeoutMs <= 0) throw new OptionsError('target.idle-timeout', 'must be longer than 0');

  const options: ExporterOptions = {
    listen: parseListenAddress(flags['web.listenAddress'] ?? DEFAULTS.listenAddress),
    scrapeTimeoutMs,
    scrapeTimeoutOffsetMs,
    logLevel: oneOf('log.level', flags['log.level'] ?? DEFAULTS.logLevel, LOG_LEVELS),
    logFormat: oneOf('log.format', flags['log.format'] ?? DEFAULTS.logFormat, LOG_FORMATS),
    targetIdleTimeoutMs,
    demo: false,
    reloadDisabled: flags['web.disableReload'] === true,
  };
  const maxRecords = flags['sdr.maxRecords'];
  if (maxRecords !== undefined) options.sdrMaxRecords = count('sdr.max-records', maxRecords, 1, 0xffff);
  const maxBytes = flags['sdr.maxBytes'];
  if (maxBytes !== undefined) options.sdrMaxBytes = byteSize('sdr.max-bytes', maxBytes);
  const cacheDir = flags['sdr.cacheDir'];
  if (cacheDir !== undefined) options.sdrCacheDir = nonEmpty('sdr.cache-dir', cacheDir);
  const collectors = flags['collectors.default'];
  if (collectors !== undefined) {
    try {
      options.defaultCollectors = parseCollectorList([collectors]);
    } catch (err) {
      if (err instanceof CollectorListError) throw new OptionsError('collectors.default', err.message);
      throw err;
    }
  }
  const webConfig = flags['web.config.file'];
  if (webConfig !== undefined) {
    if (webConfig.trim() === '') throw new OptionsError('web.config.file', 'is empty; give a file or leave the flag out');
    options.webConfigFile = webConfig;
  }

  const ipmiConfig = flags['config.file'];
  if (ipmiConfig !== undefined) {
    if (ipmiConfig.trim() === '') throw new OptionsError('config.file', 'is empty; give the ipmi_exporter modules file');
    options.ipmiConfigFile = ipmiConfig;
  }
  const allowed = flags['ipmi.allowedTargets'];
  if (allowed !== undefined) {
    if (ipmiConfig === undefined) throw new OptionsError('ipmi.allowed-targets', 'applies to /ipmi, which needs --config.file');
    options.ipmiAllowedTargets = allowed;
  }

  // The issue: demo mode "with --demo, or when started with no secrets file".
  // bmc_exporter defaults --secrets.static to ./secrets.yml, so a user who
  // switches over with that file beside them gets their BMCs, not a demo; an
  // explicit --secrets.static that is missing is an error at load, never a demo.
  const secrets = flags['secrets.static'];
  if (flags.demo) {
    if (secrets !== undefined) throw new OptionsError('demo', 'runs simulated BMCs with their own credentials; leave out --secrets.static');
    options.demo = true;
    options.demoReason = 'flag';
  } else if (secrets !== undefined) {
    if (secrets.trim() === '') throw new OptionsError('secrets.static', 'is empty; give the secrets file');
    options.secretsFile = secrets;
  } else if (env.fileExists(DEFAULTS.secretsFile)) {
    options.secretsFile = DEFAULTS.secretsFile;
  } else if (ipmiConfig === undefined) {
    options.demo = true;
    options.demoReason = 'no-secrets-file';
  }
  return options;
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    if (err instanceof DurationError) throw new OptionsError(flag, err.message);
    throw err;
  }
}

function count(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max)
    throw new OptionsError(flag, `"${text}" is not a whole number from ${min} to ${max}`);
  return Number(text);
}

const BYTE_UNITS = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** "1048576", "512KiB", "4MiB". */
function byteSize(flag: string, text: string): number {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/.exec(text.trim());
  const n = m ? Number(m[1]) * BYTE_UNITS[(m[2] ?? '') as keyof typeof BYTE_UNITS] : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new OptionsError(flag, `"${text}" is not a size in bytes, e.g. 1048576, 512KiB or 4MiB`);
  return n;
}

function nonEmpty(flag: string, text: string): string {
  if (text.trim() === '') throw new OptionsError(flag, 'is empty; name a directory');
  return text;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new OptionsError(flag, `"${text}" is not one of ${allowed.join(', ')}`);
  return text as T;
}

/** `:9622`, `0.0.0.0:9622`, `127.0.0.1:9622`, `[::1]:9622`, `localhost:9622`, as Go's net.Listen takes them. */
export function parseListenAddress(text: string): { host?: string; port: number } {
  const bad = (why: string) => new OptionsError('web.listen-address', `"${text}" ${why}; write host:port or :port, e.g. :9622 or 127.0.0.1:9622 or [::1]:9622`);
  const at = text.lastIndexOf(':');
  if (at < 0) throw bad('has no port');
  let host = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(`has port "${portText}", not a number from 0 to 65535`);
  if (host.startsWith('[') !== host.endsWith(']')) throw bad('has an unbalanced bracket');
  if (host.startsWith('[')) host = host.slice(1, -1);
  else if (host.includes(':')) throw bad('has an IPv6 address without brackets');
  if (host === '') return { port: Number(portText) };
  if (/\s/.test(host)) throw bad('has a space in the host');
  return { host, port: Number(portText) };
}
