#!/usr/bin/env -S node --heap-growing-percent=30
// The line above caps V8's heap growth from the process's start (see HEAP_GROWTH_NODE_FLAG).
import { DEFAULT_SDR_MAX_BYTES, DEFAULT_SDR_MAX_RECORDS } from '@bmc-exporter/ipmi';
import { Command, Option } from 'commander';
import { COLLECTOR_NAMES, DEFAULT_COLLECTORS } from './collectors/index.js';
import { ConfigError } from './config/config-error.js';
import { DEFAULTS, OptionsError, parseExporterOptions } from './config/options.js';
import type { ExporterFlags, ExporterOptions } from './config/options.js';
import { HEAP_GROWTH_NODE_FLAG, heapGrowingPercentOf } from './heap-growth.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS } from './logger.js';
import { installSignalHandlers, startExporter } from './main.js';
import { probeCommand } from './probe/probe-command.js';
import { VERSION } from './version.js';

// Usage errors exit 2 (as the probe's exit codes document); --help and --version exit 0.
const exitOnUsage = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? 0 : 2);

const program = new Command('bmc-exporter')
  .description(
    'Prometheus exporter for server BMCs, speaking IPMI (RMCP+/IPMI 2.0 and 1.5) natively.\n' +
      'Prometheus scrapes /bmc?target=<host:port>; the exporter keeps one session per BMC.\n' +
      'With no secrets file it starts in demo mode, with simulated BMCs on loopback.',
  )
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride(exitOnUsage)
  .addOption(new Option('--web.listen-address <[host]:port>', 'address to serve /bmc, /metrics and the homepage on').default(DEFAULTS.listenAddress))
  .addOption(
    new Option(
      '--web.config.file <file>',
      'TLS and basic-auth settings, in the Prometheus exporter-toolkit web config format (tls_server_config, basic_auth_users)',
    ),
  )
  .addOption(new Option('--web.disable-reload', 'refuse POST /-/reload (403); SIGHUP still re-reads the secrets file'))
  .addOption(
    new Option(
      '--secrets.static <file>',
      'BMC credentials: YAML map of target to username/password, as gebn/bmc_exporter reads it (see secrets.example.yml). ' +
        `Default: ./${DEFAULTS.secretsFile} if it exists, else demo mode`,
    ),
  )
  .addOption(
    new Option(
      '--scrape.timeout <duration>',
      'longest time a /bmc request may take, queueing included; lowered per request to X-Prometheus-Scrape-Timeout-Seconds minus --scrape.timeout-offset. What was collected by then is returned',
    ).default(DEFAULTS.scrapeTimeout),
  )
  .addOption(
    new Option('--scrape.timeout-offset <duration>', "taken off Prometheus' scrape timeout header, to leave time for the response to travel back").default(
      DEFAULTS.scrapeTimeoutOffset,
    ),
  )
  .addOption(new Option('--log.level <level>', 'least severe log level written').choices(LOG_LEVELS).default(DEFAULTS.logLevel))
  .addOption(new Option('--log.format <format>', 'log line format, on standard error').choices(LOG_FORMATS).default(DEFAULTS.logFormat))
  .addOption(
    new Option('--target.idle-timeout <duration>', 'a BMC not scraped for this long has its session closed and is forgotten').default(
      DEFAULTS.targetIdleTimeout,
    ),
  )
  .addOption(
    new Option(
      '--collectors.default <names>',
      `comma-separated collectors to run for targets whose secrets entry has no collectors list; a scrape's ?collectors= overrides both. ` +
        `Default: ${DEFAULT_COLLECTORS.map((c) => c.name).join(',')}. Known: ${COLLECTOR_NAMES.join(', ')}`,
    ),
  )
  .addOption(
    new Option(
      '--sdr.max-records <n>',
      `the most SDR records one walk reads; a BMC serving more has the rest ignored and reported (default ${DEFAULT_SDR_MAX_RECORDS})`,
    ),
  )
  .addOption(
    new Option(
      '--sdr.max-bytes <size>',
      `the most SDR record bytes one walk holds, e.g. 4MiB; beyond it the rest is ignored and reported (default ${DEFAULT_SDR_MAX_BYTES / 1024 / 1024}MiB)`,
    ),
  )
  .addOption(
    new Option(
      '--sdr.cache-dir <dir>',
      "keep each BMC's SDR in this directory across restarts, used again only while the BMC's identity and SDR repository info are unchanged (default: off, every SDR is walked after a restart)",
    ),
  )
  .addOption(
    new Option(
      '--config.file <file>',
      "prometheus-community/ipmi_exporter's modules file (modules: name -> user, pass, driver, privilege, collectors, ...); serves /ipmi?target=&module= with its series",
    ),
  )
  .addOption(
    new Option(
      '--ipmi.allowed-targets <cidrs>',
      'comma-separated address ranges /ipmi may send packets to (its credentials come from the module, so any address could be named); a target outside gets 403 and no packet. Default: every address, as ipmi_exporter',
    ),
  )
  .addOption(new Option('--demo', 'start simulated BMCs on loopback and scrape those (the quick start); cannot be combined with --secrets.static'))
  .action(async (flags: ExporterFlags) => {
    let options: ExporterOptions;
    try {
      options = parseExporterOptions(flags);
    } catch (err) {
      if (!(err instanceof OptionsError)) throw err;
      // A usage error (exit 2) that names the flag; the full help would bury it.
      process.stderr.write(`bmc-exporter: ${err.message} (see --help)\n`);
      process.exit(2);
    }
    const logger = createLogger({ level: options.logLevel, format: options.logFormat });
    const heapGrowth = heapGrowingPercentOf();
    if (heapGrowth === undefined)
      logger.debug({ flag: HEAP_GROWTH_NODE_FLAG }, "V8 old-generation growth not capped: started by node without the launcher's flag");
    else logger.debug({ heapGrowingPercent: heapGrowth }, 'V8 old-generation growth limit');
    if (options.demoReason === 'no-secrets-file') {
      logger.warn({}, `no --secrets.static given and no ./${DEFAULTS.secretsFile} here: starting in demo mode with simulated BMCs`);
    }
    try {
      const exporter = await startExporter(options, { logger });
      installSignalHandlers(exporter, logger);
    } catch (err) {
      // One line a person can act on, then exit 1: the process must not linger half-started.
      process.stderr.write(`bmc-exporter: cannot start: ${startupFailure(err, options)}\n`);
      process.exit(1);
    }
  });
program.addCommand(probeCommand().showHelpAfterError().exitOverride(exitOnUsage));

function startupFailure(err: unknown, options: ExporterOptions): string {
  if (err instanceof ConfigError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const where = `${options.listen.host ?? ''}:${options.listen.port}`;
  if (e.code === 'EADDRINUSE') return `cannot listen on ${where}: the address is already in use (another exporter running?)`;
  if (e.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine`;
  if (e.code === 'ENOTFOUND') return `cannot listen on ${where}: the host name does not resolve`;
  return e instanceof Error ? e.message : String(err);
}

await program.parseAsync(process.argv);
