import { SCRAPE_TIMEOUT_HEADER, scrapeDeadlineMs } from '../http/deadline.js';
import { whileInFlight } from '../http/in-flight.js';
import { ScrapeSignal } from '../http/scrape-signal.js';
import { sendText, type AppLogger, type Handler } from '../http/types.js';
import type { TargetCredentials } from '../targets/target-config.js';
import { parseTargetAddress, type TargetAddress } from '../targets/target-address.js';
import { ScrapeAbandonedError } from '../targets/target.js';
import type { TargetPool } from '../targets/target-pool.js';
import type { AllowList } from './allow-list.js';
import { COMPAT_COLLECTOR_BY_NAME } from './collectors/index.js';
import { CollectorUnsupportedError } from './collectors/compat-collector.js';
import { EXPOSITION_HEADERS, Exposition, labelText } from '../metrics/exposition.js';
import { COMPAT_COLLECTORS, type CompatCollectorName, type IpmiModule, type ModulesConfig } from './modules-config.js';

export interface IpmiHandlerDeps {
  pool: TargetPool;
  logger: AppLogger;
  modules(): ModulesConfig;
  allowList: AllowList;
  scrapeTimeoutMs: number;
  scrapeTimeoutOffsetMs: number;
  /** Scrapes in flight, awaited at shutdown (the server's set). */
  inFlight: Set<Promise<void>>;
}

const UP = { name: 'ipmi_up', help: "'1' if a scrape of the IPMI device was successful, '0' otherwise.", labelNames: ['collector'] as const };
const DURATION = { name: 'ipmi_scrape_duration_seconds', help: 'Returns how long the scrape took to complete in seconds.' };
/** ipmi_up's label text per collector name, built once. */
const UP_LABELS = Object.fromEntries(COMPAT_COLLECTORS.map((name) => [name, labelText({ collector: name })])) as Record<CompatCollectorName, string>;

const credentialsOfModule = new WeakMap<IpmiModule, TargetCredentials>();

/**
 * Parsed `target` parameters kept per handler: Prometheus names the same
 * targets on every scrape. Bounded in count and in length (a host name is
 * at most 253 bytes), so a client sending ever new or huge ones costs at
 * most a few hundred KiB.
 */
const MAX_PARSED_TARGETS = 1024;
const MAX_PARSED_TARGET_LENGTH = 300;

/** A `target` parameter parsed and checked against the allow list, or why it does not parse. */
type CheckedTarget = { address: TargetAddress; allowed: boolean } | { error: string };

/** A module's credentials in the shape the target pool keys sessions by: one object per module (a reload makes new modules). */
function moduleCredentials(m: IpmiModule): TargetCredentials {
  let c = credentialsOfModule.get(m);
  if (!c) {
    c = {
      username: m.user,
      password: m.pass,
      ...(m.privilege ? { privilege: m.privilege } : {}),
      ...(m.ipmiVersion ? { ipmiVersion: m.ipmiVersion } : {}),
    };
    credentialsOfModule.set(m, c);
  }
  return c;
}

/**
 * GET /ipmi?target=<host>[&module=<name>]: prometheus-community/ipmi_exporter's
 * remote endpoint on our sessions. 400 without a target, or for a module the
 * file does not have (ipmi_exporter's answer); 403 for a target outside
 * --ipmi.allowed-targets, before any packet; 503 when the deadline passed
 * while queued behind another scrape of the same BMC. Otherwise 200 with
 * ipmi_up{collector} for each of the module's collectors (0 when it failed,
 * its series then absent), ipmi_scrape_duration_seconds and the series.
 */
export function ipmiHandler(deps: IpmiHandlerDeps): Handler {
  // The allow list is fixed for the handler's life, so a parameter's verdict is too.
  const checked = new Map<string, CheckedTarget>();
  const check = (raw: string): CheckedTarget => {
    let c = checked.get(raw);
    if (c) return c;
    try {
      const address = parseTargetAddress(raw);
      c = { address, allowed: deps.allowList.allows(address.host) };
    } catch (err) {
      c = { error: (err as Error).message };
    }
    if (raw.length <= MAX_PARSED_TARGET_LENGTH) {
      if (checked.size >= MAX_PARSED_TARGETS) checked.clear();
      checked.set(raw, c);
    }
    return c;
  };

  return async (req, res, url) => {
    const raw = url.searchParams.get('target')?.trim() ?? '';
    if (raw === '') return sendText(res, 400, "'target' parameter must be specified");
    const moduleName = url.searchParams.get('module') || 'default';
    const module = deps.modules().modules.get(moduleName);
    if (!module) return sendText(res, 400, `Unknown module "${moduleName}"`);
    const parsed = check(raw);
    if ('error' in parsed) return sendText(res, 400, `bad 'target' parameter: ${parsed.error}`);
    const address = parsed.address;
    if (!parsed.allowed) {
      deps.logger.debug({ target: address.key }, 'scrape refused: outside --ipmi.allowed-targets');
      return sendText(res, 403, `target "${address.key}" is outside --ipmi.allowed-targets (${deps.allowList.text}); nothing was sent to it`);
    }
    // A secrets-file entry for this BMC wins: the session is then the one /bmc uses too.
    const credentials = deps.pool.lookup(address, raw) ?? moduleCredentials(module);
    const acquired = deps.pool.acquireWith(address, credentials);
    if ('missing' in acquired) return sendText(res, 403, `no credentials for target "${address.key}"`);
    const target = acquired.target;

    const deadlineMs = scrapeDeadlineMs(req.headers[SCRAPE_TIMEOUT_HEADER], deps.scrapeTimeoutMs, deps.scrapeTimeoutOffsetMs);
    const deadline = performance.now() + deadlineMs;
    // Held by this request until it is answered, as /bmc does: never left to the garbage collector.
    const scrapeSignal = new ScrapeSignal(res, deadlineMs);
    const signal = scrapeSignal.signal;
    const out = new Exposition();
    const started = performance.now();
    const up = new Map<string, 0 | 1>();
    const log = { target: address.key, module: moduleName };

    const scrape = target.withSession(signal, out, deadline, async (ctx) => {
      let failed = false;
      const compat = { ...ctx, module };
      for (const name of module.collectors) {
        const collector = COMPAT_COLLECTOR_BY_NAME[name];
        try {
          if (signal.aborted) throw new Error('the scrape deadline passed before this collector ran');
          await collector.collect(compat);
          up.set(name, 1);
        } catch (err) {
          up.set(name, 0);
          if (err instanceof CollectorUnsupportedError) {
            // An answer, not a fault (a BMC without DCMI says so on every scrape): logged at debug, built only then.
            if (deps.logger.isLevelEnabled?.('debug') !== false)
              deps.logger.debug({ ...log, collector: name, err: err.message }, 'collector not supported by this BMC');
          } else {
            failed = true;
            deps.logger.warn({ ...log, collector: name, err: target.describe(err) }, 'collector failed');
          }
        }
      }
      return { failed };
    });
    try {
      const session = await whileInFlight(deps.inFlight, scrape);
      if (!session.up) deps.logger.warn({ ...log, err: session.error }, 'cannot open a session; every collector is down');
    } catch (err) {
      if (err instanceof ScrapeAbandonedError) {
        deps.logger.warn({ ...log, deadlineMs }, 'scrape abandoned while queued');
        return sendText(res, 503, err.message);
      }
      throw err;
    } finally {
      scrapeSignal.dispose();
    }
    for (const name of module.collectors) out.setLabelled(UP, UP_LABELS[name], up.get(name) ?? 0);
    out.set(DURATION, (performance.now() - started) / 1000);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(200, EXPOSITION_HEADERS);
    res.end(out.text());
  };
}
