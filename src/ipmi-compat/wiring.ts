import type { ExporterOptions } from '../config/options.js';
import type { AppLogger, Handler } from '../http/types.js';
import type { TargetPool } from '../targets/target-pool.js';
import { ALLOW_ANY, AllowListError, parseAllowList, type AllowList } from './allow-list.js';
import { ipmiHandler } from './ipmi-handler.js';
import { ModulesStore } from './modules-store.js';
import { ConfigError } from '../config/config-error.js';

export interface IpmiCompat {
  reload(): Promise<{ ok: true } | { ok: false; error: string }>;
  handlerFor(pool: TargetPool, options: ExporterOptions, logger: AppLogger): (inFlight: Set<Promise<void>>) => Handler;
}

/**
 * --config.file and --ipmi.allowed-targets at start-up: a broken file or
 * list stops the start (ConfigError, with the file's line); the one warning
 * names the FreeIPMI-only settings that have no effect here, and another
 * says when /ipmi may contact any address.
 */
export async function loadIpmiCompat(file: string, allowed: string | undefined, logger: AppLogger): Promise<IpmiCompat> {
  const store = new ModulesStore(file);
  const config = await store.load();
  let allowList: AllowList;
  try {
    allowList = parseAllowList(allowed ?? ALLOW_ANY);
  } catch (err) {
    if (err instanceof AllowListError) throw new ConfigError('--ipmi.allowed-targets', err.message);
    throw err;
  }
  logger.info({ file, modules: [...config.modules.keys()].join(' ') }, 'ipmi_exporter modules loaded: serving /ipmi');
  if (config.ignored.length > 0) {
    logger.warn(
      { file, settings: config.ignored.join('; ') },
      'these settings only steer FreeIPMI commands and have no effect here (bmc-exporter speaks IPMI itself)',
    );
  }
  if (allowList.any) {
    logger.warn(
      { allowed: allowList.text },
      '/ipmi may send packets to any address a scrape names (as ipmi_exporter does); narrow it with --ipmi.allowed-targets',
    );
  }
  return {
    async reload() {
      const r = await store.reload();
      if (r.ok) {
        logger.info({ file }, 'ipmi_exporter modules reloaded');
        return { ok: true };
      }
      logger.error({ file, err: r.error.message }, 'modules reload failed; keeping the previous modules');
      return { ok: false, error: r.error.message };
    },
    handlerFor: (pool, options, log) => (inFlight) =>
      ipmiHandler({
        pool,
        logger: log,
        modules: () => store.current,
        allowList,
        scrapeTimeoutMs: options.scrapeTimeoutMs,
        scrapeTimeoutOffsetMs: options.scrapeTimeoutOffsetMs,
        inFlight,
      }),
  };
}
